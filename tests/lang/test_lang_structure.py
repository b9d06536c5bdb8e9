"""How the language layer is built: node classes, visitors, lazy Lark, the grammar file."""

import dataclasses
import inspect
import os
import pathlib
import subprocess
import sys

import pytest

from gradcli.errors import Span
from gradcli.lang import ast, interpreter, parser

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_node_classes_lists_every_dataclass_of_the_ast_module():
    defined = {obj for _, obj in inspect.getmembers(ast, inspect.isclass)
               if dataclasses.is_dataclass(obj) and obj.__module__ == ast.__name__}
    assert set(ast.NODE_CLASSES) == defined
    assert len(ast.NODE_CLASSES) == len(set(ast.NODE_CLASSES))


@pytest.mark.parametrize("cls", ast.NODE_CLASSES, ids=lambda cls: cls.__name__)
def test_every_node_class_is_frozen_slotted_spanned_and_has_a_visitor(cls):
    params = dataclasses.fields(cls)
    assert cls.__dataclass_params__.frozen
    assert hasattr(cls, "__slots__")
    # span is the last required field; optional fields (with defaults) may follow it
    assert [f.name for f in params
            if f.init and f.default is dataclasses.MISSING][-1] == "span"
    assert callable(getattr(interpreter.Interpreter, f"visit_{cls.__name__}", None))


def test_visitor_methods_name_real_node_classes():
    names = {name[len("visit_"):] for name in dir(interpreter.Interpreter)
             if name.startswith("visit_")}
    assert names == {cls.__name__ for cls in ast.NODE_CLASSES}


def test_nodes_are_immutable():
    node = ast.Name("x", Span("f", 1, 1, 1, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.id = "y"


def test_every_grammar_alias_has_a_builder():
    grammar = (ROOT / "grammar" / "gradcli.lark").read_text(encoding="utf-8")
    import re
    aliases = set(re.findall(r"->\s*([a-z_]+)", grammar))
    builder_rules = set(parser._RULES)
    assert aliases <= builder_rules
    # Aliases are the snake_case names of node classes, or refused constructs.
    snake = {re.sub(r"(?<!^)([A-Z])", r"_\1", cls.__name__).lower() for cls in ast.NODE_CLASSES}
    assert aliases - snake == {"string", "yield_from", "try_finally", "vararg_param",
                               "kwarg_param", "double_starred", "decorated",
                               "positional_only_marker", "ann_assign", "annotated_param",
                               "parameters"}


def run_python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True, cwd=ROOT)
    return result.stdout.strip()


def test_importing_the_language_layer_does_not_import_lark():
    assert run_python("import sys, gradcli.lang\nprint('lark' in sys.modules)") == "False"
    assert run_python("import sys, gradcli.lang\ngradcli.lang.parse('x = 1')\n"
                      "print('lark' in sys.modules)") == "True"


def test_the_parser_is_built_once_per_process():
    parser.parse("a = 1")
    first = parser._get_parser()
    parser.parse("b = 2")
    assert parser._get_parser() is first


def test_the_parser_works_without_a_cache_directory(tmp_path):
    code = ("import gradcli.lang.parser as p\n"
            "print(p._cache_file('g', '1'))\n"
            "print(type(p.parse('x = 1').body[0]).__name__)")
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should go")
    env_code = f"import os\nos.environ['XDG_CACHE_HOME'] = {str(blocked)!r}\n" + code
    assert run_python(env_code).splitlines() == ["False", "Assign"]


def test_the_grammar_is_loaded_from_the_grammar_folder():
    text = parser._grammar_text()
    assert text == (ROOT / "grammar" / "gradcli.lark").read_text(encoding="utf-8")
    assert "file_input" in text
