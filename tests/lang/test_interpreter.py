"""Interpreter semantics on plain Python values and a small fake tensor namespace."""

import math

import pytest

from gradcli.errors import ProgramError
from gradcli.lang.interpreter import Interpreter, UserFunction, run_source
from gradcli.lang.parser import parse


class FakeTensor:
    """Records the operator methods called on it."""

    def __init__(self, value, log):
        self.value = value
        self.log = log

    def _other(self, other):
        return other.value if isinstance(other, FakeTensor) else other

    def __add__(self, other):
        self.log.append(("add", self.value, self._other(other)))
        return FakeTensor(self.value + self._other(other), self.log)

    def __radd__(self, other):
        self.log.append(("radd", self.value, other))
        return FakeTensor(other + self.value, self.log)

    def __iadd__(self, other):
        self.log.append(("iadd", self.value, self._other(other)))
        self.value += self._other(other)
        return self

    def __mul__(self, other):
        self.log.append(("mul", self.value, self._other(other)))
        return FakeTensor(self.value * self._other(other), self.log)

    def __matmul__(self, other):
        self.log.append(("matmul", self.value, self._other(other)))
        return FakeTensor(self.value * self._other(other), self.log)

    def __format__(self, spec):
        return format(self.value, spec)

    def __repr__(self):
        return f"fake({self.value})"


class Recorder:
    """A context manager writing what happens to it into a log."""

    def __init__(self, name, log, suppress=False):
        self.name = name
        self.log = log
        self.suppress = suppress

    def __enter__(self):
        self.log.append(f"enter {self.name}")
        return self.name.upper()

    def __exit__(self, exc_type, exc, tb):
        self.log.append(f"exit {self.name} {None if exc_type is None else exc_type.__name__}")
        return self.suppress


class Hooks:
    """Stands for host code that keeps and later calls a user function."""

    def __init__(self):
        self.hooks = []

    def register(self, function):
        self.hooks.append(function)

    def fire(self, value):
        return [hook(value) for hook in self.hooks]


class Program:
    """Runs sources against one namespace, collecting printed text and displayed values."""

    def __init__(self, namespace=None, modules=None, **limits):
        self.out = []
        self.shown = []
        self.log = []
        self.namespace = {"fake": lambda v: FakeTensor(v, self.log),
                          "recorder": lambda name, suppress=False: Recorder(name, self.log,
                                                                            suppress),
                          **(namespace or {})}
        self.interpreter = Interpreter(self.namespace, modules or {}, write=self.out.append,
                                       display=self.shown.append, **limits)

    def run(self, source):
        self.interpreter.run(parse(source, "prog.gc"), source)
        return self

    @property
    def text(self):
        return "".join(self.out)


def run(source, **kwargs):
    return Program(**kwargs).run(source)


def error_of(source, **kwargs) -> ProgramError:
    program = Program(**kwargs)
    with pytest.raises(ProgramError) as info:
        program.run(source)
    return info.value


# -------------------------------------------------------------- display

def test_top_level_expressions_are_displayed_unless_none():
    program = run("1 + 1\nNone\nx = 3\nx\n'text'\nprint('hi')\n")
    assert program.shown == [2, 3, "text"]
    assert program.text == "hi\n"


def test_display_inside_top_level_blocks_but_never_in_function_bodies():
    program = run(
        "def f(x):\n"
        "    x * 100\n"
        "    'not shown'\n"
        "    return x\n"
        "for i in range(2):\n"
        "    i\n"
        "if True:\n"
        "    'if'\n"
        "else:\n"
        "    'else'\n"
        "with recorder('r'):\n"
        "    'with'\n"
        "f(7)\n"
        "[f(1) for _ in range(2)]\n")
    assert program.shown == [0, 1, "if", "with", 7, [1, 1]]


def test_default_display_writes_the_repr():
    out = []
    source = "'a'\n[1.5, None]\n"
    Interpreter({}, {}, write=out.append).run(parse(source), source)
    assert out == ["'a'\n", "[1.5, None]\n"]


def test_print_with_sep_end_and_str_of_arguments():
    program = run("print('step', 3, 'loss', 0.25)\nprint('a', 'b', sep='=')\n"
                  "print('x', end='')\nprint()\nprint(1, 2, sep=None, end=None)\n"
                  "print('no flush needed', flush=True)\n")
    assert program.text == "step 3 loss 0.25\na=b\nx\n1 2\nno flush needed\n"


def test_print_refuses_file():
    error = error_of("print('x', file=None)\nprint('x', file=1)\n")
    assert error.kind == "TypeError"
    assert error.message == "print() does not support file= in gradcli"
    assert error.span.line == 2


# ------------------------------------------------------- operators

def test_augmented_assignment_is_in_place_on_names_subscripts_and_attributes():
    program = run(
        "t = fake(1)\n"
        "alias = t\n"
        "t += 2\n"
        "items = [fake(10)]\n"
        "items[0] += 5\n"
        "n = 1\n"
        "n += 1\n"
        "t is alias, t.value, items[0].value, n\n")
    assert program.shown == [(True, 3, 15, 2)]
    assert program.log == [("iadd", 1, 2), ("iadd", 10, 5)]


def test_augmented_assignment_on_an_attribute_reads_then_writes_it_once():
    program = run("holder = fake(0)\nholder.value += 4\nholder.value\n")
    assert program.shown == [4]


def test_augmented_assignment_falls_back_to_the_binary_operator():
    program = run("t = fake(2)\nold = t\nt *= 3\nt.value, old.value, t is old\n")
    assert program.shown == [(6, 2, False)]
    assert program.log == [("mul", 2, 3)]


@pytest.mark.parametrize(("op", "expected"), [
    ("+=", 13), ("-=", 7), ("*=", 30), ("/=", 10 / 3), ("//=", 3), ("%=", 1), ("**=", 1000),
    ("&=", 2), ("|=", 11), ("^=", 9), ("<<=", 80), (">>=", 1),
])
def test_every_augmented_operator(op, expected):
    assert run(f"x = 10\nx {op} 3\nx\n").shown == [expected]


def test_binary_operators_dispatch_to_dunder_methods():
    program = run("a = fake(2)\nb = fake(5)\na + b, 1 + a, a @ b\n")
    assert program.shown[0][0].value == 7
    assert program.log == [("add", 2, 5), ("radd", 2, 1), ("matmul", 2, 5)]


def test_and_or_short_circuit_and_return_operands():
    program = run(
        "def f(x):\n    print('f', x)\n    return x\n"
        "f(0) and f(1)\nf(2) or f(3)\nf(0) or f('') or f([])\nnot f(0)\n")
    assert program.text == "f 0\nf 2\nf 0\nf \nf []\nf 0\n"
    assert program.shown == [0, 2, [], True]


def test_chained_comparison_evaluates_each_operand_once_and_stops_early():
    program = run(
        "def f(x):\n    print('f', x)\n    return x\n"
        "f(1) < f(2) < f(3)\nf(3) < f(2) < f(1)\n")
    assert program.text == "f 1\nf 2\nf 3\nf 3\nf 2\n"
    assert program.shown == [True, False]


def test_membership_identity_and_conditional_expression():
    assert run("2 in [1, 2], 'z' not in 'abc', None is None, [] is not [], "
               "'yes' if 0 else 'no'\n").shown == [(True, True, True, True, "no")]


def test_subscripts_get_real_slices_ellipsis_and_tuples():
    class Spy:
        def __getitem__(self, key):
            return key

    program = run("s[1:2, ::-1, ..., None, 0]\ns[:]\ns[3]\n", namespace={"s": Spy()})
    assert program.shown == [(slice(1, 2), slice(None, None, -1), Ellipsis, None, 0),
                             slice(None), 3]


