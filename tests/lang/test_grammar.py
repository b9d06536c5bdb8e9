"""The grammar and the tree it builds: every construct, precedence, literals, layout, spans."""

import pytest

from gradcli.errors import Span
from gradcli.lang import ast
from gradcli.lang.interpreter import Interpreter
from gradcli.lang.parser import parse


def dump_body(source: str) -> list[str]:
    return [ast.dump(stmt) for stmt in parse(source).body]


def dump_expr(source: str) -> str:
    (stmt,) = parse(source).body
    assert isinstance(stmt, ast.Expr)
    return ast.dump(stmt.value)


def evaluate(source: str) -> object:
    """The value of one expression, through parser and interpreter."""
    shown = []
    Interpreter({}, {}, write=lambda text: None, display=shown.append).run(
        parse(source), source)
    assert len(shown) == 1
    return shown[0]


# ---------------------------------------------------------------- precedence

PRECEDENCE_CASES = [
    "-2**2", "2**-1", "2**3**2", "-2**-2", "(-2)**2", "~5 + 1", "-~5", "+-3",
    "1 + 2 * 3", "(1 + 2) * 3", "10 - 4 - 3", "2 * 3 % 4", "7 // 2 * 3", "100 / 10 / 5",
    "1 + 2 << 3", "1 << 2 + 3", "5 & 3 | 8", "5 | 3 & 1", "6 ^ 3 & 5", "6 & 3 ^ 5",
    "1 | 2 ^ 3 & 4 << 1 + 2 * 3 ** 2", "256 >> 2 >> 1", "-3 % 5", "-7 // 2",
    "1 < 2 < 3", "3 > 2 > 2", "1 < 3 > 2 == 2", "1 == 1.0 != 2", "2 <= 2 >= 1",
    "not 1 == 2", "not 0 and 1", "0 or 2 and 3", "1 and 0 or 5", "not 1 or not 0",
    "1 if 0 else 2 if 0 else 3", "(1 if 1 else 2) + 1", "1 + 2 if 0 else 4",
    "3 in [1, 2, 3]", "4 not in (1, 2)", "None is None", "None is not None",
    "not 3 in [3]", "2 * -3", "2 ** 0.5 * 2", "- 1 ** 2 ** 0", "1_000 + 0x1F + 0o17 + 0b101",
    "1e3 + .5 + 1. + 2.5e-1", "10 % 3 ** 2", "(2 ** 2) ** 3", "2 ** (2 ** 3)",
    "3 - -3", "1 + +1", "~0 & 0xFF", "[1, 2][1] ** 2", "-[4, 5][0]",
    "1 < 2 and 2 < 3 or 0", "[] or [0]", "'a' < 'b' < 'c'", "'ab' * 2 + 'c'",
]


@pytest.mark.parametrize("expression", PRECEDENCE_CASES)
def test_precedence_matches_python(expression):
    assert evaluate(expression) == eval(expression)


def test_power_binds_tighter_than_unary_minus_on_its_left():
    assert dump_expr("-2**2") == "UnaryOp('-', BinOp(Constant(2), '**', Constant(2)))"
    assert dump_expr("2**-1") == "BinOp(Constant(2), '**', UnaryOp('-', Constant(1)))"
    assert dump_expr("2**3**2") == \
        "BinOp(Constant(2), '**', BinOp(Constant(3), '**', Constant(2)))"


def test_binary_operators_are_left_associative():
    assert dump_expr("a - b - c") == "BinOp(BinOp(Name('a'), '-', Name('b')), '-', Name('c'))"
    assert dump_expr("a @ b * c") == "BinOp(BinOp(Name('a'), '@', Name('b')), '*', Name('c'))"


def test_comparisons_chain_into_one_node():
    assert dump_expr("a < b <= c not in d is not e") == (
        "Compare(Name('a'), ['<', '<=', 'not in', 'is not'], "
        "[Name('b'), Name('c'), Name('d'), Name('e')])")


def test_boolean_operators_flatten_and_nest_by_precedence():
    assert dump_expr("a or b or not c and d") == (
        "BoolOp('or', [Name('a'), Name('b'), "
        "BoolOp('and', [UnaryOp('not', Name('c')), Name('d')])])")


# ------------------------------------------------------------------ literals

