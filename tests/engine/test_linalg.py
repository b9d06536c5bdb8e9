"""Linear algebra: products, einsum, diagonals; values, errors, graphs and gradients.

- ``GOLDEN``: values printed by PyTorch 2.13, pasted here (run without torch);
- ``CASES``: run on gradcli and, when torch is installed, on PyTorch: values
  (bit for bit where PyTorch's summation order is reproduced, else to float32
  rounding), dtypes, shapes, the whole grad_fn tree and first-order gradients;
- ``GRADCHECK_CASES``: every op of the linalg table that records a backward
  node, against finite differences (first and second order).
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from gradcli.engine import FUNCTIONS, Tensor
from gradcli.engine import dtypes as dt
from gradcli.engine.gradcheck import gradcheck, gradgradcheck

G = types.SimpleNamespace(**FUNCTIONS, **dt.ALIASES)
tensor = FUNCTIONS["tensor"]


def _values(shape, seed=0, kind="normal"):
    rng = np.random.default_rng(seed)
    if kind == "int":
        return rng.integers(-4, 5, size=shape)
    return rng.standard_normal(shape)


# ===================================================================== golden
GOLDEN = [
    ("matmul-int", lambda T: T.tensor([[1, 2], [3, 4]]) @ T.tensor([[5, 6], [7, 8]]),
     [[19, 22], [43, 50]], "int64"),
    ("matmul-int32", lambda T: T.tensor([[1, 2]], dtype=T.int32) @ T.tensor(
        [[1], [1]], dtype=T.int32), [[3]], "int32"),
    ("dot", lambda T: T.dot(T.tensor([1.0, 2.0, 3.0]), T.tensor([0.0, 1.0, -1.0])), -1.0,
     "float32"),
    ("vector-vector", lambda T: T.tensor([1.0, 2.0, 3.0]) @ T.tensor([4.0, 5.0, 6.0]), 32.0,
     "float32"),
    ("matrix-vector", lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]) @ T.tensor(
        [1.0, -1.0]), [-1.0, -1.0, -1.0], "float32"),
    ("vector-matrix", lambda T: T.tensor([1.0, 0.0, -1.0]) @ T.tensor(
        [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), [-4.0, -4.0], "float32"),
    ("batched-broadcast", lambda T: (T.arange(12.0).view(2, 2, 3) @ T.tensor(
        [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])), [[[2.0, 3.0], [8.0, 9.0]],
                                                  [[14.0, 15.0], [20.0, 21.0]]], "float32"),
    ("bmm", lambda T: T.bmm(T.ones(2, 1, 3), T.ones(2, 3, 1)), [[[3.0]], [[3.0]]], "float32"),
    ("mv", lambda T: T.mv(T.tensor([[2.0, 0.0], [1.0, 3.0]]), T.tensor([1.0, 1.0])),
     [2.0, 4.0], "float32"),
    ("outer-promotes", lambda T: T.outer(T.tensor([1, 2]), T.tensor([1.5, 2.0])),
     [[1.5, 2.0], [3.0, 4.0]], "float32"),
    ("ger", lambda T: T.ger(T.tensor([1, 2]), T.tensor([3, 4, 5])),
     [[3, 4, 5], [6, 8, 10]], "int64"),
    ("addmm", lambda T: T.addmm(T.ones(2, 2), T.tensor([[1.0, 2.0], [3.0, 4.0]]), T.eye(2),
                                beta=0.5, alpha=2), [[2.5, 4.5], [6.5, 8.5]], "float32"),
    ("addmm-bias-row", lambda T: T.addmm(T.tensor([10.0, 20.0]), T.tensor(
        [[1.0, 2.0], [3.0, 4.0]]), T.eye(2)), [[11.0, 22.0], [13.0, 24.0]], "float32"),
    ("addmm-int-beta-truncates", lambda T: T.addmm(T.tensor([[1, 2], [3, 4]]), T.tensor(
        [[1, 2], [3, 4]]), T.tensor([[1, 2], [3, 4]]), beta=0.5), [[7, 10], [15, 22]], "int64"),
    ("addmm-order", lambda T: T.addmm(T.tensor([[1.0]]).expand(2, 2), T.tensor(
        [[0.1, 0.2], [0.3, 0.4]]), T.tensor([[0.5, 0.6], [0.7, 0.8]]))[0, 0].item(),
     1.1899999380111694, None),
    ("einsum-matmul", lambda T: T.einsum("ij,jk->ik", T.tensor([[1.0, 2.0], [3.0, 4.0]]),
                                         T.tensor([[0.0, 1.0], [1.0, 0.0]])),
     [[2.0, 1.0], [4.0, 3.0]], "float32"),
    ("einsum-diag", lambda T: T.einsum("ii->i", T.tensor([[1.0, 2.0], [3.0, 4.0]])),
     [1.0, 4.0], "float32"),
    ("einsum-trace", lambda T: T.einsum("ii", T.tensor([[1.0, 2.0], [3.0, 4.0]])), 5.0,
     "float32"),
    ("einsum-implicit-order", lambda T: T.einsum("ba", T.tensor([[1.0, 2.0], [3.0, 4.0]])),
     [[1.0, 3.0], [2.0, 4.0]], "float32"),
    ("einsum-ellipsis", lambda T: T.einsum("...ij->...ji", T.ones(2, 1, 3)).shape[1:], [3, 1],
     None),
    ("trace-int", lambda T: T.tensor([[1, 2], [3, 4]], dtype=T.int32).trace(), 5, "int64"),
    ("diag-vector", lambda T: T.diag(T.tensor([1.0, 2.0]), -1),
     [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0]], "float32"),
    ("diag-matrix", lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]]).diag(1), [2.0], "float32"),
    ("tril", lambda T: T.ones(3, 3).tril(), [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0],
                                             [1.0, 1.0, 1.0]], "float32"),
    ("triu-negative", lambda T: T.ones(3, 3).triu(-1), [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0],
                                                        [0.0, 1.0, 1.0]], "float32"),
    ("tensordot", lambda T: T.tensordot(T.tensor([[1.0, 2.0], [3.0, 4.0]]), T.tensor(
        [[1.0, 2.0], [3.0, 4.0]]), dims=1), [[7.0, 10.0], [15.0, 22.0]], "float32"),
    ("inner", lambda T: T.inner(T.tensor([[1.0, 2.0], [3.0, 4.0]]), T.tensor(
        [[1.0, 2.0], [3.0, 4.0]])), [[5.0, 11.0], [11.0, 25.0]], "float32"),
    ("matrix-power", lambda T: T.tensor([[1, 1], [1, 0]]).matrix_power(5), [[8, 5], [5, 3]],
     "int64"),
]


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("case", GOLDEN, ids=[c[0] for c in GOLDEN])
def test_linalg_golden_values(case):
    _, fn, expected, dtype = case
    result = fn(G)
    if dtype is None:
        assert _same(list(result) if isinstance(result, tuple) else result, expected)
        return
    assert result.dtype.name == dtype
    assert _same(result.tolist(), expected)


def test_diagonal_is_a_view_that_writes_through():
    x = G.arange(9.0).view(3, 3)
    d = x.diagonal()
    d[0] = 100.0
    assert x[0, 0].item() == 100.0
    assert x.diagonal(1).tolist() == [1.0, 5.0]


def test_rmatmul_and_operator():
    a = tensor([[1.0, 2.0], [3.0, 4.0]])
    v = tensor([1.0, 2.0])
    assert a.__rmatmul__(v).tolist() == [7.0, 10.0]
    assert (v @ a).tolist() == [7.0, 10.0]
    with pytest.raises(TypeError):
        a @ 2


# ================================================================== errors
ERRORS = [
    ("mm-shapes", lambda T: T.mm(T.ones(2, 2), T.ones(3, 2)), RuntimeError),
    ("matmul-shapes", lambda T: T.ones(2, 2) @ T.ones(3, 2), RuntimeError),
    ("mm-dtype", lambda T: T.mm(T.ones(2, 2), T.ones(2, 2, dtype=T.int64)), RuntimeError),
    ("matmul-dtype", lambda T: T.ones(2, 2) @ T.ones(2, 2, dtype=T.float64), RuntimeError),
    ("matmul-0d", lambda T: T.tensor(2.0) @ T.ones(2, 2), RuntimeError),
    ("matmul-vv", lambda T: T.ones(2) @ T.ones(3), RuntimeError),
    ("matmul-mv", lambda T: T.ones(2, 2) @ T.ones(3), RuntimeError),
    ("matmul-vm", lambda T: T.ones(3) @ T.ones(2, 2), RuntimeError),
    ("matmul-batch", lambda T: T.ones(2, 2, 3) @ T.ones(3, 3, 2), RuntimeError),
    ("matmul-3d-1d", lambda T: T.ones(2, 2, 3) @ T.ones(2), RuntimeError),
    ("matmul-bool", lambda T: T.tensor([[True]]) @ T.tensor([[True]]), NotImplementedError),
    ("mm-1d", lambda T: T.mm(T.ones(2), T.ones(2, 2)), RuntimeError),
    ("bmm-2d", lambda T: T.bmm(T.ones(2, 2), T.ones(2, 2)), RuntimeError),
    ("bmm-shapes", lambda T: T.bmm(T.ones(2, 2, 3), T.ones(2, 2, 3)), RuntimeError),
    ("bmm-dtype", lambda T: T.bmm(T.ones(2, 2, 3), T.ones(2, 3, 2, dtype=T.float64)),
     RuntimeError),
    ("mv-shapes", lambda T: T.mv(T.ones(2, 2), T.ones(3)), RuntimeError),
    ("mv-1d", lambda T: T.ones(2).mv(T.ones(2)), RuntimeError),
    ("dot-2d", lambda T: T.ones(2, 2).dot(T.ones(2)), RuntimeError),
    ("dot-sizes", lambda T: T.ones(2).dot(T.ones(3)), RuntimeError),
    ("dot-dtype", lambda T: T.ones(2).dot(T.ones(2, dtype=T.float64)), RuntimeError),
    ("dot-bool", lambda T: T.tensor([True]).dot(T.tensor([True])), NotImplementedError),
    ("outer-2d", lambda T: T.outer(T.ones(2, 2), T.ones(2)), RuntimeError),
    ("addmm-dtype", lambda T: T.addmm(T.ones(2), T.ones(2, 2), T.ones(2, 2, dtype=T.int64)),
     RuntimeError),
    ("addmm-bias", lambda T: T.addmm(T.ones(3), T.ones(2, 2), T.ones(2, 2)), RuntimeError),
    ("einsum-operands", lambda T: T.einsum("ij,jk->ik", T.ones(2, 2)), RuntimeError),
    ("einsum-sizes", lambda T: T.einsum("ij,jk->ik", T.ones(2, 2), T.ones(3, 2)),
     RuntimeError),
    ("einsum-output", lambda T: T.einsum("ij->k", T.ones(2, 2)), RuntimeError),
    ("einsum-dims", lambda T: T.einsum("ijk->i", T.ones(2, 2)), RuntimeError),
    ("einsum-dtype", lambda T: T.einsum("ij,jk->ik", T.ones(2, 2, dtype=T.int64),
                                        T.ones(2, 2)), RuntimeError),
    ("trace-1d", lambda T: T.ones(2).trace(), RuntimeError),
    ("diag-3d", lambda T: T.ones(2, 2, 2).diag(), RuntimeError),
    ("tril-1d", lambda T: T.ones(2).tril(), RuntimeError),
    ("kron-not-viewable", lambda T: T.kron(T.ones(2, 3).t(), T.ones(2, 2)), RuntimeError),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_linalg_errors_have_pytorchs_class(case):
    _, fn, exc = case
    with pytest.raises(exc):
        fn(G)


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_linalg_errors_match_torch(case):
    torch = pytest.importorskip("torch")
    _, fn, exc = case
    with pytest.raises(exc):
        fn(torch)


# ========================================================== grad_fn names
def _leaf(shape, seed=0):
    return tensor(_values(shape, seed).tolist(), requires_grad=True)


GRAD_FN_NAMES = [
    ("mm", lambda: G.mm(_leaf((2, 3)), _leaf((3, 4))), "MmBackward0"),
    ("dot via @", lambda: _leaf((3,)) @ _leaf((3,)), "DotBackward0"),
    ("mv via @", lambda: _leaf((2, 3)) @ _leaf((3,)), "MvBackward0"),
    ("1d @ 2d", lambda: _leaf((3,)) @ _leaf((3, 2)), "SqueezeBackward4"),
    ("batched @", lambda: _leaf((2, 2, 3)) @ _leaf((2, 3, 4)), "UnsafeViewBackward0"),
    ("bmm", lambda: G.bmm(_leaf((2, 2, 3)), _leaf((2, 3, 4))), "BmmBackward0"),
    ("outer", lambda: G.outer(_leaf((2,)), _leaf((3,))), "MulBackward0"),
    ("addmm", lambda: G.addmm(_leaf((2,)), _leaf((3, 2)), _leaf((2, 2))), "AddmmBackward0"),
    ("addmv", lambda: G.addmv(_leaf((3,)), _leaf((3, 2)), _leaf((2,))), "AddmvBackward0"),
    ("baddbmm", lambda: G.baddbmm(_leaf((1,)), _leaf((2, 2, 3)), _leaf((2, 3, 2))),
     "BaddbmmBackward0"),
    ("addbmm", lambda: G.addbmm(_leaf((2, 2)), _leaf((2, 2, 3)), _leaf((2, 3, 2))),
     "AddbmmBackward0"),
    ("addr", lambda: G.addr(_leaf((2, 3)), _leaf((2,)), _leaf((3,))), "AddrBackward0"),
    ("einsum mm", lambda: G.einsum("ij,jk->ik", _leaf((2, 3)), _leaf((3, 4))),
     "ViewBackward0"),
    ("einsum trace", lambda: G.einsum("ii", _leaf((3, 3))), "SumBackward1"),
    ("trace", lambda: _leaf((3, 3)).trace(), "TraceBackward0"),
    ("diag of matrix", lambda: _leaf((3, 3)).diag(), "DiagonalBackward0_copy"),
    ("diag of vector", lambda: _leaf((3,)).diag(), "DiagEmbedBackward0"),
    ("tril", lambda: _leaf((3, 3)).tril(), "TrilBackward0"),
    ("triu", lambda: _leaf((3, 3)).triu(), "TriuBackward0"),
    ("vdot", lambda: G.vdot(_leaf((3,)), _leaf((3,))), "VdotBackward0"),
]


@pytest.mark.parametrize("case", GRAD_FN_NAMES, ids=[c[0] for c in GRAD_FN_NAMES])
def test_linalg_grad_fn_names(case):
    _, fn, name = case
    assert fn().grad_fn.name() == name


# ============================================== comparisons with PyTorch
# (id, fn(T, *inputs), input specs (shape, kind, dtype, requires_grad), exact)
# exact: True is bit for bit; ULP is a float32 product whose summation order
# inside PyTorch's BLAS depends on the CPU's instruction set (docs/ENGINE.md):
# each element within 8 float32 epsilons of the same product taken on the
# absolute values (the rounding-error bound of a reordered sum); False is
# close (rtol 1e-6).
F32, F64, I64 = "float32", "float64", "int64"
ULP = "ulp"
CASES = [
    ("mm-small", lambda T, a, b: T.mm(a, b), [((3, 5), F32), ((5, 4), F32)], ULP),
    ("mm-cols8", lambda T, a, b: a @ b, [((20, 7), F32), ((7, 8), F32)], ULP),
    ("mm-large", lambda T, a, b: a @ b, [((16, 16), F32), ((16, 16), F32)], True),
    ("mm-f64", lambda T, a, b: a @ b, [((4, 6), F64), ((6, 3), F64)], False),
    ("mm-int", lambda T, a, b: a @ b, [((4, 6), I64), ((6, 3), I64)], True),
    ("mm-transposed-input", lambda T, a, b: a.t() @ b, [((3, 4), F32), ((3, 2), F32)], ULP),
    ("dot", lambda T, a, b: a @ b, [((8,), F32), ((8,), F32)], True),
    ("dot-int", lambda T, a, b: T.dot(a, b), [((5,), I64), ((5,), I64)], True),
    ("mv", lambda T, a, b: a @ b, [((5, 3), F32), ((3,), F32)], ULP),
    ("mv-long", lambda T, a, b: T.mv(a, b), [((5, 9), F32), ((9,), F32)], False),
    ("vm", lambda T, a, b: a @ b, [((3,), F32), ((3, 4), F32)], ULP),
    ("3d@2d", lambda T, a, b: a @ b, [((2, 3, 4), F32), ((4, 5), F32)], ULP),
    ("3d@2d-const-rhs", lambda T, a, b: a @ b.detach(), [((2, 3, 4), F32), ((4, 5), F32)],
     ULP),
    ("2d@3d", lambda T, a, b: a @ b, [((3, 4), F32), ((2, 4, 5), F32)], ULP),
    ("2d-const@3d", lambda T, a, b: a.detach() @ b, [((3, 4), F32), ((2, 4, 5), F32)], True),
    ("3d@1d", lambda T, a, b: a @ b, [((2, 3, 4), F32), ((4,), F32)], ULP),
    ("1d@3d", lambda T, a, b: a @ b, [((3,), F32), ((2, 3, 4), F32)], True),
    ("3d@3d", lambda T, a, b: a @ b, [((2, 3, 4), F32), ((2, 4, 5), F32)], True),
    ("3d@3d-broadcast-1", lambda T, a, b: a @ b, [((1, 3, 4), F32), ((2, 4, 5), F32)], ULP),
    ("4d@3d-broadcast", lambda T, a, b: a @ b, [((2, 1, 3, 4), F32), ((2, 4, 5), F32)], True),
    ("bmm", lambda T, a, b: T.bmm(a, b), [((3, 2, 4), F32), ((3, 4, 5), F32)], True),
    ("bmm-large", lambda T, a, b: T.bmm(a, b), [((2, 16, 16), F32), ((2, 16, 16), F32)],
     True),
    ("outer", lambda T, a, b: T.outer(a, b), [((3,), F32), ((4,), F32)], True),
    ("addmm", lambda T, c, a, b: T.addmm(c, a, b), [((4,), F32), ((3, 5), F32),
                                                    ((5, 4), F32)], ULP),
    ("addmm-beta-alpha", lambda T, c, a, b: T.addmm(c, a, b, beta=0.5, alpha=2),
     [((3, 4), F32), ((3, 5), F32), ((5, 4), F32)], False),
    ("addmv", lambda T, c, a, b: T.addmv(c, a, b), [((3,), F32), ((3, 2), F32), ((2,), F32)],
     True),
    ("baddbmm", lambda T, c, a, b: T.baddbmm(c, a, b, alpha=0.5),
     [((2, 3, 4), F32), ((2, 3, 2), F32), ((2, 2, 4), F32)], False),
    ("addbmm", lambda T, c, a, b: T.addbmm(c, a, b), [((3, 4), F32), ((2, 3, 2), F32),
                                                     ((2, 2, 4), F32)], False),
    ("addr", lambda T, c, a, b: T.addr(c, a, b), [((3, 4), F32), ((3,), F32), ((4,), F32)],
     True),
    ("einsum-mm", lambda T, a, b: T.einsum("ij,jk->ik", a, b), [((2, 3), F32), ((3, 4), F32)],
     True),
    ("einsum-diag", lambda T, a: T.einsum("ii->i", a), [((3, 3), F32)], True),
    ("einsum-trace", lambda T, a: T.einsum("ii", a), [((3, 3), F32)], True),
    ("einsum-dot", lambda T, a, b: T.einsum("i,i->", a, b), [((4,), F32), ((4,), F32)], True),
    ("einsum-outer", lambda T, a, b: T.einsum("i,j->ij", a, b), [((3,), F32), ((2,), F32)],
     True),
    ("einsum-batch", lambda T, a, b: T.einsum("bij,bjk->bik", a, b),
     [((2, 2, 3), F32), ((2, 3, 4), F32)], True),
    ("einsum-rowdot", lambda T, a, b: T.einsum("bi,bi->b", a, b),
     [((3, 4), F32), ((3, 4), F32)], True),
    ("einsum-sum", lambda T, a: T.einsum("ij->j", a), [((3, 4), F32)], True),
    ("einsum-transpose", lambda T, a: T.einsum("ij->ji", a), [((3, 4), F32)], True),
    ("einsum-ellipsis", lambda T, a, b: T.einsum("...j,j->...", a, b),
     [((2, 3, 4), F32), ((4,), F32)], True),
    ("einsum-three", lambda T, a, b, c: T.einsum("ij,jk,kl->il", a, b, c),
     [((2, 3), F32), ((3, 4), F32), ((4, 2), F32)], True),
    ("einsum-hadamard", lambda T, a, b: T.einsum("ij,ij->ij", a, b),
     [((2, 3), F32), ((2, 3), F32)], True),
    ("tensordot", lambda T, a, b: T.tensordot(a, b, dims=([1, 2], [0, 1])),
     [((2, 3, 4), F32), ((3, 4, 2), F32)], ULP),
    ("trace", lambda T, a: a.trace(), [((4, 3), F32)], True),
    ("diag", lambda T, a: a.diag(-1), [((3, 3), F32)], True),
    ("diag-embed", lambda T, a: T.diag(a, 1), [((3,), F32)], True),
    ("diagonal", lambda T, a: a.diagonal(0, -2, -1), [((2, 3, 3), F32)], True),
    ("tril", lambda T, a: a.tril(1), [((3, 4), F32)], True),
    ("triu", lambda T, a: T.triu(a, -1), [((2, 3, 4), F32)], True),
    ("matrix-power", lambda T, a: a.matrix_power(3), [((3, 3), F32)], ULP),
    ("kron", lambda T, a, b: T.kron(a, b), [((2, 3), F32), ((2,), F32)], True),
]


def _make_inputs(T, specs, seed=0):
    out = []
    for i, (shape, dtype) in enumerate(specs):
        kind = "int" if dtype == I64 else "normal"
        values = np.asarray(_values(shape, seed + i, kind)).tolist()
        out.append(T.tensor(values, dtype=getattr(T, dtype),
                            requires_grad=dtype != I64))
    return out


def _tree(node, depth=0):
    if node is None or depth > 12:
        return None
    return (node.name(), tuple(_tree(child, depth + 1) for child, _ in node.next_functions))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_linalg_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, fn, specs, exact = case
    ours_in, theirs_in = _make_inputs(G, specs), _make_inputs(torch, specs)
    ours, theirs = fn(G, *ours_in), fn(torch, *theirs_in)
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    if exact == ULP:
        magnitudes = fn(G, *(G.tensor(np.abs(t._data).tolist(), dtype=G.float64)
                             for t in ours_in))
        bound = 8 * np.finfo(np.float32).eps * magnitudes._data
        difference = np.abs(ours._data.astype(np.float64) - theirs.detach().numpy())
        assert (difference <= bound).all(), f"max difference {difference.max()}"
    elif exact:
        np.testing.assert_array_equal(ours._data, theirs.detach().numpy())
    else:
        np.testing.assert_allclose(ours._data, theirs.detach().numpy(), rtol=1e-6, atol=1e-6)
    assert _tree(ours.grad_fn) == _tree(theirs.grad_fn)
    if not theirs.requires_grad:
        return
    weight = _values(tuple(theirs.shape), 7)
    (ours * tensor(weight.tolist(), dtype=ours.dtype)).sum().backward()
    (theirs * torch.tensor(weight.tolist(), dtype=theirs.dtype)).sum().backward()
    for a, b in zip(ours_in, theirs_in):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-5, atol=1e-6)


# ============================================================= gradcheck
GRADCHECK_CASES = [
    ("mm", lambda a, b: G.mm(a, b), [(2, 3), (3, 4)]),
    ("mm", lambda a, b: G.mm(a.t(), b), [(3, 2), (3, 4)]),
    ("bmm", lambda a, b: G.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    ("mv", lambda a, b: G.mv(a, b), [(3, 4), (4,)]),
    ("dot", lambda a, b: G.dot(a, b), [(4,), (4,)]),
    ("vdot", lambda a, b: G.vdot(a, b), [(4,), (4,)]),
    ("outer", lambda a, b: G.outer(a, b), [(3,), (2,)]),
    ("addmm", lambda c, a, b: G.addmm(c, a, b, beta=0.5, alpha=2.0), [(4,), (3, 2), (2, 4)]),
    ("addmv", lambda c, a, b: G.addmv(c, a, b, beta=2.0), [(3,), (3, 2), (2,)]),
    ("baddbmm", lambda c, a, b: G.baddbmm(c, a, b, alpha=0.5), [(2, 2, 2), (2, 2, 3),
                                                                 (2, 3, 2)]),
    ("addbmm", lambda c, a, b: G.addbmm(c, a, b), [(2, 2), (3, 2, 3), (3, 3, 2)]),
    ("addr", lambda c, a, b: G.addr(c, a, b, alpha=3.0), [(3, 2), (3,), (2,)]),
    ("matmul", lambda a, b: a @ b, [(3,), (3,)]),
    ("matmul", lambda a, b: a @ b, [(2, 3), (3,)]),
    ("matmul", lambda a, b: a @ b, [(3,), (3, 2)]),
    ("matmul", lambda a, b: a @ b, [(2, 2, 3), (3, 2)]),
    ("matmul", lambda a, b: a @ b, [(3, 2), (2, 2, 3)]),
    ("matmul", lambda a, b: a @ b, [(2, 1, 2, 3), (2, 3, 2)]),
    ("matmul", lambda a, b: a @ b, [(2, 2, 3), (3,)]),
    ("einsum", lambda a, b: G.einsum("ij,jk->ik", a, b), [(2, 3), (3, 2)]),
    ("einsum", lambda a: G.einsum("ii->i", a), [(3, 3)]),
    ("einsum", lambda a, b, c: G.einsum("i,ij,j->", a, b, c), [(2,), (2, 3), (3,)]),
    ("tensordot", lambda a, b: G.tensordot(a, b, dims=2), [(2, 3, 2), (3, 2, 2)]),
    ("inner", lambda a, b: G.inner(a, b), [(2, 3), (4, 3)]),
    ("diag", lambda a: a.diag(), [(3, 3)]),
    ("diag", lambda a: a.diag(1), [(3,)]),
    ("trace", lambda a: a.trace(), [(3, 4)]),
    ("tril", lambda a: a.tril(), [(3, 3)]),
    ("triu", lambda a: a.triu(1), [(2, 3, 3)]),
    ("matrix_power", lambda a: a.matrix_power(4), [(2, 2)]),
    ("kron", lambda a, b: G.kron(a, b), [(2, 2), (3,)]),
]


def _copied(fn):
    """``fn`` with its result copied: a view's values would follow the perturbed input."""
    return lambda *args: fn(*args).clone()


@pytest.mark.parametrize("case", GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_linalg_gradcheck(case):
    _, fn, shapes = case
    inputs = tuple(Tensor._make(np.random.default_rng(i).standard_normal(shape), dt.float64,
                                requires_grad=True) for i, shape in enumerate(shapes))
    assert gradcheck(_copied(fn), inputs)
    assert gradgradcheck(_copied(fn), inputs)