def test_subscript_assignment_and_del():
    program = run("a = [1, 2, 3, 4]\na[0] = 9\na[1:3] = [7]\nd = {'k': 1}\n"
                  "d['j'] = 2\ndel d['k']\ndel a[-1]\na, d\n")
    assert program.shown == [([9, 7], {"j": 2})]


def test_attribute_assignment_and_del():
    program = run("t = fake(1)\nt.value = 5\nt.extra = 'x'\ndel t.extra\n"
                  "t.value, hasattr(t, 'extra')\n")
    assert program.shown == [(5, False)]


def test_del_name():
    assert error_of("x = 1\ndel x\nx\n").message == "name 'x' is not defined"


# ------------------------------------------------------- assignment

def test_assignment_chains_and_unpacking():
    program = run("a = b = [1]\na is b\nx, y = 1, 2\nx, y = y, x\nx, y\n"
                  "(p, q), [r, s] = (1, 2), 'ab'\np, q, r, s\nfirst, second = range(2)\n"
                  "first, second\n")
    assert program.shown == [True, (2, 1), (1, 2, "a", "b"), (0, 1)]


def test_unpacking_errors_say_what_python_says():
    error = error_of("a, b = [1, 2, 3]\n")
    assert (error.kind, error.message) == ("ValueError", "too many values to unpack (expected 2)")
    error = error_of("a, b, c = 1, 2\n")
    assert (error.kind, error.message) == ("ValueError",
                                           "not enough values to unpack (expected 3, got 2)")
    error = error_of("a, b = 5\n")
    assert (error.kind, error.message) == ("TypeError", "cannot unpack non-iterable int object")


def test_unpacking_a_huge_range_stops_early():
    error = error_of("a, b = range(10**12)\n")
    assert error.message == "too many values to unpack (expected 2)"


# --------------------------------------------------------- control flow

def test_if_elif_else():
    source = ("def grade(x):\n    if x > 5:\n        return 'high'\n    elif x > 1:\n"
              "        return 'mid'\n    else:\n        return 'low'\n"
              "grade(9), grade(3), grade(0)\n")
    assert run(source).shown == [("high", "mid", "low")]


def test_for_break_continue_and_else():
    program = run(
        "seen = []\n"
        "for i in range(10):\n"
        "    if i % 2:\n"
        "        continue\n"
        "    if i > 6:\n"
        "        break\n"
        "    seen.append(i)\n"
        "else:\n"
        "    seen.append('else')\n"
        "for j in []:\n"
        "    pass\n"
        "else:\n"
        "    seen.append('empty-else')\n"
        "seen\n")
    assert program.shown == [[0, 2, 4, 6, "empty-else"]]


def test_for_with_tuple_targets_over_enumerate_and_zip():
    program = run("for i, (a, b) in enumerate(zip('xy', [1, 2])):\n    print(i, a, b)\n")
    assert program.text == "0 x 1\n1 y 2\n"


def test_nested_loops_break_only_the_inner_one():
    program = run("for i in range(3):\n    for j in range(3):\n        if j == 1:\n"
                  "            break\n        print(i, j)\n")
    assert program.text == "0 0\n1 0\n2 0\n"


def test_return_from_inside_a_loop_and_a_with_block():
    program = run("def find(items):\n    for x in items:\n        with recorder('r'):\n"
                  "            if x > 1:\n                return x\n    return None\n"
                  "find([1, 5, 7])\n")
    assert program.shown == [5]
    assert program.log == ["enter r", "exit r None", "enter r", "exit r None"]


def test_assert_passes_or_raises_with_its_message():
    assert run("assert 1 == 1\nassert [0], 'never'\n").shown == []
    error = error_of("assert 1 > 2, 'one is ' + 'small'\n")
    assert (error.kind, error.message) == ("AssertionError", "one is small")
    error = error_of("x = 0\nassert x\n")
    assert (error.kind, error.message, error.span.line) == ("AssertionError", "", 2)


def test_name_main_guard_runs():
    assert run("if __name__ == '__main__':\n    print('main')\n").text == "main\n"


