"""JSON output against the schema, pictures with and without Graphviz, and run's view options."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import jsonschema
import pytest
from click.testing import CliRunner

from gradcli.cli.main import cli

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "gradcli-output.schema.json").read_text())
GRAPHS = pathlib.Path(__file__).parent / "graphs"
PROGRAM = "x = ones(2, 2, requires_grad=True); y = x + 2; (y * y * 3).mean()"


def invoke(*args):
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})


def documents(output: str) -> list:
    docs = [json.loads(line) for line in output.splitlines()]
    for doc in docs:
        jsonschema.validate(doc, SCHEMA)
    return docs


@pytest.mark.parametrize("args", [
    ["--format", "json", "x = tensor([1., 2.], requires_grad=True); (x * x).sum()"],
    ["--format", "json", "tensor([nan, inf, -inf]); 3; 'a'; (2, 3); ones(2).shape; print(1)"],
    ["--format", "json", "--tree", "--grads", "--trace",
     "x = tensor([1., 2.], requires_grad=True); l = (x * x).sum(); l; l.backward()"],
    ["--format", "json", "ones(2) @ ones(3)"],
    ["run", "--format", "json", str(GRAPHS / "basic.gc")],
    ["graph", "--format", "json", PROGRAM],
    ["graph", "--format", "json", "--saved", "--file", str(GRAPHS / "copyslices.gc")],
    ["graph", "--format", "json", "1 + 1"],
    ["grad", "--format", "json", "--check", "--trace", "(w * x).sum()", "w=[1., 2.]", "x=3."],
    ["grad", "--format", "json", "--per-node", "(x.relu() * x).sum()", "x=[0., 2.]"],
    ["grad", "--format", "json", "--order", "2", "(x ** 3).sum()", "x=[1., 2.]"],
    ["grad", "--format", "json", "x.log()", "x=[0., 1.]"],
    ["grad", "--format", "json", "x +", "x=1."],
    ["check", "--format", "json", str(GRAPHS.parent.parent.parent / "samples")],
])
def test_json_output_follows_the_schema(args):
    result = invoke(*args)
    docs = documents(result.output)
    assert docs
    if result.exit_code == 1:
        assert "error" in docs[-1] or docs[-1].get("ok") is False or "failed" in docs[-1]


def test_json_encodes_nan_and_infinity_losslessly():
    (doc,) = documents(invoke("--format", "json", "tensor([nan, inf, -inf, 0.1])").output)
    assert doc["value"][:3] == ["nan", "inf", "-inf"]
    assert doc["value"][3] == float(__import__("numpy").float32(0.1))


def test_json_error_has_type_and_location():
    result = invoke("--format", "json", "x = 1\nx @ x")
    (doc,) = documents(result.output)
    assert result.exit_code == 1
    assert doc["error"]["type"] == "TypeError" and doc["error"]["line"] == 2


def test_graph_shows_names_shared_nodes_and_inputs_without_grad():
    result = invoke("graph", PROGRAM)
    assert result.exit_code == 0
    assert result.output == (
        "MeanBackward0  float32[]\n"
        "└── MulBackward0  float32[2, 2]\n"
        "    ├── MulBackward0  float32[2, 2]\n"
        "    │   ├── AddBackward0  y  float32[2, 2]\n"
        "    │   │   ├── AccumulateGrad  x  float32[2, 2]\n"
        "    │   │   └── (no grad)\n"
        "    │   └── AddBackward0  y  float32[2, 2]  (shared, shown above)\n"
        "    └── (no grad)\n")


def test_graph_ascii_depth_focus_and_saved():
    ascii_tree = invoke("graph", "--ascii", "--depth", "1", PROGRAM).output
    assert ascii_tree == ("MeanBackward0  float32[]\n"
                          "`-- MulBackward0  float32[2, 2]\n"
                          "    `-- ... 2 more inputs\n")
    focused = invoke("graph", "--focus", "y", PROGRAM).output
    assert focused.splitlines()[0] == "AddBackward0  y  float32[2, 2]"
    saved = invoke("graph", "--saved", PROGRAM).output
    assert "saved[0]  y  float32[2, 2]" in saved
    freed = invoke("graph", "--saved", PROGRAM.replace("(y * y * 3).mean()",
                                                        "l = (y * y).sum(); l.backward(); l"))
    assert "saved  (freed by backward)" not in freed.output
    assert "freed by backward" in freed.output
    assert "grad=tensor([[6., 6.]," in freed.output


def test_graph_usage_errors():
    assert invoke("graph", "--focus", "nope", PROGRAM).exit_code == 2
    result = invoke("graph", "x = 1")
    assert result.exit_code == 2 and "not a tensor" in result.output


def _gradcli(args, env):
    return subprocess.run([sys.executable, "-m", "gradcli", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, check=False)


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_pictures_without_graphviz_say_how_to_install_it(tmp_path, kind):
    empty = tmp_path / "bin"
    empty.mkdir()
    target = tmp_path / f"g.{kind}"
    env = {**os.environ, "PATH": str(empty), "NO_COLOR": "1"}
    result = _gradcli(["graph", f"--{kind}", str(target), PROGRAM], env)
    assert result.returncode == 2
    assert "needs Graphviz's `dot` program, which is not installed" in result.stderr
    assert "apt-get install graphviz" in result.stderr
    assert result.stdout == ""
    assert not target.exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_svg_is_drawn_with_graphviz(tmp_path):
    target = tmp_path / "g.svg"
    result = _gradcli(["graph", "--svg", str(target), PROGRAM], {**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    svg = target.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for label in ("MeanBackward0", "AccumulateGrad", "AddBackward0"):
        assert label in svg


def test_dot_lists_nodes_and_edges_from_input_to_output():
    dot = invoke("graph", "--dot", PROGRAM).output
    assert dot.startswith('digraph "grad_fn" {')
    assert 'n4 [label="AccumulateGrad\\nx\\nfloat32[2, 2]"' in dot
    assert "n4 -> n3;" in dot


def test_tree_and_grads_options_on_run():
    result = invoke("--tree", "--grads", "x = tensor([1., 2.], requires_grad=True); "
                    "loss = (x * x).sum(); loss; loss.backward()")
    assert result.output == (
        "tensor(5., grad_fn=<SumBackward0>)\n"
        "SumBackward0  loss  float32[]\n"
        "└── MulBackward0  float32[2]\n"
        "    ├── AccumulateGrad  x  float32[2]\n"
        "    └── AccumulateGrad  x  float32[2]  (shared, shown above)\n"
        "x.grad  tensor([2., 4.])\n")


def test_trace_on_run_shows_hooks_and_retained_grads():
    result = invoke("--trace", "x = tensor([1., 2.], requires_grad=True); y = x * 2; "
                    "h = y.register_hook(lambda g: g * 10); y.retain_grad(); "
                    "y.sum().backward(); x.grad")
    lines = result.output.splitlines()
    assert lines[0] == "backward pass, in the order the engine ran it:"
    assert [line.split()[1] for line in lines[2:7]] == [
        "SumBackward0", "hook", "retain_grad", "MulBackward0", "AccumulateGrad"]
    assert lines[-1] == "tensor([20., 20.])"


def test_plain_one_liner_does_not_load_the_views():
    code = ("import sys; from gradcli.cli.main import cli; "
            "sys.argv = ['gradcli', '1 + 1'];\ntry:\n cli()\nexcept SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('gradcli.render.') "
            "or m == 'gradcli.cli.views'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.stdout.splitlines()[-1] == "['gradcli.render.tensor_repr']"


def test_collapse_line_draws_one_node_per_statement():
    result = invoke("graph", "--collapse", "line", "--file",
                    str(pathlib.Path(__file__).parent / "collapse.gc"))
    assert result.exit_code == 0, result.output
    assert result.output == (
        "loss = z.sum()  SumBackward0\n"
        "└── z = y * w + y.exp()  AddBackward0, MulBackward0, ExpBackward0\n"
        "    ├── y = sin(x ** 2)  SinBackward0, PowBackward0\n"
        "    │   └── AccumulateGrad  x  float32[2]\n"
        "    └── AccumulateGrad  w  float32[2]\n")


def test_collapse_line_marks_a_statement_used_twice():
    result = invoke("graph", "--collapse", "line",
                    "x = tensor([1.], requires_grad=True); a = x.exp(); b = a * 2; c = a + b; c")
    assert result.output.splitlines()[-1].endswith("a = x.exp()  ExpBackward0  "
                                                   "(shared, shown above)")


def test_colour_on_a_terminal_changes_no_character():
    plain = invoke("graph", PROGRAM).output
    coloured = CliRunner().invoke(cli, ["graph", PROGRAM], env={"FORCE_COLOR": "1",
                                                                 "NO_COLOR": None}).output
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_graph_marks_hooks_and_retained_grads():
    result = invoke("graph", "x = tensor([1., 2.], requires_grad=True); "
                    "h = x.register_hook(lambda g: g); y = x * 2; "
                    "h2 = y.register_hook(lambda g: g * 2); y.retain_grad(); y.sum()")
    assert result.output == ("SumBackward0  float32[]\n"
                             "└── MulBackward0  y  float32[2]  retains grad  1 hook\n"
                             "    ├── AccumulateGrad  x  float32[2]  1 hook\n"
                             "    └── (no grad)\n")
