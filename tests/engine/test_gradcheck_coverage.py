"""Every op that records a backward node is gradchecked by some test table."""

import importlib.util
import pathlib

from gradcli.engine import ops
from gradcli.engine.ops.registry import all_ops

HERE = pathlib.Path(__file__).resolve().parent


def gradcheck_tables() -> list:
    cases = []
    for path in sorted(HERE.glob("test_*.py")):
        if path.name == pathlib.Path(__file__).name:
            continue
        spec = importlib.util.spec_from_file_location(f"_coverage_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.extend(getattr(module, "GRADCHECK_CASES", []))
    return cases


# PyTorch defines the gradient of a random sample as zero, not as the derivative of
# the sample (no reparameterisation), so finite differences do not apply; the zero
# gradients and node names are checked against PyTorch in test_random.py.
RANDOM_SAMPLERS = {"normal", "bernoulli", "poisson", "uniform_", "normal_", "random_",
                   "exponential_", "bernoulli_", "cauchy_", "log_normal_", "geometric_"}


def test_every_differentiable_op_is_gradchecked():
    # Ops whose entry declares a domain are gradchecked by test_systematic.py.
    checked = {case[0] for case in gradcheck_tables()} | {
        opdef.name for opdef in all_ops(ops.TABLES) if opdef.domain} | RANDOM_SAMPLERS
    differentiable = {opdef.name for opdef in all_ops(ops.TABLES) if opdef.grad_fns}
    missing = sorted(differentiable - checked)
    assert missing == [], f"ops with a backward but no GRADCHECK_CASES entry: {missing}"


def test_gradcheck_tables_name_real_ops():
    names = {opdef.name for opdef in all_ops(ops.TABLES)} | {
        alias for opdef in all_ops(ops.TABLES) for alias in opdef.aliases}
    unknown = sorted({case[0] for case in gradcheck_tables()} - names)
    assert unknown == []