# ----------------------------------------------------------------- with

def test_with_enter_exit_order_nesting_and_as():
    program = run(
        "with recorder('a') as x, recorder('b') as y:\n"
        "    with recorder('c'):\n"
        "        print(x, y)\n")
    assert program.text == "A B\n"
    assert program.log == ["enter a", "enter b", "enter c", "exit c None", "exit b None",
                           "exit a None"]


def test_with_exit_runs_when_the_block_fails_and_the_error_propagates():
    program = Program()
    with pytest.raises(ProgramError) as info:
        program.run("with recorder('a'):\n    with recorder('b'):\n        1 / 0\n")
    assert info.value.kind == "ZeroDivisionError"
    assert info.value.span.line == 3
    assert program.log == ["enter a", "enter b", "exit b ProgramError", "exit a ProgramError"]


def test_with_exit_may_suppress_the_error():
    program = run("with recorder('s', suppress=True):\n    1 / 0\n    print('no')\n"
                  "print('after')\n")
    assert program.text == "after\n"


def test_with_on_a_non_context_manager():
    error = error_of("with 5:\n    pass\n")
    assert (error.kind, error.message) == (
        "TypeError", "'int' object does not support the context manager protocol")


# -------------------------------------------------------------- functions

def test_defaults_are_evaluated_once_at_def_time():
    program = run("n = 1\ndef f(x, acc=[], k=n):\n    acc.append(x)\n    return acc, k\n"
                  "n = 2\nf(1)\nf(2)\n")
    assert program.shown == [([1, 2], 1), ([1, 2], 1)]


def test_keyword_arguments_and_binding_errors():
    program = run("def f(a, b=2, c=3):\n    return a, b, c\nf(1)\nf(1, c=9)\nf(c=0, b=1, a=2)\n")
    assert program.shown == [(1, 2, 3), (1, 2, 9), (2, 1, 0)]
    cases = [
        ("f()", "f() missing 1 required positional argument: 'a'"),
        ("f(1, 2, 3, 4)", "f() takes from 1 to 3 positional arguments but 4 were given"),
        ("f(1, a=2)", "f() got multiple values for argument 'a'"),
        ("f(1, d=2)", "f() got an unexpected keyword argument 'd'"),
        ("g(1)", "g() takes 0 positional arguments but 1 was given"),
        ("h()", "h() missing 3 required positional arguments: 'x', 'y', and 'z'"),
        ("(lambda p, q: p)()", "<lambda>() missing 2 required positional arguments: 'p' and 'q'"),
    ]
    for call, message in cases:
        error = error_of("def f(a, b=2, c=3):\n    pass\ndef g():\n    pass\n"
                         f"def h(x, y, z):\n    pass\n{call}\n")
        assert (error.kind, error.message) == ("TypeError", message)
        assert error.span.line == 7


def test_closures_read_enclosing_scopes_late_and_locals_stay_local():
    program = run(
        "def outer():\n"
        "    count = 0\n"
        "    def read():\n"
        "        return count\n"
        "    count = 5\n"
        "    return read\n"
        "outer()()\n"
        "x = 'global'\n"
        "def shadow():\n"
        "    x = 'local'\n"
        "    return x\n"
        "shadow(), x\n"
        "def reads_global():\n"
        "    return x\n"
        "x = 'changed'\n"
        "reads_global()\n")
    assert program.shown == [5, ("local", "global"), "changed"]


def test_lambdas_capture_their_scope():
    program = run("def make(k):\n    return lambda v: v * k\ndouble = make(2)\n"
                  "double(21)\nadders = [lambda x, i=i: x + i for i in range(3)]\n"
                  "[add(10) for add in adders]\nlate = [lambda: i for i in range(3)]\n"
                  "[f() for f in late]\n")
    assert program.shown == [42, [10, 11, 12], [2, 2, 2]]


