"""Run-time errors: Python's exception class name, the message, the innermost span."""

import pytest

from gradcli.errors import ProgramError, Span, format_error
from gradcli.lang.interpreter import Interpreter
from gradcli.lang.parser import parse


class EngineError:
    """Host objects raising what an engine raises."""

    def shape_mismatch(self, *args):
        raise RuntimeError("The size of tensor a (2) must match the size of tensor b (3)")

    def program_error(self):
        raise ProgramError("RuntimeError", "raised by the engine without a span")

    def call(self, function, value):
        return function(value)


def error_of(source: str, namespace=None) -> ProgramError:
    with pytest.raises(ProgramError) as info:
        Interpreter({"engine": EngineError(), **(namespace or {})}, {},
                    write=lambda text: None).run(parse(source, "prog.gc"), source)
    error = info.value
    assert error.source == source
    return error


def span_text(error: ProgramError) -> str:
    span = error.span
    assert span.line == span.end_line
    return error.source.splitlines()[span.line - 1][span.column - 1:span.end_column - 1]


@pytest.mark.parametrize(("source", "kind", "message", "where"), [
    ("x = 1\ny = x / 0\n", "ZeroDivisionError", "division by zero", "x / 0"),
    ("1 + (2 * (3 // 0))\n", "ZeroDivisionError", "integer division or modulo by zero",
     "3 // 0"),
    ("weights = [1]\nweights + biases\n", "NameError", "name 'biases' is not defined", "biases"),
    ("d = {'a': 1}\nd['b']\n", "KeyError", "'b'", "d['b']"),
    ("[1, 2][5]\n", "IndexError", "list index out of range", "[1, 2][5]"),
    ("'a' + 1\n", "TypeError", 'can only concatenate str (not "int") to str', "'a' + 1"),
    ("int('x')\n", "ValueError", "invalid literal for int() with base 10: 'x'", "int('x')"),
    ("None.zero_()\n", "AttributeError", "'NoneType' object has no attribute 'zero_'",
     "None.zero_"),
    ("x = 3\nx()\n", "TypeError", "'int' object is not callable", "x()"),
    ("engine.shape_mismatch(1, 2)\n", "RuntimeError",
     "The size of tensor a (2) must match the size of tensor b (3)",
     "engine.shape_mismatch(1, 2)"),
    ("engine.program_error()\n", "RuntimeError", "raised by the engine without a span",
     "engine.program_error()"),
    ("for x in 5:\n    pass\n", "TypeError", "'int' object is not iterable", "5"),
    ("-'a'\n", "TypeError", "bad operand type for unary -: 'str'", "-'a'"),
    ("1 < 'a'\n", "TypeError", "'<' not supported between instances of 'int' and 'str'",
     "1 < 'a'"),
    ("[1][0:1] = 5\n", "TypeError", "can only assign an iterable", "[1][0:1]"),
])
def test_error_kind_message_and_innermost_span(source, kind, message, where):
    error = error_of(source)
    assert (error.kind, error.message) == (kind, message)
    assert span_text(error) == where


def test_error_inside_a_user_function_points_inside_it():
    error = error_of("def f(v):\n    w = v * 2\n    return w[3]\nf([1])\n")
    assert error.kind == "IndexError"
    assert (error.span.line, span_text(error)) == (3, "w[3]")


def test_error_inside_a_hook_called_by_host_code_points_inside_the_hook():
    error = error_of("engine.call(lambda v: v / 0, 1)\n")
    assert error.kind == "ZeroDivisionError"
    assert span_text(error) == "v / 0"


def test_format_error_of_a_run_time_error():
    error = error_of("weights = [1.0]\nweights + biases\n")
    assert format_error(error) == (
        "NameError: name 'biases' is not defined\n"
        "  --> prog.gc:2:11\n"
        "   |\n"
        " 2 | weights + biases\n"
        "   |           ^^^^^^")


def test_output_before_the_error_stays():
    out = []
    source = "print('first')\nprint(1 / 0)\nprint('never')\n"
    with pytest.raises(ProgramError):
        Interpreter({}, {}, write=out.append).run(parse(source), source)
    assert out == ["first\n"]


def test_keyboard_interrupt_is_not_converted():
    def interrupt():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Interpreter({"interrupt": interrupt}, {}, write=lambda text: None).run(
            parse("interrupt()"), "interrupt()")


def test_the_step_limit_error_is_a_runtime_error_at_the_statement():
    source = "x = 0\nfor i in range(100):\n    x += 1\n"
    with pytest.raises(ProgramError) as info:
        Interpreter({}, {}, write=lambda text: None, max_steps=20).run(parse(source), source)
    error = info.value
    assert error.kind == "RuntimeError"
    assert error.span.line in (2, 3)
    assert isinstance(error.span, Span)


def test_display_errors_are_reported_at_the_expression_statement():
    class BadRepr:
        def __repr__(self):
            raise ValueError("no repr")

    source = "x\n"
    with pytest.raises(ProgramError) as info:
        Interpreter({"x": BadRepr()}, {}, write=lambda text: None).run(parse(source), source)
    assert (info.value.kind, info.value.message, info.value.span.column) == (
        "ValueError", "no repr", 1)
