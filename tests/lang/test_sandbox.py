"""A program can never reach Python itself."""

import types

import pytest

from gradcli.errors import ProgramError
from gradcli.lang.interpreter import Interpreter
from gradcli.lang.parser import parse


class Box:
    def __init__(self):
        self.visible = 1
        self._hidden = 2


def run(source, namespace=None, modules=None):
    shown = []
    Interpreter(dict(namespace or {}), modules or {}, write=lambda text: None,
                display=shown.append).run(parse(source), source)
    return shown


def refused(source, namespace=None, modules=None) -> ProgramError:
    with pytest.raises(ProgramError) as info:
        run(source, namespace, modules)
    return info.value


@pytest.mark.parametrize("source", [
    "x.__class__", "(1).__class__", "''.__class__.__mro__", "len.__self__",
    "f.__globals__", "(lambda: 0).__code__", "box._hidden", "print.__module__",
    "x.__dict__", "type(x).__subclasses__()", "box.__init__",
])
def test_private_attributes_are_refused_on_get(source):
    def f():
        return 0

    error = refused(source, {"x": 1, "box": Box(), "f": f})
    assert error.kind == "AttributeError"
    assert "not accessible in gradcli" in error.message
    assert error.message.startswith("attribute '_")


def test_private_attributes_are_refused_on_set_del_and_augmented_assignment():
    for source in ["box._hidden = 5", "box.__class__ = int", "del box._hidden",
                   "box._hidden += 1"]:
        box = Box()
        error = refused(source, {"box": box})
        assert error.kind == "AttributeError"
        assert box._hidden == 2
        assert box.__class__ is Box


def test_public_attributes_work():
    box = Box()
    assert run("box.visible\nbox.visible = 3\nbox.visible\n", {"box": box}) == [1, 3]


@pytest.mark.parametrize("source", [
    "str.format('{0.__class__}', 1)", "'{a}'.format_map({'a': 1})", "type('').format",
])
def test_unbound_str_format_and_format_map_are_refused(source):
    error = refused(source, {"s": "{0}"})
    assert error.kind == "AttributeError"
    assert error.message in ("str.format is not available in gradcli; use an f-string",
                             "str.format_map is not available in gradcli; use an f-string")


@pytest.mark.parametrize("source", [
    "'{0.__class__}'.format(1)", "'{x[0]}'.format(x=[1])", "'{:{w.real}}'.format(1, w=3)",
    "s.format(1)",
])
def test_format_fields_reading_attributes_or_items_are_refused(source):
    error = refused(source, {"s": "{0.real}"})
    assert error.kind == "ValueError"
    assert "reads an attribute or item" in error.message


def test_plain_str_format_works():
    assert run("'{} + {x:.1f}'.format(1, x=2)\n'{0}{0}'.format('ab')\n") == ["1 + 2.0", "abab"]


def test_format_builtin_and_fstrings_stay_available():
    assert run("format(3.14159, '.2f')\nf'{3:>3}'\n'%s-%d' % ('a', 1)\n") == \
        ["3.14", "  3", "a-1"]


@pytest.mark.parametrize("name", [
    "eval", "exec", "open", "compile", "globals", "locals", "vars", "getattr", "setattr",
    "delattr", "__import__", "input", "breakpoint", "help", "dir", "__builtins__",
    "memoryview",
])
def test_dangerous_builtins_are_not_defined(name):
    error = refused(f"{name}\n")
    assert (error.kind, error.message) == ("NameError", f"name '{name}' is not defined")


def test_type_takes_one_argument_only():
    assert run("type(1) is int\n") == [True]
    error = refused("type('X', (), {})\n")
    assert error.kind == "TypeError"
    assert error.message == "type() takes 1 argument in gradcli (creating classes is not " \
                            "supported)"


def test_hasattr_refuses_private_names():
    assert run("hasattr(box, 'visible')\n", {"box": Box()}) == [True]
    error = refused("hasattr(box, '_hidden')\n", {"box": Box()})
    assert error.kind == "AttributeError"


def test_unknown_modules_are_not_importable():
    for source, name in [("import os", "os"), ("import sys", "sys"),
                         ("from builtins import open", "builtins"),
                         ("import importlib", "importlib")]:
        error = refused(source + "\n")
        assert (error.kind, error.message) == ("ModuleNotFoundError", f"No module named '{name}'")