def test_recursion():
    program = run("def fact(n):\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\n"
                  "fact(20)\n")
    assert program.shown == [math.factorial(20)]


def test_unbound_local_error():
    error = error_of("x = 1\ndef f():\n    y = x\n    x = 2\nf()\n")
    assert error.kind == "UnboundLocalError"
    assert error.message == "cannot access local variable 'x' where it is not associated " \
                            "with a value"
    assert (error.span.line, error.span.column) == (3, 9)


def test_user_functions_are_real_callables_for_host_code():
    hooks = Hooks()
    program = run("def double(v):\n    return v * 2\nhooks.register(double)\n"
                  "hooks.register(lambda v: v + 1)\nhooks.fire(5)\n"
                  "sorted([3, 1, 2], key=lambda v: -v)\nlist(map(double, [1, 2]))\n",
                  namespace={"hooks": hooks})
    assert program.shown == [[10, 6], [3, 2, 1], [2, 4]]
    assert isinstance(hooks.hooks[0], UserFunction)
    assert hooks.hooks[0](4) == 8
    assert repr(hooks.hooks[1]) == "<function <lambda>>"


def test_a_function_called_later_from_another_run_keeps_its_own_source_for_errors():
    program = Program(namespace={"hooks": Hooks()})
    program.run("def bad(v):\n    return v / 0\nhooks.register(bad)\n")
    with pytest.raises(ProgramError) as info:
        program.run("print('second input')\nhooks.fire(1)\n")
    error = info.value
    assert error.kind == "ZeroDivisionError"
    assert (error.span.line, error.span.column) == (2, 12)
    assert error.source == "def bad(v):\n    return v / 0\nhooks.register(bad)\n"


# --------------------------------------------------------- comprehensions

def test_comprehensions():
    program = run(
        "[i * i for i in range(5)]\n"
        "[(i, j) for i in range(3) if i for j in range(i) if j >= 0]\n"
        "{k: v for k, v in zip('ab', [1, 2])}\n"
        "sum(x for x in range(5))\n"
        "tuple(c for c in 'hi')\n"
        "[[j for j in range(i)] for i in range(3)]\n"
        "any(x > 3 for x in [1, 5])\n")
    assert program.shown == [[0, 1, 4, 9, 16], [(1, 0), (2, 0), (2, 1)], {"a": 1, "b": 2}, 10,
                             ("h", "i"), [[], [0], [0, 1]], True]


def test_comprehension_variables_do_not_leak_and_see_enclosing_names():
    program = run("i = 'outer'\nk = 10\n[i + k for i in range(2)]\ni\n"
                  "def f(n):\n    return [n * m for m in range(3)]\nf(2)\n")
    assert program.shown == [[10, 11], "outer", [0, 2, 4]]


def test_dict_and_list_displays():
    assert run("{'a': [1, (2,)], 3: {}}\n").shown == [{"a": [1, (2,)], 3: {}}]


# ----------------------------------------------------------------- f-strings

def test_fstrings_use_format_repr_and_str():
    program = run(
        "x = 3.14159\nname = 'w'\nt = fake(0.5)\nn = 3\n"
        "f'{x:.2f}|{name!r}|{name!s}|{42:5d}|{t:.3f}|{x:.{n}f}|{{lit}}|{x=:.1f}|{name=}'\n"
        "f'''multi\n{name}'''\n")
    assert program.shown == ["3.14|'w'|w|   42|0.500|3.142|{lit}|x=3.1|name='w'",
                             "multi\nw"]


def test_fstring_format_errors_point_at_the_field():
    error = error_of("x = 'text'\nf'{x:d}'\n")
    assert error.kind == "ValueError"
    assert (error.span.line, error.span.column, error.span.end_column) == (2, 3, 8)


# ------------------------------------------------------------------ scope

def test_namespace_wins_over_builtins_and_programs_can_shadow_builtins():
    program = run("max(1, 2)\nsum([1, 2])\nsum = 5\nsum\n", namespace={"max": lambda a, b: "host"})
    assert program.shown == ["host", 3, 5]
    assert program.namespace["sum"] == 5