@pytest.mark.parametrize(("text", "value"), [
    ("0", 0), ("00", 0), ("1_000", 1000), ("0x1f", 31), ("0XFF", 255), ("0o17", 15),
    ("0b101", 5), ("1.", 1.0), (".5", 0.5), ("1e-3", 0.001), ("1E3", 1000.0),
    ("1_0.2_5", 10.25), ("3j", 3j), ("1.5j", 1.5j), ("True", True), ("False", False),
    ("None", None), ("...", ...),
])
def test_number_and_keyword_literals(text, value):
    (stmt,) = parse(text).body
    assert isinstance(stmt.value, ast.Constant)
    assert stmt.value.value == value
    assert type(stmt.value.value) is type(value)


@pytest.mark.parametrize(("text", "value"), [
    ("'single'", "single"), ('"double"', "double"), ("'''tri\nple'''", "tri\nple"),
    ('"""a "quoted" word"""', 'a "quoted" word'), ("'it\\'s'", "it's"),
    ("'tab\\tnew\\nline'", "tab\tnew\nline"), ("'\\x41\\u00e9\\U0001F600\\101'", "Aé😀A"),
    ("'\\N{GREEK SMALL LETTER ALPHA}'", "α"), ("'back\\\\slash'", "back\\slash"),
    ("r'raw\\n\\d'", "raw\\n\\d"), ("R'\\t'", "\\t"), ("'keep \\d'", "keep \\d"),
    ("'adjacent' \"strings\" '''join'''", "adjacentstringsjoin"), ("u'unicode'", "unicode"),
    ("'héllo wörld ✓'", "héllo wörld ✓"), ("'line\\\ncontinued'", "linecontinued"),
    ("''", ""),
])
def test_string_literals(text, value):
    (stmt,) = parse(text).body
    assert stmt.value == ast.Constant(value, stmt.value.span)


def test_fstring_parts():
    assert dump_expr("f'a{x}b{y!r}c{z:>{w}}'") == (
        "JoinedStr([Constant('a'), FormattedValue(Name('x'), None, None), Constant('b'), "
        "FormattedValue(Name('y'), 'r', None), Constant('c'), FormattedValue(Name('z'), None, "
        "JoinedStr([Constant('>'), FormattedValue(Name('w'), None, None)]))])")


def test_fstring_debug_equals_and_braces():
    assert dump_expr("f'{{{x = }}}'") == (
        "JoinedStr([Constant('{x = '), FormattedValue(Name('x'), 'r', None), Constant('}')])")


def test_fstring_expression_may_hold_strings_brackets_and_comparisons():
    assert dump_expr("f\"{d['k']:.2f} {a != b} {f(1, [2])}\"") == (
        "JoinedStr([FormattedValue(Subscript(Name('d'), Constant('k')), None, "
        "JoinedStr([Constant('.2f')])), Constant(' '), FormattedValue(Compare(Name('a'), "
        "['!='], [Name('b')]), None, None), Constant(' '), FormattedValue(Call(Name('f'), "
        "[Constant(1), List([Constant(2)])], []), None, None)])")


def test_fstring_concatenates_with_plain_strings():
    assert dump_expr("'a' f'{x}' 'b'") == \
        "JoinedStr([Constant('a'), FormattedValue(Name('x'), None, None), Constant('b')])"


def test_fstring_field_spans_point_into_the_source():
    (stmt,) = parse("y = f'ab{x + 1}'").body
    field = stmt.value.values[1]
    assert field.value.span == Span("<string>", 1, 10, 1, 15)
    assert field.value.left.span == Span("<string>", 1, 10, 1, 11)


def test_fstring_on_a_later_line_of_a_triple_quoted_string():
    (stmt,) = parse('s = f"""first\n  {value}"""').body
    assert stmt.value.values[1].value.span == Span("<string>", 2, 4, 2, 9)


# ----------------------------------------------------------- expressions