def test_private_names_cannot_be_imported_from_a_module():
    module = types.SimpleNamespace(_secret=1, public=2)
    assert run("from m import public\npublic\n", modules={"m": module}) == [2]
    error = refused("from m import _secret\n", modules={"m": module})
    assert error.kind == "ImportError"


def test_modules_the_host_did_not_hand_over_are_refused():
    import os
    leaky = types.ModuleType("leaky")
    leaky.os = os
    leaky.value = 3
    assert run("import leaky\nleaky.value\n", modules={"leaky": leaky}) == [3]
    error = refused("import leaky\nleaky.os\n", modules={"leaky": leaky})
    assert (error.kind, error.message) == ("AttributeError",
                                           "module 'os' is not accessible in gradcli")
    error = refused("from leaky import os\n", modules={"leaky": leaky})
    assert error.kind == "AttributeError"


def test_frames_of_generators_are_refused():
    def numbers():
        yield 1

    for attribute in ("gi_frame", "gi_code"):
        error = refused(f"g.{attribute}\n", {"g": numbers()})
        assert (error.kind, error.message) == (
            "AttributeError", f"attribute '{attribute}' is not accessible in gradcli")


def test_file_methods_of_arrays_are_refused():
    class FakeArray:
        def tofile(self, path):
            raise AssertionError("must not be reached")

    error = refused("a.tofile('/tmp/x')\n", {"a": FakeArray()})
    assert (error.kind, error.message) == ("AttributeError",
                                           "'tofile' is not available in gradcli (no file access)")


def test_generator_expressions_are_not_python_generators():
    (value,) = run("(x for x in [1, 2])\n")
    assert not isinstance(value, types.GeneratorType)
    assert list(value) == [1, 2]


# ------------------------------------------------------------- full level
# Every construct of the full level (classes, super(), decorators,
# generators, exceptions, *args) tried as a way out; each ends in a clean
# gradcli error.

CLASS = "class A:\n    k = 1\n    def m(self):\n        return 1\n"


@pytest.mark.parametrize("source", [
    CLASS + "A.__dict__", CLASS + "A.__mro__", CLASS + "A.__bases__",
    CLASS + "A.__subclasses__()", CLASS + "A.__class__", CLASS + "A().__dict__",
    CLASS + "A().__class__.__class__", CLASS + "A().__class__.__bases__",
    CLASS + "A.m.__globals__", CLASS + "A().m.__func__", CLASS + "A().m.__self__",
    CLASS + "A.__getattribute__", CLASS + "A.__init_subclass__", CLASS + "A._gradcli_user_class",
    CLASS + "class B(A):\n    def m(self):\n        return super().__thisclass__\nB().m()",
    CLASS + "class B(A):\n    def m(self):\n        return super().__self__\nB().m()",
    CLASS + "class B(A):\n    def m(self):\n        return super().__getattribute__\nB().m()",
    "object.__subclasses__()", "object.__getattribute__", "object.__init__",
    "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    e.__traceback__",
    "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    e.__context__",
    "try:\n    raise ValueError('x') from KeyError('y')\nexcept ValueError as e:\n    e.__cause__",
    "def g():\n    yield 1\ng().__next__.__self__",
    "p = property(lambda self: 1)\np.__get__",
    "s = staticmethod(lambda: 1)\ns.__func__",
    "def deco(f):\n    return f.__wrapped__\n@deco\ndef h():\n    pass",
    "def f(*args, **kwargs):\n    return kwargs.__class__\nf(a=1)",
])
def test_full_level_private_attributes_are_refused(source):
    error = refused(source, {"object": object, "property": property,
                             "staticmethod": staticmethod})
    assert error.kind == "AttributeError"
    assert "not accessible in gradcli" in error.message


@pytest.mark.parametrize("name", [
    "__getattribute__", "__setattr__", "__delattr__", "__del__", "__new__",
    "__init_subclass__", "__class_getitem__", "__set_name__", "__reduce__", "__slots__",
    "__dict__", "__class__", "__get__", "__set__", "__torch_function__", "_cache",
])
def test_a_class_cannot_define_hooks_into_python(name):
    error = refused(f"class A:\n    {name} = lambda *a: 0\n")
    assert error.kind == "AttributeError"
    assert f"'{name}'" in error.message