def test_python_builtins_on_values():
    program = run(
        "len([1, 2]), abs(-2), round(2.567, 2), float('1.5'), int(3.9), bool(0)\n"
        "str(1), repr('a'), list('ab'), tuple([1]), dict(a=1), list(range(2, 8, 3))\n"
        "type(1), isinstance(1, int), isinstance(x, (int, float)), callable(len)\n"
        "sorted([3, 1, 2]), list(reversed([1, 2])), list(enumerate('ab'))\n"
        "list(zip([1], [2])), any([0, 1]), all([1, 0]), list(filter(None, [0, 1]))\n"
        "divmod(7, 2), pow(2, 10), chr(65), ord('A'), hex(255), format(0.5, '.0%')\n"
        "min([4, 2]), max(4, 9), hasattr('', 'upper'), sum([0.5, 0.25], 1)\n",
        namespace={"x": 2.0})
    assert program.shown == [
        (2, 2, 2.57, 1.5, 3, False),
        ("1", "'a'", ["a", "b"], (1,), {"a": 1}, [2, 5]),
        (int, True, True, True),
        ([1, 2, 3], [2, 1], [(0, "a"), (1, "b")]),
        ([(1, 2)], True, False, [1]),
        ((3, 1), 1024, "A", 65, "0xff", "50%"),
        (2, 9, True, 1.75)]


def test_sum_iterates_and_adds_like_python():
    program = run("sum([fake(1), fake(2)])\n")
    assert program.shown[0].value == 3
    assert program.log == [("radd", 1, 0), ("add", 1, 2)]


def test_repl_runs_share_the_namespace():
    program = Program()
    program.run("x = 40\ndef inc(v):\n    return v + 1\n")
    program.run("inc(x) + 1\n")
    assert program.shown == [42]


# ----------------------------------------------------------------- imports

def test_imports_bind_modules_from_the_modules_table():
    torch = type("M", (), {})()
    torch.ones = lambda n: [1] * n
    nn = type("M", (), {})()
    nn.Linear = "Linear"
    functional = type("M", (), {})()
    functional.relu = "relu"
    nn.functional = functional
    torch.nn = nn
    modules = {"torch": torch, "torch.nn": nn, "torch.nn.functional": functional,
               "math": math}
    program = run(
        "import torch\nimport torch as T\nimport torch.nn.functional as F\nimport math\n"
        "from torch import nn, ones\nfrom torch.nn import functional as fn, Linear\n"
        "from math import pi\n"
        "torch is T, F.relu, nn.Linear, ones(2), fn is F, Linear, round(pi, 2), math.sqrt(4)\n",
        modules=modules)
    assert program.shown == [(True, "relu", "Linear", [1, 1], True, "Linear", 3.14, 2.0)]


def test_import_of_a_dotted_name_binds_its_root():
    root = type("M", (), {})()
    sub = type("M", (), {})()
    program = run("import torch.nn\ntorch\n", modules={"torch": root, "torch.nn": sub})
    assert program.shown == [root]


@pytest.mark.parametrize(("source", "kind", "message"), [
    ("import os", "ModuleNotFoundError", "No module named 'os'"),
    ("import torch.vision", "ModuleNotFoundError", "No module named 'torch.vision'"),
    ("from subprocess import run", "ModuleNotFoundError", "No module named 'subprocess'"),
    ("from torch import missing", "ImportError", "cannot import name 'missing' from 'torch'"),
])
def test_import_errors(source, kind, message):
    error = error_of(source + "\n", modules={"torch": type("M", (), {})()})
    assert (error.kind, error.message) == (kind, message)


def test_future_imports_are_accepted_and_bind_nothing():
    program = run("from __future__ import print_function\n"
                  "from __future__ import division, annotations, generator_stop\n"
                  "7 / 2\n")
    assert program.shown == [3.5]
    assert error_of("from __future__ import print_function\nprint_function\n").kind == (
        "NameError")


