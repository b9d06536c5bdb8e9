"""The one-way layering of STYLE.md: cli -> lang -> engine, cli -> render -> engine."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "gradcli"

STDLIB_OK = {"__future__", "math", "numbers", "itertools", "heapq", "weakref", "dataclasses",
             "typing", "functools", "operator", "sys", "collections", "contextlib", "re",
             "importlib", "textwrap", "types", "enum", "abc", "warnings", "os", "io",
             "string", "keyword", "bisect", "copy", "builtins", "cmath", "struct"}


def imports_of(path: pathlib.Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
    return names


def files_of(layer: str):
    return sorted((PACKAGE / layer).rglob("*.py"))


RULES = {
    # layer: prefixes it must never import
    "engine": ("gradcli.lang", "gradcli.render", "gradcli.cli", "gradcli.runtime", "click",
               "rich", "lark"),
    "lang": ("gradcli.render", "gradcli.cli", "gradcli.runtime", "click", "rich"),
    "render": ("gradcli.lang", "gradcli.cli", "gradcli.runtime", "click", "rich", "lark"),
}


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_point_one_way(layer):
    offenders = []
    for path in files_of(layer):
        for name in imports_of(path):
            if any(name == p or name.startswith(p + ".") for p in RULES[layer]):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_engine_imports_only_numpy_stdlib_and_itself():
    offenders = []
    for path in files_of("engine"):
        for name in imports_of(path):
            top = name.split(".")[0]
            if name.startswith("gradcli.engine") or name == "gradcli.errors":
                continue
            if top in STDLIB_OK or top == "numpy":
                continue
            offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_only_the_cli_uses_click_and_rich():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for name in imports_of(path):
            if name.split(".")[0] in ("click", "rich"):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []
