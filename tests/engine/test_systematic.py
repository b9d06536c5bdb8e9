"""The systematic test: every op whose table entry declares a ``domain`` is checked
from the entry alone, with no test of its own (STYLE.md: tests are table-driven
where the code is table-driven).

For each such op and each shape set below (scalar, vector, matrix, broadcast):
- ``gradcheck`` and ``gradgradcheck`` in float64 on inputs drawn from the domain;
- where PyTorch is installed, the value, the grad_fn name, the gradients, and
  the result dtype (or the error class) for int64, bool and float32 inputs
  against PyTorch's.

Adding ``domain=`` to an op's entry is all it takes to be covered here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradcli.engine import Tensor, ops
from gradcli.engine import dtypes as dt
from gradcli.engine.gradcheck import gradcheck, gradgradcheck
from gradcli.engine.ops.registry import all_ops

SHAPES = {
    1: [((),), ((4,),), ((3, 2),)],
    2: [((), ()), ((4,), (4,)), ((3, 2), (3, 2)), ((3, 2), (2,)), ((1, 2), (3, 1)),
        ((2, 3), ())],
}

SYSTEMATIC = [opdef for opdef in all_ops(ops.TABLES) if opdef.domain]
CASES = [(opdef, shapes) for opdef in SYSTEMATIC for shapes in SHAPES[len(opdef.domain)]]
IDS = [f"{opdef.name}-{'x'.join(str(list(s)) for s in shapes)}" for opdef, shapes in CASES]


def _values(opdef, shapes, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, shape) for (low, high), shape in zip(opdef.domain, shapes)]


def _seed(opdef, shapes) -> int:
    return sum(map(ord, opdef.name)) + 7 * sum(len(s) for s in shapes)


def _ours(values, requires_grad: bool = True) -> list[Tensor]:
    return [Tensor._make(np.array(v, dtype=np.float64), dt.float64, requires_grad=requires_grad)
            for v in values]


def test_some_ops_are_systematic():
    names = {opdef.name for opdef in SYSTEMATIC}
    assert {"exp", "log", "add", "mul", "div", "pow", "maximum"} <= names


@pytest.mark.parametrize(("opdef", "shapes"), CASES, ids=IDS)
def test_gradcheck_first_and_second_order(opdef, shapes):
    inputs = tuple(_ours(_values(opdef, shapes, _seed(opdef, shapes))))
    assert gradcheck(opdef.fn, inputs)
    assert gradgradcheck(opdef.fn, inputs)


def _torch_function(torch, opdef):
    """PyTorch's function for ``opdef``: ``torch.NAME``, or its first qualified name
    (``torch.special.ndtri``) for an op that only a submodule has."""
    if opdef.function:
        return getattr(torch, opdef.name)
    module, _, name = opdef.qualified[0].rpartition(".")
    return getattr(getattr(torch, module), name)


def _node_name(t) -> str | None:
    fn = t.grad_fn
    return None if fn is None else fn.name()


@pytest.mark.parametrize(("opdef", "shapes"), CASES, ids=IDS)
def test_matches_pytorch(opdef, shapes):
    torch = pytest.importorskip("torch")
    values = _values(opdef, shapes, _seed(opdef, shapes))
    ours_in = _ours(values)
    theirs_in = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    ours = opdef.fn(*ours_in)
    theirs = _torch_function(torch, opdef)(*theirs_in)
    np.testing.assert_allclose(ours._data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert _node_name(ours) == _node_name(theirs)
    weights = np.linspace(-1.0, 1.5, math.prod(ours.shape)).reshape(ours.shape)
    (ours * Tensor._make(weights, dt.float64)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours_in, theirs_in):
        # force=True: PyTorch gives some zero gradients as a ZeroTensor (sgn).
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(force=True), rtol=1e-10,
                                   atol=1e-12)


def _typed(values, kind: str):
    """(our input, PyTorch's input) for one array of values, as dtype ``kind``."""
    torch = pytest.importorskip("torch")
    if kind == "bool":
        array = np.asarray(values) > 0
    elif kind == "int64":
        array = np.rint(values).astype(np.int64)
    else:
        array = np.asarray(values, dtype=np.float32)
    return (Tensor._make(array, dt.from_numpy(array.dtype)),
            torch.tensor(array.tolist(), dtype=getattr(torch, kind)))


@pytest.mark.parametrize("opdef", SYSTEMATIC, ids=[opdef.name for opdef in SYSTEMATIC])
@pytest.mark.parametrize("kind", ["int64", "bool", "float32"])
def test_result_dtype_matches_pytorch(opdef, kind):
    torch = pytest.importorskip("torch")
    shapes = SHAPES[len(opdef.domain)][1]
    pairs = [_typed(v, kind) for v in _values(opdef, shapes, _seed(opdef, shapes))]
    ours_error = theirs_error = None
    try:
        ours = opdef.fn(*(p[0] for p in pairs))
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        ours_error = type(error).__name__
    try:
        theirs = _torch_function(torch, opdef)(*(p[1] for p in pairs))
    except Exception as error:  # noqa: BLE001
        theirs_error = type(error).__name__
    assert ours_error == theirs_error
    if ours_error is None:
        assert str(ours.dtype) == str(theirs.dtype)
