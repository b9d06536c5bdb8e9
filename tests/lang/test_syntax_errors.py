"""Syntax errors: Python's kind and message, the span of the offending token, the caret."""

import pytest

from gradcli.errors import ProgramError, format_error
from gradcli.lang.interpreter import run_source
from gradcli.lang.parser import parse


def syntax_error(source: str) -> ProgramError:
    with pytest.raises(ProgramError) as info:
        parse(source, "prog.gc")
    error = info.value
    assert error.source == source
    assert error.span is not None and error.span.filename == "prog.gc"
    return error


def where(error: ProgramError) -> tuple[int, int]:
    return error.span.line, error.span.column


# (source, kind, message, (line, column)) with Python 3.11's kind and wording.
GENUINE_ERRORS = [
    ("print(values.mean(\n", "SyntaxError", "'(' was never closed", (1, 18)),
    ("x = f((1, 2)\ny = 3\n", "SyntaxError", "'(' was never closed", (1, 6)),
    ("x = [1, (2\n", "SyntaxError", "'(' was never closed", (1, 9)),
    ("x = (1 +\ny = 2\n", "SyntaxError", "'(' was never closed", (1, 5)),
    ("x = {'a': [1, 2}\n", "SyntaxError",
     "closing parenthesis '}' does not match opening parenthesis '['", (1, 16)),
    ("x = (1,\n2]\n", "SyntaxError",
     "closing parenthesis ']' does not match opening parenthesis '(' on line 1", (2, 2)),
    ("x = 1)\n", "SyntaxError", "unmatched ')'", (1, 6)),
    ("if x:\ny = 1\n", "IndentationError",
     "expected an indented block after 'if' statement on line 1", (2, 1)),
    ("for i in r:\n# comment\nx\n", "IndentationError",
     "expected an indented block after 'for' statement on line 1", (3, 1)),
    ("def f():\n", "IndentationError",
     "expected an indented block after function definition on line 1", (1, 9)),
    ("x = 1\n  y = 2\n", "IndentationError", "unexpected indent", (2, 3)),
    ("  x = 1\n", "IndentationError", "unexpected indent", (1, 3)),
    ("if x:\n    a = 1\n  b = 2\n", "IndentationError",
     "unindent does not match any outer indentation level", (3, 3)),
    ("x +\n", "SyntaxError", "invalid syntax", (1, 4)),
    ("x = = 1\n", "SyntaxError", "invalid syntax", (1, 5)),
    ("f(1 2)\n", "SyntaxError", "invalid syntax", (1, 5)),
    ("if x\n    pass\n", "SyntaxError", "expected ':'", (1, 5)),
    ("x = 'abc\n", "SyntaxError", "unterminated string literal (detected at line 1)", (1, 5)),
    ("x = 1\ns = '''abc\n\n", "SyntaxError",
     "unterminated triple-quoted string literal (detected at line 3)", (2, 5)),
    ("x = $\n", "SyntaxError", "invalid syntax", (1, 5)),
    ("x = 1 \u2013 2\n", "SyntaxError", "invalid character '\u2013' (U+2013)", (1, 7)),
    ("x = 1 \\ 2\n", "SyntaxError", "unexpected character after line continuation character",
     (1, 7)),
    ("x = 010\n", "SyntaxError", ("leading zeros in decimal integer literals are not "
     "permitted; use an 0o prefix for octal integers"), (1, 5)),
    ("f() = 3\n", "SyntaxError", "cannot assign to function call", (1, 1)),
    ("a + 1 = 3\n", "SyntaxError", "cannot assign to expression", (1, 1)),
    ("None = 3\n", "SyntaxError", "cannot assign to None", (1, 1)),
    ("for 1 in r: pass\n", "SyntaxError", "cannot assign to literal", (1, 5)),
    ("del f()\n", "SyntaxError", "cannot delete function call", (1, 5)),
    ("(a, b) += 1\n", "SyntaxError",
     "'tuple' is an illegal expression for augmented assignment", (1, 1)),
    ("def f(a=1, b): pass\n", "SyntaxError", "non-default argument follows default argument",
     (1, 12)),
    ("def f(a, a): pass\n", "SyntaxError", "duplicate argument 'a' in function definition",
     (1, 10)),
    ("f(a=1, 2)\n", "SyntaxError", "positional argument follows keyword argument", (1, 8)),
    ("f(a=1, a=2)\n", "SyntaxError", "keyword argument repeated: a", (1, 8)),
    ("f(x for x in y, 1)\n", "SyntaxError", "Generator expression must be parenthesized",
     (1, 3)),
    ("return 1\n", "SyntaxError", "'return' outside function", (1, 1)),
    ("break\n", "SyntaxError", "'break' outside loop", (1, 1)),
    ("if x:\n    continue\n", "SyntaxError", "'continue' not properly in loop", (2, 5)),
    ("for x in r:\n    def f():\n        break\n", "SyntaxError", "'break' outside loop",
     (3, 9)),
    ("for x in r:\n    pass\nelse:\n    break\n", "SyntaxError", "'break' outside loop",
     (4, 5)),
    ("f'{x!z}'\n", "SyntaxError",
     "f-string: invalid conversion character: expected 's', 'r', or 'a'", (1, 6)),
    ("f'}'\n", "SyntaxError", "f-string: single '}' is not allowed", (1, 3)),
    ("f'{x'\n", "SyntaxError", "f-string: expecting '}'", (1, 3)),
    ("f'{}'\n", "SyntaxError", "f-string: empty expression not allowed", (1, 4)),
    ("y = 1\nf'{x y}'\n", "SyntaxError", "invalid syntax", (2, 6)),
    ("x = '\\xZ1'\n", "SyntaxError", "(unicode error) truncated \\x escape", (1, 6)),
]


