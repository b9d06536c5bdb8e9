"""`gradcli grad`: values, gradients, Jacobians, Hessians and the finite-difference check."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gradcli.cli.main import cli
from gradcli.engine import ops
from gradcli.engine.ops.registry import all_ops


def grad(*args):
    return CliRunner(mix_stderr=False).invoke(cli, ["grad", *args], env={"NO_COLOR": "1"}) \
        if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else \
        CliRunner().invoke(cli, ["grad", *args], env={"NO_COLOR": "1"})


def test_value_and_gradient():
    result = grad("sin(x ** 2).exp()", "x=2.0")
    assert result.exit_code == 0
    assert result.stdout == "value  tensor(0.4692)\ndx     tensor(-1.2267)\n"


def test_inputs_keep_a_floating_dtype_and_ints_become_float():
    result = grad("(a * b).sum()", "a=tensor([1., 2.], dtype=float64)", "b=arange(2)",
                  "--format", "json")
    doc = json.loads(result.stdout)
    assert [d["tensor"]["dtype"] for d in doc["derivatives"]] == ["float64", "float32"]
    assert doc["derivatives"][1]["tensor"]["value"] == [1.0, 2.0]


def test_jacobian_of_a_non_scalar_value():
    doc = json.loads(grad("x * y", "x=[1., 2.]", "y=[3., 4.]", "--format", "json").stdout)
    jx, jy = (d["tensor"] for d in doc["derivatives"])
    assert jx["shape"] == [2, 2] and jx["value"] == [[3.0, 0.0], [0.0, 4.0]]
    assert jy["value"] == [[1.0, 0.0], [0.0, 2.0]]


def test_sum_reduces_first_and_wrt_limits_the_inputs():
    doc = json.loads(grad("x * y", "x=[1., 2.]", "y=[3., 4.]", "--sum", "--wrt", "y",
                          "--format", "json").stdout)
    assert [(d["name"], d["tensor"]["value"]) for d in doc["derivatives"]] == [("dy", [1.0, 2.0])]


def test_hessian():
    doc = json.loads(grad("(x ** 3).sum()", "x=[1., 2.]", "--order", "2", "--format",
                          "json").stdout)
    (h,) = doc["derivatives"]
    assert h["kind"] == "hessian" and h["tensor"]["value"] == [[6.0, 0.0], [0.0, 12.0]]


def test_hessian_check_passes():
    result = grad("(x ** 3 * y).sum()", "x=[1., 2.]", "y=0.5", "--order", "2", "--check")
    assert result.exit_code == 0, result.stdout
    assert "ok: the derivatives agree" in result.stdout


# At least 30 expressions whose gradients must agree with finite differences.
CHECKED = [
    ("sin(x ** 2).exp()", ["x=2.0"]),
    ("(w @ x + b).sigmoid().sum()", ["w=[[1., 2.], [3., 4.]]", "x=[1., -1.]", "b=0.5"]),
    ("(x * y).sum()", ["x=[1., 2.]", "y=[3., 4.]"]),
    ("x / y", ["x=[1., 2.]", "y=[3., 4.]"]),
    ("x.tanh()", ["x=[0.3, -1.2]"]),
    ("x.log().sum()", ["x=[0.5, 2.5]"]),
    ("x.sqrt()", ["x=[0.5, 2.5]"]),
    ("(x ** y).sum()", ["x=[1.5, 2.5]", "y=[0.5, 2.0]"]),
    ("x.softmax(0)", ["x=[0.1, 0.2, 0.7]"]),
    ("x.log_softmax(0)[1]", ["x=[0.1, 0.2, 0.7]"]),
    ("(x @ x.t()).trace()", ["x=[[1., 2.], [3., 4.]]"]),
    ("x.mean()", ["x=[[1., 2.], [3., 4.]]"]),
    ("x.std()", ["x=[1., 2., 4.]"]),
    ("x.var(0)", ["x=[[1., 2.], [3., 5.]]"]),
    ("x.max()", ["x=[1., 5., 3.]"]),
    ("x.norm()", ["x=[3., 4.]"]),
    ("x.prod()", ["x=[1., 2., 3.]"]),
    ("x.cumsum(0)", ["x=[1., 2., 3.]"]),
    ("x.view(2, 2).t() * y", ["x=[1., 2., 3., 4.]", "y=[1., 10.]"]),
    ("x[1:] * 2", ["x=[1., 2., 3.]"]),
    ("torch.cat([x, y * 2])", ["x=[1., 2.]", "y=[3.]"]),
    ("torch.stack([x, y]).sum(0)", ["x=[1., 2.]", "y=[3., 4.]"]),
    ("x.exp() + x.sin() * x.cos()", ["x=[0.3, 1.7]"]),
    ("x.sigmoid() * (1 - x.sigmoid())", ["x=[0.3, -1.7]"]),
    ("torch.atan2(x, y)", ["x=[1., -2.]", "y=[0.5, 3.]"]),
    ("(x - y).pow(2).mean()", ["x=[1., 2.]", "y=[0.5, 3.]"]),
    ("torch.nn.functional.mse_loss(x, y)", ["x=[1., 2.]", "y=[0.5, 3.]"]),
    ("torch.nn.functional.cross_entropy(x, tensor([1, 0]))", ["x=[[0.1, 0.2], [0.5, -1.]]"]),
    ("x.logsumexp(0)", ["x=[0.1, 0.2, 3.]"]),
    ("x.clamp(0., 2.)", ["x=[-1., 0.5, 3.]"]),
    ("(x * x).sum(1, keepdim=True) * y", ["x=[[1., 2.], [3., 4.]]", "y=[1., 2.]"]),
    ("torch.where(x > 0, x * x, -x)", ["x=[-1., 2.]"]),
    ("x.reciprocal().sum()", ["x=[2., 4.]"]),
    ("(x.unsqueeze(1) - x.unsqueeze(0)).abs().sum()", ["x=[1., 2., 4.]"]),
    ("x.matmul(y)", ["x=[[1., 2.], [3., 4.]]", "y=[[0.5], [-1.]]"]),
]


@pytest.mark.parametrize("expression, inputs", CHECKED, ids=[e for e, _ in CHECKED])
def test_check_agrees_with_finite_differences(expression, inputs):
    result = grad("--check", expression, *inputs)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ok: the derivatives agree with finite differences" in result.stdout


def test_enough_checked_expressions():
    assert len(CHECKED) >= 30


@pytest.fixture
def wrong_sin_backward(monkeypatch):
    """SinBackward0 made to return -cos instead of cos: a planted bug."""
    (rule,) = [r for op in all_ops(ops.TABLES) for r in op.backward if r.name == "SinBackward0"]
    right = rule.fn
    monkeypatch.setattr(rule, "fn", lambda ctx, g: tuple(-r for r in right(ctx, g)))


def test_check_fails_on_a_wrong_gradient(wrong_sin_backward):
    result = grad("--check", "(x.sin() * y).sum()", "x=[0.5, 1.]", "y=[2., 3.]")
    assert result.exit_code == 1
    assert "FAILED: the derivatives for x disagree with finite differences" in result.stdout
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line}
    assert lines["x"].endswith("FAIL") and lines["y"].endswith("ok")


def test_check_json_reports_the_failure(wrong_sin_backward):
    result = grad("--check", "--format", "json", "x.sin()", "x=[0.5]")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["ok"] is False
    assert doc["checks"][0]["max_abs_error"] > 1


@pytest.mark.parametrize("expression", ["x.abs().sum()", "x.relu().sum()",
                                        "torch.nn.functional.relu(x * 2).sum()"])
def test_non_differentiable_points_warn_instead_of_failing(expression):
    result = grad("--check", expression, "x=[0., 1.]")
    assert result.exit_code == 0, result.stdout
    assert "not differentiable here" in result.stdout
    assert "warning: x is at a point where the expression is not differentiable" in result.stderr


def test_trace_lists_the_steps_in_engine_order():
    result = grad("--trace", "mean(x * x)", "x=[[1., 2.], [3., 4.]]")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    start = lines.index("backward pass, in the order the engine ran it:")
    steps = [line.split()[:2] for line in lines[start + 2:] if line[:1].isdigit()]
    assert steps == [["1", "MeanBackward0"], ["2", "MulBackward0"],
                     ["3", "AccumulateGrad"]]
    assert "AccumulateGrad x <- tensor([[0.2500, 0.5000], [0.7500, 1.0000]])" in result.stdout
    assert "result = tensor([[0.5000, 1.0000], [1.5000, 2.0000]])" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["x + 1"], "give at least one input"),
    (["x + 1", "x"], "is not an input: write NAME=VALUE"),
    (["x + 1", "x=1.", "--wrt", "z"], "--wrt z: not among the inputs"),
    (["x * 2", "x=[1., 2.]", "--order", "2"], "--order 2 needs a value with one element"),
])
def test_usage_errors(args, message):
    result = grad(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_program_errors_exit_1_with_a_location():
    result = grad("x @ y", "x=[1., 2.]", "y=[1., 2., 3.]")
    assert result.exit_code == 1
    assert "RuntimeError" in result.stderr and "<command line>" in result.stderr


def test_per_node_check_passes_node_by_node():
    result = grad("--check", "--per-node", "(w @ x + b).sigmoid().sum()",
                  "w=[[1., 2.], [3., 4.]]", "x=[1., -1.]", "b=0.5")
    assert result.exit_code == 0, result.stdout
    nodes = [line.split()[1] for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert nodes == ["MvBackward0", "AddBackward0", "SigmoidBackward0", "SumBackward0"]
    assert "ok: every node's backward agrees with finite differences" in result.stdout


def test_per_node_check_names_the_wrong_node_and_its_statement(wrong_sin_backward):
    result = grad("--check", "--per-node", "h = x * 3; y = h.sin() * 2; y.exp().sum()",
                  "x=[0.5, 1.]")
    assert result.exit_code == 1
    verdicts = {line.split()[1]: line.split()[-1] for line in result.stdout.splitlines()
                if line[:1].isdigit()}
    assert verdicts == {"MulBackward0": "ok", "SinBackward0": "FAIL", "ExpBackward0": "ok",
                        "SumBackward0": "ok"}
    assert ("FAILED: the first node whose backward disagrees with finite differences is "
            "SinBackward0 (node 2) in `y = h.sin() * 2`") in result.stdout


def test_per_node_json(wrong_sin_backward):
    result = grad("--check", "--per-node", "--format", "json", "x.sin().sum()", "x=[0.5]")
    doc = json.loads(result.stdout)
    assert [(c["node"], c["ok"]) for c in doc["node_checks"]] == [
        ("SinBackward0", False), ("SumBackward0", True)]