@pytest.mark.parametrize("source", [
    "class M(type):\n    pass\n", "class T(type(1)):\n    pass\n",
    "class F(print.__class__):\n    pass\n", "class G(len):\n    pass\n",
])
def test_only_safe_bases_can_be_subclassed(source):
    error = refused(source)
    assert error.kind in ("TypeError", "AttributeError")


def test_type_of_a_class_cannot_make_classes():
    source = CLASS + "T = type(A)\nT\nT('X', (), {'__del__': print})\n"
    with pytest.raises(ProgramError) as info:
        run(source)
    assert info.value.kind == "TypeError"
    assert "class statement" in info.value.message
    assert run(CLASS + "repr(type(A)), type(A) == type(int)\n") == [("<class 'type'>", True)]


def test_the_class_of_an_instance_of_a_program_class_is_readable():
    assert run(CLASS + "A().__class__ is A, A().__class__.__name__\n") == [(True, "A")]
    error = refused("(1).__class__\n")
    assert error.kind == "AttributeError"


def test_mro_is_refused_on_classes():
    error = refused(CLASS + "A.mro()[-1]\n")
    assert (error.kind, "mro()" in error.message) == ("AttributeError", True)


def test_protocol_methods_are_callable_as_python_calls_them():
    source = ("class V:\n    def __init__(self, n):\n        self.n = n\n"
              "    def __len__(self):\n        return self.n\n"
              "    def __getitem__(self, i):\n        return i * 10\n"
              "    def __repr__(self):\n        return f'V({self.n})'\n"
              "class W(V):\n    def __init__(self):\n        super().__init__(2)\n"
              "        V.__init__(self, 3)\n"
              "w = W()\nlen(w), w[4], repr(w), w.__len__()\n")
    assert run(source) == [(3, 40, "V(3)", 3)]


def test_caught_host_errors_are_fresh_exception_objects():
    class Internal:
        def boom(self):
            raise AttributeError("deep inside", name="secret", obj=self)

    source = ("try:\n    thing.boom()\nexcept AttributeError as e:\n    caught = e\n"
              "caught.obj, caught.name, str(caught)\n")
    assert run(source, {"thing": Internal()}) == [(None, None, "deep inside")]


def test_exit_of_a_program_class_sees_no_traceback():
    source = ("class C:\n    def __enter__(self):\n        return self\n"
              "    def __exit__(self, kind, value, tb):\n        self.seen = (kind, str(value), tb)\n"
              "        return True\n"
              "c = C()\nwith c:\n    1 / 0\nc.seen\n")
    assert run(source) == [(ZeroDivisionError, "division by zero", None)]


def test_the_step_limit_cannot_be_caught():
    source = ("n = 0\nwhile True:\n    try:\n        n += 1\n    except BaseException:\n"
              "        pass\n    except:\n        pass\n")
    with pytest.raises(ProgramError) as info:
        Interpreter({}, {}, write=lambda text: None, max_steps=500).run(parse(source), source)
    assert "step limit" in info.value.message


def test_the_step_limit_cannot_be_suppressed_by_exit():
    source = ("class C:\n    def __enter__(self):\n        return self\n"
              "    def __exit__(self, *a):\n        return True\n"
              "while True:\n    with C():\n        while True:\n            pass\n")
    with pytest.raises(ProgramError) as info:
        Interpreter({}, {}, write=lambda text: None, max_steps=500).run(parse(source), source)
    assert "step limit" in info.value.message


def test_an_infinite_generator_stops_at_the_step_limit():
    source = "def g():\n    while True:\n        yield 1\nlist(g())\n"
    with pytest.raises(ProgramError) as info:
        Interpreter({}, {}, write=lambda text: None, max_steps=500).run(parse(source), source)
    assert "step limit" in info.value.message


def test_host_generators_keep_their_frames_hidden():
    def host():
        yield 1

    for attr in ("gi_frame", "gi_code", "gi_yieldfrom"):
        error = refused(f"g.{attr}\n", {"g": host()})
        assert error.kind == "AttributeError"


def test_global_and_nonlocal_reach_only_program_scopes():
    source = ("def f():\n    global print\n    print = 5\nf()\nprint\n")
    assert run(source) == [5]
    error = refused("def f():\n    def g():\n        nonlocal print\n        print = 1\n"
                    "    g()\nf()\n")
    assert error.kind == "SyntaxError"


def test_star_arguments_do_not_reach_private_names():
    error = refused("def f(**kw):\n    return kw\nf(**{'_x': 1})._x\n")
    assert error.kind == "AttributeError"