@pytest.mark.parametrize("feature", ["braces", "no_such_feature"])
def test_unknown_future_features_are_syntax_errors(feature):
    error = error_of(f"from __future__ import {feature}\n")
    assert error.kind == "SyntaxError"
    assert error.span.line == 1


# ------------------------------------------------------------------ limits

def test_step_limit_stops_a_huge_loop_quickly():
    error = error_of("total = 0\nfor i in range(10**12):\n    total += i\n", max_steps=500)
    assert error.kind == "RuntimeError"
    assert error.message == ("program exceeded the step limit of 500 steps "
                             "(raise it with --max-steps)")
    assert error.span.line in (2, 3)


def test_step_limit_counts_statements_and_iterations():
    assert run("for i in range(3):\n    pass\n", max_steps=7).shown == []
    error = error_of("for i in range(3):\n    pass\n", max_steps=6)
    assert error.kind == "RuntimeError"


def test_step_limit_also_stops_comprehensions():
    error = error_of("x = [i for i in range(10**12)]\n", max_steps=1000)
    assert error.kind == "RuntimeError"


def test_recursion_limit():
    error = error_of("def f(n):\n    return f(n + 1)\nf(0)\n", max_depth=50)
    assert error.kind == "RecursionError"
    assert error.message == "maximum recursion depth exceeded (more than 50 nested calls)"
    assert (error.span.line, error.span.column) == (2, 12)


def test_default_recursion_depth_is_reachable_without_python_recursion_errors():
    program = run("def depth(n):\n    if n == 0:\n        return 0\n"
                  "    return 1 + depth(n - 1)\ndepth(199)\n")
    assert program.shown == [199]
    error = error_of("def depth(n):\n    return 1 + depth(n - 1)\ndepth(0)\n")
    assert error.kind == "RecursionError"


def test_run_source_convenience():
    out = []
    run_source("print(6 * 7)", "<string>", {}, {}, out.append, max_steps=10)
    assert out == ["42\n"]


def test_user_functions_look_like_python_functions():
    program = run("def f():\n    pass\ntype(f)\nrepr(f), repr(lambda: 0)\ncallable(f)\n")
    assert repr(program.shown[0]) == "<class 'function'>"
    assert program.shown[1:] == [("<function f>", "<function <lambda>>"), True]


def test_del_of_tuples_and_of_an_unbound_local():
    assert run("a = 1\nb = [1, 2]\ndel (a, b[0])\nb\n").shown == [[2]]
    error = error_of("x = 1\ndef f():\n    del x\nf()\n")
    assert (error.kind, error.span.line) == ("UnboundLocalError", 3)
    error = error_of("del print\n")
    assert (error.kind, error.message) == ("NameError", "name 'print' is not defined")


def test_errors_in_comprehension_conditions_and_dict_keys_point_at_them():
    error = error_of("[x for x in [1, 'a'] if x > 0]\n")
    assert (error.kind, error.span.column, error.span.end_column) == ("TypeError", 25, 30)
    error = error_of("{[1]: 2}\n")
    assert (error.kind, error.message, error.span.column) == (
        "TypeError", "unhashable type: 'list'", 2)


def test_an_error_in_exit_is_reported_at_the_context_expression():
    class BadExit:
        def __enter__(self):
            return self

        def __exit__(self, *args):
            raise RuntimeError("exit failed")

    error = error_of("with bad:\n    pass\n", namespace={"bad": BadExit()})
    assert (error.kind, error.message, error.span.line, error.span.column) == (
        "RuntimeError", "exit failed", 1, 6)


def test_a_return_value_survives_an_exit_that_runs_user_code():
    hooks = Hooks()

    class CallsHooks:
        def __enter__(self):
            return self

        def __exit__(self, *args):
            hooks.fire(0)

    program = run("def hook(v):\n    return 'from hook'\nhooks.register(hook)\n"
                  "def f():\n    with manager:\n        return 'from f'\nf()\n",
                  namespace={"hooks": hooks, "manager": CallsHooks()})
    assert program.shown == ["from f"]