@pytest.mark.parametrize(("source", "kind", "message", "position"), GENUINE_ERRORS)
def test_genuine_syntax_errors(source, kind, message, position):
    error = syntax_error(source)
    assert (error.kind, error.message) == (kind, message)
    assert where(error) == position


UNSUPPORTED = [
    ("async def f():\n    pass\n", "'async' functions are not supported in gradcli", (1, 1)),
    ("x = await y\n", "'await' is not supported in gradcli", (1, 5)),
    ("a, *rest = x\n", ("starred assignment targets ('a, *rest = ...') are not supported in "
     "gradcli"), (1, 4)),
    ("if (n := 10) > 5:\n    pass\n",
     "assignment expressions (':=') are not supported in gradcli", (1, 7)),
    ("match command:\n    case 1:\n        pass\n",
     "'match' statements are not supported in gradcli", (1, 1)),
    ("from torch import *\n", "'from ... import *' is not supported in gradcli", (1, 19)),
    ("x = b'bytes'\n", "bytes literals are not supported in gradcli", (1, 5)),
    ("nonlocal x\n", "nonlocal declaration not allowed at module level", (1, 1)),
    ("yield 1\n", "'yield' outside function", (1, 1)),
    ("class A:\n    yield 1\n", "'yield' outside function", (2, 5)),
    ("try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass\n",
     "default 'except:' must be last", (3, 1)),
    ("def f(*, **k):\n    pass\n", "named arguments must follow bare *", (1, 7)),
    ("def f(**k, a):\n    pass\n", "arguments cannot follow var-keyword argument", (1, 12)),
    ("f(**k, a)\n", "positional argument follows keyword argument unpacking", (1, 8)),
]


@pytest.mark.parametrize(("source", "message", "position"), UNSUPPORTED)
def test_unsupported_constructs_are_named(source, message, position):
    error = syntax_error(source)
    assert error.kind == "SyntaxError"
    assert error.message == message
    assert where(error) == position


def test_caret_for_an_unclosed_bracket_points_at_the_opening_bracket():
    source = "values = tensor([1, 2, 3])\nvalues\nprint(values.mean(\n"
    assert format_error(syntax_error(source)) == (
        "SyntaxError: '(' was never closed\n"
        "  --> prog.gc:3:18\n"
        "   |\n"
        " 3 | print(values.mean(\n"
        "   |                  ^")


def test_caret_underlines_the_unsupported_keyword():
    source = "x = 0\nasync def f():\n    x += 1\n"
    assert format_error(syntax_error(source)) == (
        "SyntaxError: 'async' functions are not supported in gradcli\n"
        "  --> prog.gc:2:1\n"
        "   |\n"
        " 2 | async def f():\n"
        "   | ^^^^^")


def test_the_first_error_in_the_file_wins():
    error = syntax_error("x = = 1\nasync def f():\n    pass\n")
    assert (error.message, where(error)) == ("invalid syntax", (1, 5))


def test_an_unclosed_bracket_anywhere_beats_a_plain_invalid_syntax():
    # As Python: the tokenizer's error over the whole file is reported instead.
    error = syntax_error("x = = 1\ny = (2\n")
    assert (error.message, where(error)) == ("'(' was never closed", (2, 5))


def test_nothing_runs_when_the_file_does_not_parse():
    out = []
    with pytest.raises(ProgramError) as info:
        run_source("print('before')\nx = (1,\n", "prog.gc", {}, {}, out.append)
    assert info.value.kind == "SyntaxError"
    assert out == []


def test_crlf_source_reports_the_right_column():
    error = syntax_error("x = 1\r\ny = (1 +\r\n")
    assert (error.message, where(error)) == ("'(' was never closed", (2, 5))
