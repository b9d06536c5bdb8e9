"""The architecture of ``gradcli``, enforced on its import graph.

The graph is built from source with :mod:`ast` (nothing is imported): every
``import`` / ``from ... import`` statement anywhere in a module (top level,
conditionals, ``if TYPE_CHECKING:``, functions and methods) and every
``importlib.import_module("literal")`` call is an edge. Edit the tables below,
not the tests, when the architecture changes:

* ``LAYERS`` places every module in a layer, lowest first;
* ``FAMILY_LAYERS`` names the layers whose modules must not import one another;
* ``THIRD_PARTY`` / ``ENGINE_THIRD_PARTY`` say who may import which library;
* ``FUNCTION_IMPORT_LIMIT`` caps the imports deferred into function bodies.
"""

from __future__ import annotations

import ast
import collections
import fnmatch
import functools
import pathlib
import re
import sys
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "gradcli"

# --------------------------------------------------------------------------------------------
# The architecture tables
# --------------------------------------------------------------------------------------------

ALL = "ALL"  # a layer may import every layer listed before it

# The engine's layers, for the layers above that may use the engine but not everything below.
ENGINE = ["engine.primitives", "engine.core", "engine.autograd", "engine.kernels",
          "engine.opsbase", "engine.ops", "engine.package"]

# (layer, module patterns (fnmatch on dotted names), lower layers it may import or ALL).
# Lowest first. A module may always import its own layer (but see FAMILY_LAYERS).
# A module's layer is the one with its most specific matching pattern: an exact name beats
# any glob, a longer glob beats a shorter one, and ties go to the earlier entry.
LAYERS: list[tuple[str, list[str], str | list[str]]] = [
    ("errors", ["gradcli.errors"], ALL),
    ("engine.primitives", ["gradcli.engine.backend", "gradcli.engine.dtypes",
                           "gradcli.engine.printopts", "gradcli.engine.namespace",
                           "gradcli.engine.limits"], ALL),
    ("engine.core", ["gradcli.engine.tensor", "gradcli.engine.node",
                     "gradcli.engine.returntypes"], ALL),
    ("engine.autograd", ["gradcli.engine.autograd"], ALL),
    ("engine.kernels", ["gradcli.engine.kernels", "gradcli.engine.kernels.*"], ALL),
    ("engine.opsbase", ["gradcli.engine.ops.registry", "gradcli.engine.ops.common",
                        "gradcli.engine.ops.views", "gradcli.engine.ops.inplace"], ALL),
    ("engine.ops", ["gradcli.engine.ops.*"], ALL),  # the op families: see FAMILY_LAYERS
    ("engine.package", ["gradcli.engine.ops", "gradcli.engine", "gradcli.engine.functional",
                        "gradcli.engine.gradcheck"], ALL),
    ("api", ["gradcli.api", "gradcli.api.*"], ALL),
    ("render", ["gradcli.render", "gradcli.render.*"], ["errors", *ENGINE]),  # not api
    ("lang", ["gradcli.lang", "gradcli.lang.*"], ["errors", *ENGINE, "api"]),  # not render
    ("runtime", ["gradcli.runtime", "gradcli.golden", "gradcli.pytest_plugin", "gradcli"], ALL),
    ("cli", ["gradcli.cli", "gradcli.cli.*", "gradcli.__main__"], ALL),
]

# Layers made of independent families: layer -> the package whose children are the families.
# A family (a module, or a sub-package and everything under it) may not import another family
# of its layer; siblings talk only through gradcli.engine.namespace.
FAMILY_LAYERS = {"engine.ops": "gradcli.engine.ops"}

# Top-level third-party name -> the only module patterns that may import it.
THIRD_PARTY = {
    "click": ["gradcli.cli", "gradcli.cli.*"],
    "rich": ["gradcli.cli.console"],  # the one module that owns Rich
    "lark": ["gradcli.lang", "gradcli.lang.*"],
}

# The engine imports nothing but these, the standard library and gradcli itself.
ENGINE_PATTERNS = ["gradcli.engine", "gradcli.engine.*"]
ENGINE_THIRD_PARTY = {"numpy"}

# Import statements inside function bodies, in all of gradcli/, must stay under this.
FUNCTION_IMPORT_LIMIT = 10