@pytest.mark.parametrize(("source", "expected"), [
    ("f(a, b=1)", "Call(Name('f'), [Name('a')], [Keyword('b', Constant(1))])"),
    ("f()", "Call(Name('f'), [], [])"),
    ("f(a,)", "Call(Name('f'), [Name('a')], [])"),
    ("x.y.z", "Attribute(Attribute(Name('x'), 'y'), 'z')"),
    ("x.sum(dim=0).item()",
     ("Call(Attribute(Call(Attribute(Name('x'), 'sum'), [], [Keyword('dim', Constant(0))]), "
     "'item'), [], [])")),
    ("x[0]", "Subscript(Name('x'), Constant(0))"),
    ("x[0][2]", "Subscript(Subscript(Name('x'), Constant(0)), Constant(2))"),
    ("x[:, 0]", "Subscript(Name('x'), Tuple([Slice(None, None, None), Constant(0)]))"),
    ("x[1:2:3]", "Subscript(Name('x'), Slice(Constant(1), Constant(2), Constant(3)))"),
    ("x[::2]", "Subscript(Name('x'), Slice(None, None, Constant(2)))"),
    ("x[:-1]", "Subscript(Name('x'), Slice(None, UnaryOp('-', Constant(1)), None))"),
    ("x[a:]", "Subscript(Name('x'), Slice(Name('a'), None, None))"),
    ("x[1:2:]", "Subscript(Name('x'), Slice(Constant(1), Constant(2), None))"),
    ("x[None, ..., 1:]",
     ("Subscript(Name('x'), Tuple([Constant(None), Constant(Ellipsis), "
     "Slice(Constant(1), None, None)]))")),
    ("x[0,]", "Subscript(Name('x'), Tuple([Constant(0)]))"),
    ("x[x > 0]", "Subscript(Name('x'), Compare(Name('x'), ['>'], [Constant(0)]))"),
    ("()", "Tuple([])"),
    ("(1,)", "Tuple([Constant(1)])"),
    ("(1, 2,)", "Tuple([Constant(1), Constant(2)])"),
    ("1, 2", "Tuple([Constant(1), Constant(2)])"),
    ("1,", "Tuple([Constant(1)])"),
    ("(1)", "Constant(1)"),
    ("[]", "List([])"),
    ("[1, [2, 3],]", "List([Constant(1), List([Constant(2), Constant(3)])])"),
    ("{}", "Dict([], [])"),
    ("{'a': 1, b: 2,}", "Dict([Constant('a'), Name('b')], [Constant(1), Constant(2)])"),
    ("lambda: 0", "Lambda([], Constant(0))"),
    ("lambda x, y=2: x * y",
     "Lambda([Param('x', None), Param('y', Constant(2))], BinOp(Name('x'), '*', Name('y')))"),
    ("a if c else b", "IfExp(Name('c'), Name('a'), Name('b'))"),
    ("[i for i in r]",
     "ListComp(Name('i'), [Comprehension(Name('i'), Name('r'), [])])"),
    ("[i * j for i in a if i for j in b if j if i < j]",
     ("ListComp(BinOp(Name('i'), '*', Name('j')), [Comprehension(Name('i'), Name('a'), "
     "[Name('i')]), Comprehension(Name('j'), Name('b'), [Name('j'), Compare(Name('i'), "
     "['<'], [Name('j')])])])")),
    ("[(a, b) for a, b in pairs]",
     ("ListComp(Tuple([Name('a'), Name('b')]), [Comprehension(Tuple([Name('a'), Name('b')]), "
     "Name('pairs'), [])])")),
    ("sum(x for x in xs)",
     ("Call(Name('sum'), [GeneratorExp(Name('x'), [Comprehension(Name('x'), Name('xs'), "
     "[])])], [])")),
    ("(x for x in xs)",
     "GeneratorExp(Name('x'), [Comprehension(Name('x'), Name('xs'), [])])"),
    ("{k: v for k, v in items}",
     ("DictComp(Name('k'), Name('v'), [Comprehension(Tuple([Name('k'), Name('v')]), "
     "Name('items'), [])])")),
    ("print(a, sep='', end='')",
     ("Call(Name('print'), [Name('a')], [Keyword('sep', Constant('')), "
     "Keyword('end', Constant(''))])")),
])
def test_expression_shapes(source, expected):
    assert dump_expr(source) == expected


def test_two_hundred_nested_parentheses():
    source = "(" * 200 + "1" + ")" * 200 + " + " + "(" * 200 + "2" + ")" * 200
    assert evaluate(source) == 3


