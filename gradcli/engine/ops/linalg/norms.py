"""Matrix norms and distances: ``linalg.matrix_norm``, ``linalg.norm``, ``dist``, ``cdist``,
and ``block_diag``.

``matrix_norm`` and ``norm`` are composites written as PyTorch writes them
(``vector_norm``, ``svdvals``, ``amax``/``amin``), so their graphs show the same
nodes; ``dist`` and ``cdist`` record their own nodes with ``norm_backward``.
"""

from __future__ import annotations

import math
import numbers

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import wrap_dim
from ..common import new
from ..registry import OpTable
from ._helpers import check_tensor

table = OpTable("linalg.norms")


def _backshift(d0: int, d1: int, ndim: int) -> tuple:
    """The permutation moving dims ``d0`` and ``d1`` to the end (PyTorch's helper)."""
    return tuple(i for i in range(ndim) if i not in (d0, d1)) + (d0, d1)


@table.op(function=False, method=False,
          composes=("vector_norm", "svdvals", "amax", "amin", "sum", "permute"),
          qualified=("linalg.matrix_norm",))
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """``torch.linalg.matrix_norm``: ``'fro'``, ``'nuc'``, or ``ord`` in 1, -1, 2, -2,
    inf, -inf over the two dims ``dim``."""
    check_tensor(A, "linalg.matrix_norm", "A")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm() needs a matrix or a batch of matrices, but "
                           f"the input has {A.ndim} dimension{'' if A.ndim == 1 else 's'}")
    dims = tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm(): dim must name 2 dimensions, but got "
                           f"{list(dims)}")
    d0, d1 = (wrap_dim(d, A.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm(): dim must name 2 different dimensions, but "
                           f"got {list(dims)}")
    if isinstance(ord, str):
        if ord == "fro":
            return ops.vector_norm(A, 2, dims, keepdim, dtype=dtype)
        if ord != "nuc":
            raise RuntimeError(f"linalg.matrix_norm(): ord must be 'fro', 'nuc' or one of 1, "
                               f"-1, 2, -2, inf, -inf, not {ord!r}")
        source = A if dtype is None else ops.to_dtype(A, dtype)
        permutation = _backshift(d0, d1, A.ndim)
        result = ops.sum(ops.svdvals(ops.permute(source, permutation)), -1, keepdim)
        return _restore_dims(result, permutation, keepdim)
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real) or \
            abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm(): ord must be 'fro', 'nuc' or one of 1, -1, "
                           f"2, -2, inf, -inf, not {ord!r}")

    def extreme(t, d):
        return ops.amax(t, d, keepdim) if ord > 0 else ops.amin(t, d, keepdim)

    if abs(ord) == 2:
        source = A if dtype is None else ops.to_dtype(A, dtype)
        permutation = _backshift(d0, d1, A.ndim)
        result = extreme(ops.svdvals(ops.permute(source, permutation)), -1)
        return _restore_dims(result, permutation, keepdim)
    if abs(ord) == math.inf:
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    return extreme(ops.vector_norm(A, 1.0, (d0,), keepdim, dtype=dtype), d1)


def _restore_dims(result, permutation, keepdim):
    if not keepdim:
        return result
    reverse = [0] * len(permutation)
    for i, p in enumerate(permutation):
        reverse[p] = i
    return ops.permute(ops.unsqueeze(result, -1), tuple(reverse))


@table.op(function=False, method=False, composes=("vector_norm", "matrix_norm"),
          qualified=("linalg.norm",))
def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: a vector norm, or a matrix norm when ``ord`` is given and
    ``dim`` names 2 dims (or ``A`` is a matrix and ``dim`` is None)."""
    check_tensor(A, "linalg.norm", "A")
    if isinstance(dim, numbers.Integral) and not isinstance(dim, bool):
        dim = (dim,)
    if dim is not None and len(dim) not in (1, 2):
        raise RuntimeError(f"linalg.norm(): dim must name 1 or 2 dimensions, but got "
                           f"{list(dim)}")
    if dim is None and ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm(): with ord and without dim the input must be 1- or "
                           f"2-dimensional, but it has {A.ndim} dimensions")
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if ord is not None and ((dim is not None and len(dim) == 2) or
                            (dim is None and A.ndim == 2)):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return ops.vector_norm(A, 2.0 if ord is None else ord, dim, keepdim, dtype=dtype)


# ================================================================= dist
@backward("DistBackward0")
def _dist_backward(ctx, grad):
    input, other, result = ctx.saved_tensors
    g = ops.norm_backward(grad, input - other, ctx.p, result, (), (), False)
    return g, -g


@table.op(backward=(_dist_backward,), out=False)
def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (broadcast), as a 0-dim tensor."""
    check_tensor(input, "dist")
    check_tensor(other, "dist", "other", 2)
    if input._dtype is not other._dtype:
        raise RuntimeError(f"dist() needs tensors of the same dtype, but got "
                           f"{input._dtype!r} and {other._dtype!r}")
    with ag.no_grad():
        result = ops.vector_norm(input - other, p)
    if ag.needs_grad(input, other):
        ag.record(_dist_backward, (input, other), result,
                  SavedContext(input, other, result, p=float(p)))
    return result


