"""Golden graphs: the tree, DOT, JSON and backward trace of each ``graphs/NAME.gc``.

``NAME.out`` is what PyTorch prints for the program (the oracle's ``--write``;
the pytest plugin and ``gradcli check tests/views/graphs`` run it).
``NAME.graph`` is PyTorch's grad_fn graph of the program's last expression,
written by the oracle (``python ../shared/tools/oracle.py --graph NAME.gc``):
the tree gradcli builds must have the same nodes, in the same order, with the
same shared nodes, leaves (shape, dtype) and inputs that need no grad.
``NAME.tree``, ``NAME.dot``, ``NAME.json`` and ``NAME.trace`` are gradcli's own
output, kept so that any change to it is seen; rewrite them with
``GRADCLI_UPDATE_VIEWS=1 pytest tests/views``.
"""

from __future__ import annotations

import json
import os
import pathlib

import pytest
from click.testing import CliRunner

from gradcli.cli.main import cli
from gradcli.engine import autograd
from gradcli.render.trace import TraceRecorder, trace_rows
from gradcli.render.tree import build_tree
from gradcli.runtime import Session

HERE = pathlib.Path(__file__).parent / "graphs"
PROGRAMS = sorted(HERE.glob("*.gc"))
UPDATE = bool(os.environ.get("GRADCLI_UPDATE_VIEWS"))


def oracle_form(item, depth: int = 0) -> list[str]:
    """The tree in oracle.py --graph's layout."""
    pad = "  " * depth
    if item.kind == "none":
        return [pad + "None"]
    name = item.label
    if name == "AccumulateGrad":
        dtype, _, shape = item.meta.partition("[")
        name += f" [{shape} {dtype}"
    if item.kind == "shared":
        return [pad + name + " (seen)"]
    lines = [pad + name]
    for child in item.children:
        lines.extend(oracle_form(child, depth + 1))
    return lines


def run_program(path: pathlib.Path):
    session = Session(lambda _text: None)
    assert session.run(path.read_text(), path.name) is None
    return session


def check_golden(path: pathlib.Path, text: str) -> None:
    if UPDATE or not path.exists():
        path.write_text(text)
    assert text == path.read_text()


def test_enough_graphs():
    assert len(PROGRAMS) >= 10


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_tree_matches_pytorch(program):
    session = run_program(program)
    tree = build_tree(session.last_value, session.variables())
    assert "\n".join(oracle_form(tree)) + "\n" == program.with_suffix(".graph").read_text()


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
@pytest.mark.parametrize("form", ["tree", "dot", "json"])
def test_views_golden(program, form):
    args = ["graph", "--file", str(program)]
    if form != "tree":
        args += ["--dot"] if form == "dot" else ["--format", "json"]
    result = CliRunner().invoke(cli, args, env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    if form == "json":
        json.loads(result.output)
    check_golden(program.with_suffix("." + form), result.output)


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_trace_golden(program):
    session = run_program(program)
    value = session.last_value
    recorder = TraceRecorder(session.variables)
    previous = autograd.set_trace_listener(recorder)
    try:
        autograd.backward(value, retain_graph=True)
    except RuntimeError as e:  # a graph freed by the program's own backward()
        text = f"error: {e}\n"
    else:
        text = "".join(" | ".join(row).replace("\n", " ; ") + "\n"
                       for row in trace_rows(recorder.passes[-1]))
    finally:
        autograd.set_trace_listener(previous)
    check_golden(program.with_suffix(".trace"), text)
