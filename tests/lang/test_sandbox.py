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