# ================================================================ cdist
@backward("CdistBackward0")
def _cdist_backward(ctx, grad):
    x1, x2, result = ctx.saved_tensors
    diff = ops.unsqueeze(x1, -2) - ops.unsqueeze(x2, -3)
    g = ops.norm_backward(grad, diff, ctx.p, result, (diff.ndim - 1,), (diff.ndim - 1,),
                          False)
    return ops.sum(g, -2), -ops.sum(g, -3)


@table.op(method=False, backward=(_cdist_backward,), out=False)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The ``p``-norm distance between each row of ``x1`` and each row of ``x2``
    (batched): ``[..., P, M]`` and ``[..., R, M]`` give ``[..., P, R]``."""
    check_tensor(x1, "cdist", "x1")
    check_tensor(x2, "cdist", "x2", 2)
    for name, t in (("x1", x1), ("x2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist() needs {name} with at least 2 dimensions, but it has "
                               f"{t.ndim}")
        if t._dtype.category != dt.FLOAT:
            raise RuntimeError(f"cdist() works on float tensors, but {name} is "
                               f"{t._dtype!r}")
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(f"cdist(): x1 and x2 must have the same number of columns, but "
                           f"have {x1._data.shape[-1]} and {x2._data.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist() needs a non-negative p, but got {p}")
    diff = x1._data[..., :, None, :] - x2._data[..., None, :, :]
    value = _distances(xp.abs(diff), float(p))
    result = new(xp.ascontiguousarray(value.astype(x1._data.dtype)), x1._dtype)
    if ag.needs_grad(x1, x2):
        ag.record(_cdist_backward, (x1, x2), result, SavedContext(x1, x2, result, p=float(p)))
    return result


def _distances(absolute, p: float):
    if p == 0:
        return (absolute != 0).sum(-1).astype(absolute.dtype)
    if p == math.inf:
        return absolute.max(-1, initial=0)
    if p == 1:
        return absolute.sum(-1)
    if p == 2:
        return xp.sqrt((absolute * absolute).sum(-1))
    return (absolute ** p).sum(-1) ** (1 / p)


# ============================================================ block_diag
@backward("BlockDiagBackward0")
def _block_diag_backward(ctx, grad):
    grads, row, col = [], 0, 0
    for shape in ctx.shapes:
        rows, cols = shape if len(shape) == 2 else (1, shape[0] if shape else 1)
        piece = ops.narrow(ops.narrow(grad, 0, row, rows), 1, col, cols)
        grads.append(piece if len(shape) == 2 else ops.view(piece, shape))
        row, col = row + rows, col + cols
    return tuple(grads)


@table.op(method=False, backward=(_block_diag_backward,), out=False)
def block_diag(*tensors):
    """A block-diagonal matrix of the given tensors (0-, 1- or 2-dimensional)."""
    blocks = []
    for i, t in enumerate(tensors):
        check_tensor(t, "block_diag", "tensors", i + 1)
        if t.ndim > 2:
            raise RuntimeError(f"block_diag() takes tensors of at most 2 dimensions, but "
                               f"tensor {i} has {t.ndim}")
        blocks.append(t._data.reshape((1, -1) if t.ndim < 2 else t._data.shape))
    target = dt.result_type(*tensors) if tensors else dt.get_default_dtype()
    for t in tensors:
        target = dt.promote_types(target, t._dtype)
    rows = sum(b.shape[0] for b in blocks)
    cols = sum(b.shape[1] for b in blocks)
    value = xp.zeros((rows, cols), dtype=target.np)
    r = c = 0
    for b in blocks:
        value[r:r + b.shape[0], c:c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    result = new(value, target)
    if ag.needs_grad(*tensors):
        ag.record(_block_diag_backward, tuple(tensors), result,
                  SavedContext(shapes=tuple(t._data.shape for t in tensors)))
    return result