def test_deeply_nested_expressions_evaluate():
    source = "-(" * 150 + "1" + ")" * 150
    assert evaluate(source) == 1
    source = "[" * 100 + "7" + "]" * 100
    value = evaluate(source)
    for _ in range(100):
        value = value[0]
    assert value == 7


# ------------------------------------------------------------ statements

@pytest.mark.parametrize(("source", "expected"), [
    ("a = 1", ["Assign([Name('a')], Constant(1))"]),
    ("a = b = c", ["Assign([Name('a'), Name('b')], Name('c'))"]),
    ("a, b = b, a",
     ["Assign([Tuple([Name('a'), Name('b')])], Tuple([Name('b'), Name('a')]))"]),
    ("(a, b), c = x",
     ["Assign([Tuple([Tuple([Name('a'), Name('b')]), Name('c')])], Name('x'))"]),
    ("[a, b] = x", ["Assign([List([Name('a'), Name('b')])], Name('x'))"]),
    ("x.requires_grad = True", [("Assign([Attribute(Name('x'), 'requires_grad')], "
                                "Constant(True))")]),
    ("y[:] = y + x", [("Assign([Subscript(Name('y'), Slice(None, None, None))], "
                      "BinOp(Name('y'), '+', Name('x')))")]),
    ("a[0, 1] = 5", [("Assign([Subscript(Name('a'), Tuple([Constant(0), Constant(1)]))], "
                     "Constant(5))")]),
    ("x += 1", ["AugAssign(Name('x'), '+', Constant(1))"]),
    ("x.data -= g", ["AugAssign(Attribute(Name('x'), 'data'), '-', Name('g'))"]),
    ("x[0] **= 2", ["AugAssign(Subscript(Name('x'), Constant(0)), '**', Constant(2))"]),
    ("x //= 2; x %= 3; x @= m; x /= 4; x *= 5",
     ["AugAssign(Name('x'), '//', Constant(2))", "AugAssign(Name('x'), '%', Constant(3))",
      "AugAssign(Name('x'), '@', Name('m'))", "AugAssign(Name('x'), '/', Constant(4))",
      "AugAssign(Name('x'), '*', Constant(5))"]),
    ("x &= 1; x |= 2; x ^= 3; x <<= 1; x >>= 1",
     ["AugAssign(Name('x'), '&', Constant(1))", "AugAssign(Name('x'), '|', Constant(2))",
      "AugAssign(Name('x'), '^', Constant(3))", "AugAssign(Name('x'), '<<', Constant(1))",
      "AugAssign(Name('x'), '>>', Constant(1))"]),
    ("del a, b[0], c.d", [("Delete([Name('a'), Subscript(Name('b'), Constant(0)), "
                          "Attribute(Name('c'), 'd')])")]),
    ("pass", ["Pass()"]),
    ("assert x", ["Assert(Name('x'), None)"]),
    ("assert x, 'msg'", ["Assert(Name('x'), Constant('msg'))"]),
    ("'''docstring'''", ["Expr(Constant('docstring'))"]),
    ("import torch", ["Import([Alias('torch', None)])"]),
    ("import torch as T, math", ["Import([Alias('torch', 'T'), Alias('math', None)])"]),
    ("import torch.nn.functional as F", ["Import([Alias('torch.nn.functional', 'F')])"]),
    ("import torch.nn", ["Import([Alias('torch.nn', None)])"]),
    ("from torch import nn, autograd",
     ["ImportFrom('torch', [Alias('nn', None), Alias('autograd', None)])"]),
    ("from torch.autograd import Variable as V",
     ["ImportFrom('torch.autograd', [Alias('Variable', 'V')])"]),
    ("from numpy import (array,\n    newaxis,)",
     ["ImportFrom('numpy', [Alias('array', None), Alias('newaxis', None)])"]),
    ("import numpy as np", ["Import([Alias('numpy', 'np')])"]),
])
def test_simple_statements(source, expected):
    assert dump_body(source) == expected


def test_if_elif_else_nests_like_python():
    source = "if a:\n    x\nelif b:\n    y\nelif c:\n    z\nelse:\n    w\n"
    assert dump_body(source) == [
        ("If(Name('a'), [Expr(Name('x'))], [If(Name('b'), [Expr(Name('y'))], "
        "[If(Name('c'), [Expr(Name('z'))], [Expr(Name('w'))])])])")]