# ------------------------------------------------------------- generators

def _printed(source):
    out = []
    Interpreter({}, {}, write=out.append).run(parse(source), source)
    return "".join(out)


def test_generators_run_lazily_in_step_with_their_consumer():
    source = ("def gen(n):\n    print('start')\n    try:\n        for i in range(n):\n"
              "            print('yield', i)\n            got = yield i\n"
              "            if got:\n                print('got', got)\n"
              "    finally:\n        print('cleanup')\n"
              "g = gen(2)\nprint('created')\nfor v in g:\n    print('use', v)\n"
              "h = gen(5)\nprint(next(h), h.send('hi'))\nh.close()\n"
              "def forever():\n    k = 0\n    while True:\n        yield k\n        k += 1\n"
              "for k in forever():\n    if k == 3:\n        break\nprint(k)\n")
    assert _printed(source) == (
        "created\nstart\nyield 0\nuse 0\nyield 1\nuse 1\ncleanup\n"
        "start\nyield 0\ngot hi\nyield 1\n0 1\ncleanup\n3\n")


def test_errors_inside_a_generator_reach_the_consumer_with_their_location():
    source = "def bad():\n    yield 1\n    raise ValueError('inside')\nfor x in bad():\n    pass\n"
    with pytest.raises(ProgramError) as info:
        _printed(source)
    assert (info.value.kind, info.value.message, info.value.span.line) == \
        ("ValueError", "inside", 3)


def test_a_dropped_generator_is_closed_and_yield_from_delegates():
    source = ("def gen():\n    try:\n        yield 1\n        yield 2\n    finally:\n"
              "        print('closed')\n"
              "g = gen()\nnext(g)\ndel g\nprint('after')\n"
              "def outer():\n    yield from gen()\n    yield 3\nprint(list(outer()))\n"
              "def rec(n):\n    if n:\n        yield n\n        yield from rec(n - 1)\n"
              "print(sum(rec(50)))\n")
    assert _printed(source) == "1\nclosed\nafter\nclosed\n[1, 2, 3]\n1275\n"


def test_parameter_kinds_bind_as_in_python():
    source = ("def f(a, b=2, /, c=3, *args, d, e=5, **kw):\n    return a, b, c, args, d, e, kw\n"
              "print(f(1, d=4))\nprint(f(1, 2, 3, 4, 5, d=6, b=7))\n"
              "def g(x, /):\n    return x\n"
              "try:\n    g(x=1)\nexcept TypeError as e:\n    print(e)\n"
              "try:\n    f(1)\nexcept TypeError as e:\n    print(e)\n"
              "h = lambda *a, k=1, **kw: (a, k, kw)\nprint(h(1, 2, k=3, z=4))\n"
              "print(f(*[1, 2], **{'d': 0}))\n")
    assert _printed(source) == (
        "(1, 2, 3, (), 4, 5, {})\n(1, 2, 3, (4, 5), 6, 5, {'b': 7})\n"
        "g() got some positional-only arguments passed as keyword arguments: 'x'\n"
        "f() missing 1 required keyword-only argument: 'd'\n"
        "((1, 2), 3, {'z': 4})\n(1, 2, 3, (), 0, 5, {})\n")


def test_defaults_are_evaluated_once_and_global_nonlocal_rebind():
    source = ("def add(x, bucket=[]):\n    bucket.append(x)\n    return bucket\n"
              "b = add(1)\nprint(add(2))\n"
              "n = 0\ndef bump():\n    global n\n    n += 1\nbump()\nbump()\nprint(n)\n"
              "def outer():\n    k = 0\n    def inc():\n        nonlocal k\n        k += 10\n"
              "    inc()\n    inc()\n    return k\nprint(outer())\n")
    assert _printed(source) == "[1, 2]\n2\n20\n"