# --------------------------------------------------------------------------------------------
# The graph builder
# --------------------------------------------------------------------------------------------

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class ImportSite:
    """One import statement (or literal ``import_module`` call) in one module."""

    module: str               # the importing module
    path: pathlib.Path
    line: int
    end_line: int
    in_function: bool         # inside a function or method body (at any depth)
    is_call: bool             # importlib.import_module(...) rather than a statement
    targets: tuple[str, ...]  # absolute names imported, resolved to modules where internal


@dataclass(frozen=True)
class Edge:
    """An import of one package module by another."""

    source: str
    target: str
    line: int
    in_function: bool


@dataclass
class Graph:
    package: str
    modules: dict[str, pathlib.Path]  # dotted name -> file
    sites: list[ImportSite]

    @functools.cached_property
    def edges(self) -> list[Edge]:
        """Imports between the package's own modules (self-imports left out)."""
        return [Edge(site.module, target, site.line, site.in_function)
                for site in self.sites for target in site.targets
                if target in self.modules and target != site.module]

    def successors(self) -> dict[str, set[str]]:
        result: dict[str, set[str]] = {name: set() for name in self.modules}
        for edge in self.edges:
            result[edge.source].add(edge.target)
        return result


def module_name(path: pathlib.Path, package_dir: pathlib.Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve_relative(name: str, package: str) -> str | None:
    """``importlib.util.resolve_name``, without importing anything (None when invalid)."""
    level = len(name) - len(name.lstrip("."))
    if not level:
        return name
    base = package.split(".") if package else []
    if level - 1 >= len(base) or not package:
        return None
    base = base[: len(base) - (level - 1)]
    rest = name[level:]
    return ".".join(base + ([rest] if rest else []))


_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def _walk(tree: ast.AST, expressions: bool):
    """Every node, with whether it runs inside a function body (defaults, decorators don't).

    Without ``expressions`` only statements are visited (all an import statement can be).
    """
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_function = stack.pop()
        yield node, in_function
        children = [child for child in ast.iter_child_nodes(node)
                    if expressions or isinstance(child, _STATEMENTS)]
        if isinstance(node, _FUNCTIONS):
            body = node.body if isinstance(node.body, list) else [node.body]
            inside = {id(child) for child in body}
            stack.extend((child, in_function or id(child) in inside) for child in children)
        else:
            stack.extend((child, in_function) for child in children)


def _import_module_call(node: ast.Call, module: str, package: str) -> str | None:
    """The absolute name an ``importlib.import_module("literal", ...)`` call imports."""
    func = node.func
    is_import_module = (
        (isinstance(func, ast.Attribute) and func.attr == "import_module"
         and isinstance(func.value, ast.Name) and func.value.id == "importlib")
        or (isinstance(func, ast.Name) and func.id == "import_module"))
    if not is_import_module or not node.args:
        return None
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    anchor: ast.expr | None = node.args[1] if len(node.args) > 1 else None
    for keyword in node.keywords:
        if keyword.arg == "package":
            anchor = keyword.value
    anchor_name = ""
    if isinstance(anchor, ast.Name) and anchor.id == "__package__":
        anchor_name = package
    elif isinstance(anchor, ast.Name) and anchor.id == "__name__":
        anchor_name = module
    elif isinstance(anchor, ast.Constant) and isinstance(anchor.value, str):
        anchor_name = anchor.value
    return _resolve_relative(first.value, anchor_name)


def _sites_of(source: str, module: str, path: pathlib.Path, is_package: bool,
              modules: dict[str, pathlib.Path]) -> list[ImportSite]:
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(source, filename=str(path))
    sites = []
    for node, in_function in _walk(tree, expressions="import_module" in source):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_relative("." * node.level + (node.module or ""), package)
            if base is None:
                continue
            for alias in node.names:
                # from PKG import NAME: the module PKG.NAME if there is one, else PKG itself.
                candidate = f"{base}.{alias.name}"
                targets.append(candidate if candidate in modules else base)
        elif isinstance(node, ast.Call):
            name = _import_module_call(node, module, package)
            if name is not None:
                targets = [name]
        if targets:
            sites.append(ImportSite(
                module, path, node.lineno, node.end_lineno or node.lineno, in_function,
                isinstance(node, ast.Call), tuple(dict.fromkeys(targets))))
    return sites


def build_graph(package_dir: pathlib.Path) -> Graph:
    """The import graph of the package in ``package_dir``, from its source files."""
    files = sorted(package_dir.rglob("*.py"))
    modules = {module_name(path, package_dir): path for path in files}
    sites = []
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        sites += _sites_of(source, name, path, path.name == "__init__.py", modules)
    sites.sort(key=lambda site: (site.module, site.line))
    return Graph(package_dir.name, modules, sites)


def strongly_connected_components(successors: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; each component sorted, components in finishing order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)

    for root in sorted(successors):
        if root in index:
            continue
        visit(root)
        work = [(root, iter(sorted(successors[root])))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    visit(child)
                    work.append((child, iter(sorted(successors.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def cycles(successors: dict[str, set[str]]) -> list[list[str]]:
    """The components with an import cycle through two or more modules, biggest first."""
    found = [c for c in strongly_connected_components(successors) if len(c) > 1]
    return sorted(found, key=lambda c: (-len(c), c))


def shortest_cycle(start: str, members: set[str], successors: dict[str, set[str]]) -> list[str]:
    """One shortest import cycle through ``start`` inside a component, as a path."""
    previous: dict[str, str] = {}
    queue = collections.deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(successors[node] & members):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return [start]


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------

LAYER_NAMES = [name for name, _, _ in LAYERS]
LAYER_INDEX = {name: i for i, name in enumerate(LAYER_NAMES)}


def _specificity(pattern: str) -> tuple[int, int]:
    wildcard = any(char in pattern for char in "*?[")
    return (1 if wildcard else 0, -len(pattern.replace("*", "")))


# (pattern, layer), most specific first; sorted() is stable, so ties keep the list order.
_PATTERNS = sorted(((pattern, name) for name, patterns, _ in LAYERS for pattern in patterns),
                   key=lambda item: _specificity(item[0]))


def layer_of(module: str) -> str | None:
    for pattern, layer in _PATTERNS:
        if fnmatch.fnmatchcase(module, pattern):
            return layer
    return None


def family_of(module: str, parent: str) -> str:
    """``parent.reduce`` for ``parent.reduce`` and for ``parent.reduce.sum``."""
    return ".".join(module.split(".")[: parent.count(".") + 2])


def layer_violation(source: str, target: str) -> bool:
    """Whether ``source`` importing ``target`` breaks the layering (False when unclassified)."""
    source_layer, target_layer = layer_of(source), layer_of(target)
    if source_layer is None or target_layer is None:
        return False
    if source_layer == target_layer:
        parent = FAMILY_LAYERS.get(source_layer)
        return parent is not None and family_of(source, parent) != family_of(target, parent)
    if LAYER_INDEX[target_layer] > LAYER_INDEX[source_layer]:
        return True
    allowed = LAYERS[LAYER_INDEX[source_layer]][2]
    return allowed != ALL and target_layer not in allowed


def matches(module: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(module, pattern) for pattern in patterns)


# --------------------------------------------------------------------------------------------
# Comments on deferred imports
# --------------------------------------------------------------------------------------------

_PRAGMA = re.compile(r"noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?|type:\s*ignore(\[[^\]]*\])?"
                     r"|pragma:\s*no\s*cover", re.IGNORECASE)


def _says_why(comment: str) -> bool:
    """Whether a comment has words besides lint pragmas (``# noqa: F401`` alone says nothing)."""
    return re.search(r"[A-Za-z]{2,}", _PRAGMA.sub("", comment.lstrip("#"))) is not None


@functools.cache
def _lines(path: pathlib.Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def has_reason(site: ImportSite) -> bool:
    """A comment on the statement's own line(s), or a comment line directly above it.

    Import statements hold no string literals (and module names no ``#``), so the text of
    their lines is enough to find a comment.
    """
    lines = _lines(site.path)
    comments = [line.partition("#")[2] for line in lines[site.line - 1:site.end_line]
                if "#" in line]
    above = lines[site.line - 2].strip() if site.line > 1 else ""
    if above.startswith("#"):
        comments.append(above)
    return any(_says_why(comment) for comment in comments)


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------


@functools.cache
def project_graph() -> Graph:
    return build_graph(PACKAGE_DIR)


def where(site: ImportSite) -> str:
    return f"{site.path.relative_to(ROOT).as_posix()}:{site.line}"


def test_layer_table_is_consistent():
    assert len(set(LAYER_NAMES)) == len(LAYER_NAMES), "duplicate layer names"
    for i, (name, patterns, allowed) in enumerate(LAYERS):
        assert patterns, f"layer {name} has no patterns"
        if allowed != ALL:
            assert set(allowed) <= set(LAYER_NAMES[:i]), \
                f"layer {name} may import only earlier layers, not {allowed}"
    assert set(FAMILY_LAYERS) <= set(LAYER_NAMES)


def test_no_import_cycles():
    graph = project_graph()
    successors = graph.successors()
    found = cycles(successors)
    report = []
    for component in found:
        example = " -> ".join(shortest_cycle(component[0], set(component), successors))
        report.append(f"{len(component)} modules: {', '.join(component)}\n    e.g. {example}")
    if found:
        pytest.fail(f"{len(found)} import cycle(s):\n  " + "\n  ".join(report), pytrace=False)


def test_imports_point_down():
    violations = [
        f"{edge.source}:{edge.line} imports {edge.target} "
        f"(layer {layer_of(edge.source)} -> layer {layer_of(edge.target)})"
        for edge in project_graph().edges if layer_violation(edge.source, edge.target)]
    if violations:
        pytest.fail(f"{len(violations)} import(s) against the layers:\n  "
                    + "\n  ".join(violations), pytrace=False)


def test_every_module_has_a_layer():
    unclassified = [name for name in project_graph().modules if layer_of(name) is None]
    if unclassified:
        pytest.fail("unclassified module(s), place them in LAYERS: "
                    + ", ".join(sorted(unclassified)), pytrace=False)


def test_few_function_level_imports():
    deferred = [site for site in project_graph().sites if site.in_function]
    problems = []
    if len(deferred) >= FUNCTION_IMPORT_LIMIT:
        problems.append(f"{len(deferred)} imports inside functions, the limit is under "
                        f"{FUNCTION_IMPORT_LIMIT}:\n    "
                        + "\n    ".join(f"{where(s)} {', '.join(s.targets)}" for s in deferred))
    silent = [site for site in deferred if not has_reason(site)]
    if silent:
        problems.append(f"{len(silent)} imports inside functions without a comment saying why:"
                        "\n    " + "\n    ".join(where(site) for site in silent))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_third_party_imports():
    stdlib = set(sys.stdlib_module_names)
    graph = project_graph()
    offenders = []
    for site in graph.sites:
        for target in site.targets:
            top = target.split(".")[0]
            if top in THIRD_PARTY and not matches(site.module, THIRD_PARTY[top]):
                offenders.append(f"{where(site)} {site.module} imports {target}")
            elif (matches(site.module, ENGINE_PATTERNS) and top != graph.package
                  and top not in stdlib and top not in ENGINE_THIRD_PARTY):
                offenders.append(f"{where(site)} {site.module} (engine) imports {target}")
    if offenders:
        pytest.fail("\n  ".join(["third-party imports out of place:", *offenders]),
                    pytrace=False)


# --------------------------------------------------------------------------------------------
# The builder, tested on a small tree
# --------------------------------------------------------------------------------------------

_SYNTHETIC = {
    "pkg/__init__.py": """\
from . import sub
from .a import thing
""",
    "pkg/a.py": """\
import os
import importlib
from pkg.sub import leaf
from . import b, helper_name

thing = 1


def f(x=importlib.import_module("pkg.sub")):
    from .b import g  # b imports a back
    def inner():
        import pkg.sub.leaf
    return importlib.import_module("pkg.sub.leaf")
""",
    "pkg/b.py": """\
from importlib import import_module
from pkg import a


class C:
    def method(self):
        # a comment line above says why
        return import_module(".a", package=__package__)

    def other(self):
        return import_module("..sub", __name__)


def g():
    from . import (  # noqa: F401
        a,
    )
""",
    "pkg/sub/__init__.py": """\
from .. import b
from ..a import f
try:
    import json
except ImportError:
    with open(__file__):
        import simplejson
if b:
    from . import leaf
""",
    "pkg/sub/leaf.py": """\
from ..outside import nothing
from .. import missing_name
from .... import beyond_the_top
""",
    "pkg/nsdir/mod.py": """\
from pkg import nsdir
from pkg.nsdir import mod


class K:
    def method(self):
        import pkg.b  # an import in a method, in a module without import_module
""",
}


def test_graph_builder_on_a_small_tree(tmp_path):
    for name, source in _SYNTHETIC.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    graph = build_graph(tmp_path / "pkg")

    assert sorted(graph.modules) == ["pkg", "pkg.a", "pkg.b", "pkg.nsdir.mod", "pkg.sub",
                                     "pkg.sub.leaf"]
    edges = {(e.source, e.target, e.line, e.in_function) for e in graph.edges}
    assert edges == {
        ("pkg", "pkg.sub", 1, False),             # from . import sub: the sub-package
        ("pkg", "pkg.a", 2, False),               # from .a import thing
        ("pkg.a", "pkg.sub.leaf", 3, False),      # from pkg.sub import leaf: the submodule
        ("pkg.a", "pkg.b", 4, False),             # from . import b, helper_name
        ("pkg.a", "pkg", 4, False),               # helper_name is no module: the package
        ("pkg.a", "pkg.sub", 9, False),           # import_module in a default: not deferred
        ("pkg.a", "pkg.b", 10, True),
        ("pkg.a", "pkg.sub.leaf", 12, True),      # nested function
        ("pkg.a", "pkg.sub.leaf", 13, True),      # import_module literal
        ("pkg.b", "pkg.a", 2, False),             # from pkg import a
        ("pkg.b", "pkg.a", 8, True),              # import_module(".a", package=__package__)
        ("pkg.b", "pkg.sub", 11, True),           # import_module("..sub", __name__)
        ("pkg.b", "pkg.a", 15, True),
        ("pkg.sub", "pkg.b", 1, False),
        ("pkg.sub", "pkg.a", 2, False),
        ("pkg.sub", "pkg.sub.leaf", 9, False),    # in a conditional, not in a function
        ("pkg.sub.leaf", "pkg", 2, False),        # no implicit edge to pkg.sub
        ("pkg.nsdir.mod", "pkg", 1, False),       # no pkg/nsdir/__init__.py: the package
        ("pkg.nsdir.mod", "pkg.b", 7, True),
    }
    externals = {t for s in graph.sites for t in s.targets if t not in graph.modules}
    assert externals == {"os", "importlib", "json", "simplejson", "pkg.outside"}

    deferred = [site for site in graph.sites if site.in_function]
    assert [(s.module, s.line, s.is_call) for s in deferred] == [
        ("pkg.a", 10, False), ("pkg.a", 12, False), ("pkg.a", 13, True),
        ("pkg.b", 8, True), ("pkg.b", 11, True), ("pkg.b", 15, False),
        ("pkg.nsdir.mod", 7, False)]
    assert [has_reason(s) for s in deferred] == [True, False, False, True, False, False, True]

    successors = graph.successors()
    assert cycles(successors) == [["pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.leaf"]]
    assert cycles({"x": {"y"}, "y": {"z"}, "z": set(), "w": {"w"}}) == []
    assert shortest_cycle("pkg.b", set(graph.modules), successors) == ["pkg.b", "pkg.a", "pkg.b"]


def test_layer_rules_on_names():
    assert layer_of("gradcli.engine.ops.registry") == "engine.opsbase"
    assert layer_of("gradcli.engine.ops.reduce") == "engine.ops"
    assert layer_of("gradcli.engine.ops.reduce.sums") == "engine.ops"
    assert layer_of("gradcli.engine.ops") == "engine.package"
    assert layer_of("gradcli") == "runtime"
    assert layer_of("gradcli.engine.unplaced") is None
    assert layer_violation("gradcli.engine.ops.reduce", "gradcli.engine.ops.shape")
    assert not layer_violation("gradcli.engine.ops.reduce.a", "gradcli.engine.ops.reduce.b")
    assert not layer_violation("gradcli.engine.ops.reduce", "gradcli.engine.ops.registry")
    assert layer_violation("gradcli.engine.ops.registry", "gradcli.engine.ops.reduce")
    assert layer_violation("gradcli.render", "gradcli.api")
    assert layer_violation("gradcli.render.x", "gradcli.lang.y")
    assert layer_violation("gradcli.lang.x", "gradcli.render.y")
    assert not layer_violation("gradcli.lang.x", "gradcli.api.y")
    assert not layer_violation("gradcli.cli.main", "gradcli")