def test_one_line_suites():
    assert dump_body("if a: x = 1; y = 2\nfor i in r: pass\n") == [
        "If(Name('a'), [Assign([Name('x')], Constant(1)), Assign([Name('y')], Constant(2))], [])",
        "For(Name('i'), Name('r'), [Pass()], [])"]


def test_for_with_tuple_target_break_continue_else():
    source = "for i, (a, b) in pairs:\n    if a:\n        continue\n    break\nelse:\n    pass\n"
    assert dump_body(source) == [
        ("For(Tuple([Name('i'), Tuple([Name('a'), Name('b')])]), Name('pairs'), "
        "[If(Name('a'), [Continue()], []), Break()], [Pass()])")]


def test_with_statements():
    assert dump_body("with no_grad():\n    y = x\n") == [
        "With([WithItem(Call(Name('no_grad'), [], []), None)], [Assign([Name('y')], Name('x'))])"]
    assert dump_body("with a as x, b() as (y, z), c:\n    pass\n") == [
        ("With([WithItem(Name('a'), Name('x')), WithItem(Call(Name('b'), [], []), "
        "Tuple([Name('y'), Name('z')])), WithItem(Name('c'), None)], [Pass()])")]


def test_def_with_defaults_and_return():
    source = "def f(a, b=2, c=None):\n    '''doc'''\n    return a + b\n"
    assert dump_body(source) == [
        ("FunctionDef('f', [Param('a', None), Param('b', Constant(2)), "
        "Param('c', Constant(None))], [Expr(Constant('doc')), "
        "Return(BinOp(Name('a'), '+', Name('b')))])")]


def test_return_without_value_and_tuple_return():
    assert dump_body("def f():\n    return\ndef g():\n    return 1, 2\n") == [
        "FunctionDef('f', [], [Return(None)])",
        "FunctionDef('g', [], [Return(Tuple([Constant(1), Constant(2)]))])"]


def test_function_local_names_are_computed_once():
    (func,) = parse(
        "def f(a, b=1):\n"
        "    c = 1\n"
        "    d, (e, g) = 1, (2, 3)\n"
        "    h += 1\n"
        "    for i in r:\n"
        "        with m as j:\n"
        "            pass\n"
        "    if a:\n"
        "        import torch.nn\n"
        "        from numpy import array as arr\n"
        "    def inner():\n"
        "        hidden = 1\n"
        "    k = [hidden2 for hidden2 in r]\n"
        "    x.attr = 1\n"
        "    y[0] = 1\n"
        "    del z\n"
        "    return lambda q: q\n").body
    assert func.local_names == frozenset(
        ["a", "b", "c", "d", "e", "g", "h", "i", "j", "torch", "arr", "inner", "k", "z"])
    lam = func.body[-1].value
    assert lam.local_names == frozenset({"q"})
    comp = func.body[-5].value
    assert comp.local_names == frozenset({"hidden2"})


# ---------------------------------------------------------------- layout

def test_comments_blank_lines_and_odd_indentation_of_comment_lines():
    source = ("# leading comment\n\n"
              "x = 1  # trailing\n"
              "if x:\n"
              "        # deeper comment\n"
              "    y = 2\n"
              "\n"
              "# a comment at column 1 inside the block\n"
              "  # and at column 3\n"
              "    z = 3\n"
              "w = 4\n")
    assert dump_body(source) == [
        "Assign([Name('x')], Constant(1))",
        "If(Name('x'), [Assign([Name('y')], Constant(2)), Assign([Name('z')], Constant(3))], [])",
        "Assign([Name('w')], Constant(4))"]


def test_crlf_no_trailing_newline_and_trailing_spaces():
    assert dump_body("a = 1\r\nif a:\r\n    b = 2\r\n   ") == [
        "Assign([Name('a')], Constant(1))", "If(Name('a'), [Assign([Name('b')], Constant(2))], [])"]
    assert dump_body("x = 1") == ["Assign([Name('x')], Constant(1))"]
    assert dump_body("if x:\n    y") == ["If(Name('x'), [Expr(Name('y'))], [])"]


def test_implicit_joining_and_backslash_continuation():
    source = "x = f(1,\n      2,  # comment inside brackets\n\n  3)\ny = 1 + \\\n    2\n"
    assert dump_body(source) == [
        "Assign([Name('x')], Call(Name('f'), [Constant(1), Constant(2), Constant(3)], []))",
        "Assign([Name('y')], BinOp(Constant(1), '+', Constant(2)))"]


def test_semicolons_and_tabs():
    assert dump_body("a = 1; b = 2;\nif a:\n\tc = 3\n") == [
        "Assign([Name('a')], Constant(1))", "Assign([Name('b')], Constant(2))",
        "If(Name('a'), [Assign([Name('c')], Constant(3))], [])"]


def test_empty_and_comment_only_programs():
    assert parse("").body == ()
    assert parse("# nothing\n\n   \n").body == ()


def test_nested_blocks_dedent_several_levels_at_once():
    source = "for i in r:\n    for j in r:\n        if j:\n            x\ny\n"
    assert dump_body(source) == [
        ("For(Name('i'), Name('r'), [For(Name('j'), Name('r'), "
        "[If(Name('j'), [Expr(Name('x'))], [])], [])], [])"), "Expr(Name('y'))"]


def test_soft_keywords_are_plain_names():
    assert dump_body("match = 1\ncase = match + 1\ntype(match)") == [
        "Assign([Name('match')], Constant(1))",
        "Assign([Name('case')], BinOp(Name('match'), '+', Constant(1)))",
        "Expr(Call(Name('type'), [Name('match')], []))"]


# ----------------------------------------------------------------- spans

def test_statement_and_expression_spans():
    module = parse("x = 1\nif x:\n    y = foo(x, 2)\n\nz = 3\n", "prog.gc")
    assign, if_stmt, last = module.body
    assert assign.span == Span("prog.gc", 1, 1, 1, 6)
    assert if_stmt.span == Span("prog.gc", 2, 1, 3, 18)
    call = if_stmt.body[0].value
    assert call.span == Span("prog.gc", 3, 9, 3, 18)
    assert call.args[1].span == Span("prog.gc", 3, 16, 3, 17)
    assert last.span == Span("prog.gc", 5, 1, 5, 6)


def test_parenthesised_expression_span_covers_the_parentheses_of_the_statement():
    (stmt,) = parse("(a + b) * c").body
    assert stmt.value.span == Span("<string>", 1, 1, 1, 12)
    assert stmt.value.left.span == Span("<string>", 1, 2, 1, 7)


def test_every_node_has_a_span():
    module = parse(
        "import torch as T\nfrom numpy import array\nx = [i for i in range(3) if i]\n"
        "def f(a, b=1):\n    return {a: b}[a]\nwith T.no_grad() as g:\n    del x[0]\n"
        "for k in x:\n    k += f'{k!r:>3}'\nassert x, 'm'\ny = lambda: (1, x[1:2])\n")

    def walk(node):
        if isinstance(node, tuple):
            for item in node:
                yield from walk(item)
        elif type(node) in ast.NODE_CLASSES:
            yield node
            for name in node.__dataclass_fields__:
                yield from walk(getattr(node, name))

    nodes = list(walk(module))
    assert len(nodes) > 50
    for node in nodes:
        assert isinstance(node.span, Span), node
        assert node.span.line >= 1 and node.span.column >= 1


@pytest.mark.parametrize(("source", "expected"), [
    ("def f(x: int, *a: float, k: str = 'q', **kw: dict) -> int:\n    pass\n",
     ("FunctionDef('f', [Param('x', None), Param('a', None, 'vararg'), "
     "Param('k', Constant('q'), 'kwonly'), Param('kw', None, 'kwarg')], [Pass()])")),
    ("x: int = 5\n", "Assign([Name('x')], Constant(5))"),
    ("self.w: Tensor = w\n", "Assign([Attribute(Name('self'), 'w')], Name('w'))"),
    ("x: int\n", "Pass()"),
    ("f = lambda x, y=1: x\n",
     "Assign([Name('f')], Lambda([Param('x', None), Param('y', Constant(1))], Name('x')))"),
])
def test_annotations_are_parsed_and_ignored(source, expected):
    assert ast.dump(parse(source).body[0]) == expected
