"""Solvers and products of several matrices: ``solve_triangular``, ``lstsq``, ``pinv``,
``matrix_rank``, ``multi_dot``/``chain_matmul``, ``cross``.

Backward rules follow ``derivatives.yaml`` (``linalg_solve_triangular_backward``,
``linalg_lstsq_backward``, ``pinv_backward``, ``linalg_cross``).
"""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...returntypes import TYPES
from ...tensor import wrap_dim
from ..common import new
from ..registry import OpTable
from ._helpers import check_matrices, check_tensor, mT

table = OpTable("linalg.solvers")


# ====================================================== solve_triangular
@backward("LinalgSolveTriangularBackward0")
def _solve_triangular_backward(ctx, grad):
    A, X = ctx.saved_tensors
    upper, left, unit = ctx.upper, ctx.left, ctx.unitriangular
    gB = solve_triangular(mT(A), grad, upper=not upper, left=left, unitriangular=unit)
    gA = None
    if ctx.need_a:
        gA = -ops.matmul(gB, mT(X)) if left else -ops.matmul(mT(X), gB)
        offset = (1 if upper else -1) if unit else 0
        gA = ops.triu(gA, offset) if upper else ops.tril(gA, offset)
    return gA, gB


@table.op(function=False, method=False, backward=(_solve_triangular_backward,),
          qualified=("linalg.solve_triangular",))
def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """``torch.linalg.solve_triangular``: ``X`` with ``A @ X = B`` (``X @ A = B`` when not
    ``left``), reading only the triangle of ``A`` that ``upper`` names."""
    check_matrices(A, "linalg.solve_triangular")
    check_matrices(B, "linalg.solve_triangular", square=False)
    if A._dtype is not B._dtype:
        raise RuntimeError(f"linalg.solve_triangular() needs A and B of the same dtype, but "
                           f"got {A._dtype!r} and {B._dtype!r}")
    a = xp.triu(A._data) if upper else xp.tril(A._data)
    if unitriangular:
        n = a.shape[-1]
        a = a * (1 - xp.eye(n, dtype=a.dtype)) + xp.eye(n, dtype=a.dtype)
    b = B._data
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular(): A holds {n} by {n} matrices, which "
                           f"does not fit B of shape {list(B.shape)}")
    if not left:
        a, b = xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2)
    batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    with xp.errstate(divide="ignore", invalid="ignore"):
        try:
            value = xp.linalg.solve(xp.broadcast_to(a, batch + a.shape[-2:]),
                                    xp.broadcast_to(b, batch + b.shape[-2:]))
        except xp.linalg.LinAlgError:
            value = xp.full(batch + b.shape[-2:], xp.nan, dtype=a.dtype)
    if not left:
        value = xp.swapaxes(value, -1, -2)
    result = new(xp.ascontiguousarray(value, dtype=A._data.dtype), A._dtype)
    if ag.needs_grad(A, B):
        ctx = SavedContext(A, result, upper=upper, left=left, unitriangular=unitriangular,
                           need_a=A._requires_grad)
        ag.record(_solve_triangular_backward, (A, B), result, ctx)
    return result


# ================================================================= pinv
def _rank_cutoff(S, atol, rtol, shape):
    """PyTorch's tolerance: ``max(atol, rtol * largest singular value)``."""
    if rtol is None:
        rtol = (xp.finfo(S.dtype).eps * max(shape[-2:])) if atol is None or atol == 0 else 0.0
    largest = S[..., :1] if S.shape[-1] else xp.zeros(S.shape[:-1] + (1,), S.dtype)
    return xp.maximum(0.0 if atol is None else atol, rtol * largest)


@backward("LinalgPinvBackward0")
def _pinv_backward(ctx, grad):
    A, pinvA = ctx.saved_tensors
    m, n = A.shape[-2], A.shape[-1]
    pinvAh, gradh = mT(pinvA), mT(grad)
    if m <= n:
        K = ops.matmul(gradh, pinvA)
        KpinvAh = ops.matmul(K, pinvAh)
        return (-mT(ops.matmul(pinvA, K)) + KpinvAh
                - ops.matmul(ops.matmul(A, pinvA), KpinvAh)
                + ops.matmul(ops.matmul(pinvAh, pinvA), gradh - ops.matmul(K, A)),)
    K = ops.matmul(pinvA, gradh)
    pinvAhK = ops.matmul(pinvAh, K)
    return (-mT(ops.matmul(K, pinvA))
            + ops.matmul(ops.matmul(gradh - ops.matmul(A, K), pinvA), pinvAh)
            + pinvAhK - ops.matmul(ops.matmul(pinvAhK, pinvA), A),)


def _pinv_array(a, atol, rtol, hermitian: bool):
    if hermitian:
        w, v = xp.linalg.eigh(a)
        order = xp.argsort(-xp.abs(w), axis=-1)
        w = xp.take_along_axis(w, order, -1)
        v = xp.take_along_axis(v, order[..., None, :], -1)
        cutoff = _rank_cutoff(xp.abs(w), atol, rtol, a.shape)
        with xp.errstate(divide="ignore"):
            inv = xp.where(xp.abs(w) > cutoff, 1 / w, 0)
        return (v * inv[..., None, :]) @ xp.swapaxes(v, -1, -2)
    U, S, Vh = xp.linalg.svd(a, full_matrices=False)
    cutoff = _rank_cutoff(S, atol, rtol, a.shape)
    with xp.errstate(divide="ignore"):
        inv = xp.where(S > cutoff, 1 / S, 0).astype(a.dtype)
    return (xp.swapaxes(Vh, -1, -2) * inv[..., None, :]) @ xp.swapaxes(U, -1, -2)


@table.op(function=False, method=False, backward=(_pinv_backward,), qualified=("linalg.pinv",))
def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """``torch.linalg.pinv``: the Moore-Penrose pseudo-inverse, through the SVD (or ``eigh``
    for ``hermitian``); singular values under ``max(atol, rtol * largest)`` count as zero."""
    check_matrices(A, "linalg.pinv", square=hermitian)
    value = _pinv_array(A._data, atol, rtol, hermitian)
    result = new(xp.ascontiguousarray(value, dtype=A._data.dtype), A._dtype)
    if ag.needs_grad(A):
        ag.record(_pinv_backward, (A,), result, SavedContext(A, result))
    return result


@table.op(function=False, method=False, qualified=("linalg.matrix_rank",))
def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None):
    """``torch.linalg.matrix_rank``: how many singular values exceed the tolerance (int64)."""
    check_matrices(A, "linalg.matrix_rank", square=hermitian)
    a = A._data
    if hermitian:
        S = xp.sort(xp.abs(xp.linalg.eigvalsh(a)), axis=-1)[..., ::-1]
    else:
        S = xp.linalg.svd(a, compute_uv=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    cutoff = _rank_cutoff(S, atol, rtol, a.shape)
    return new(xp.asarray((S > cutoff).sum(-1), dtype=xp.int64), dt.int64)


# ================================================================ lstsq
@backward("LinalgLstsqBackward0")
def _lstsq_backward(ctx, grad, *unused):
    A, B = ctx.saved_tensors
    pinvA = pinv(A)
    gA = gB = None
    if ctx.vector:
        grad = ops.unsqueeze(grad, -1)
    if ctx.need_a:
        Bm = ops.unsqueeze(B, -1) if ctx.vector else B
        gA = _pinv_backward.fn(_PinvContext(A, pinvA), ops.matmul(grad, mT(Bm)))[0]
    if ctx.need_b:
        gB = ops.matmul(mT(pinvA), grad)
        if ctx.vector:
            gB = ops.squeeze(gB, -1)
    return gA, gB


class _PinvContext:
    """The saved values ``pinv_backward`` reads, for lstsq's backward."""

    def __init__(self, A, pinvA):
        self.saved_tensors = (A, pinvA)


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


@table.op(function=False, method=False, backward=(_lstsq_backward,), out=False,
          qualified=("linalg.lstsq",))
def lstsq(A, B, rcond=None, *, driver=None):
    """``torch.linalg.lstsq``: the least-squares solution of ``A @ X = B``, as
    ``torch.return_types.linalg_lstsq(solution, residuals, rank, singular_values)``
    filled as the ``driver`` (``'gelsy'`` by default on the CPU) fills them."""
    check_matrices(A, "linalg.lstsq", square=False)
    check_tensor(B, "linalg.lstsq", "B", 2)
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError(f"linalg.lstsq: driver must be one of {', '.join(_DRIVERS)}, not "
                           f"{driver!r}")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"linalg.lstsq() needs A and B of the same dtype, but got "
                           f"{A._dtype!r} and {B._dtype!r}")
    vector = B.ndim == A.ndim - 1
    a, b = A._data, B._data[..., None] if vector else B._data
    m, n = a.shape[-2:]
    if b.shape[-2] != m:
        raise RuntimeError(f"linalg.lstsq(): A has {m} rows but B has {b.shape[-2]}; they "
                           "must match")
    batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a, b = xp.broadcast_to(a, batch + a.shape[-2:]), xp.broadcast_to(b, batch + b.shape[-2:])
    eps = xp.finfo(a.dtype).eps
    cut = eps * max(m, n) if rcond is None else rcond
    solution = xp.empty(batch + (n, b.shape[-1]), dtype=a.dtype)
    for index in xp.ndindex(*batch):
        solution[index] = xp.linalg.lstsq(a[index], b[index], rcond=cut)[0]
    # The rank and singular values are A's own (its batch shape, not the broadcast one).
    singular = xp.linalg.svd(A._data, compute_uv=False).astype(a.dtype)
    largest = singular[..., :1] if singular.shape[-1] else xp.zeros(singular.shape[:-1] + (1,))
    ranks = (singular > cut * largest).sum(-1).astype(xp.int64)
    full_rank = (ranks == min(m, n)).all()
    if driver in ("gelsd", "gelss", "gels") and m > n and full_rank:
        residuals = ((a @ solution - b) ** 2).sum(-2).astype(a.dtype)
    else:
        residuals = xp.zeros((0,), a.dtype)
    empty = xp.zeros((0,), a.dtype)
    result = new(xp.ascontiguousarray(solution[..., 0] if vector else solution), A._dtype)
    rank = new(ranks if driver != "gels" else xp.zeros((0,), xp.int64), dt.int64)
    values = new(singular if driver in ("gelsd", "gelss") else empty, A._dtype)
    residuals = new(residuals, A._dtype)
    if ag.needs_grad(A, B):
        ctx = SavedContext(A, B, vector=vector, need_a=A._requires_grad,
                           need_b=B._requires_grad)
        ag.record(_lstsq_backward, (A, B), (result, residuals), ctx)
    return TYPES["linalg_lstsq"]((result, residuals, rank, values))


# ======================================================= multi_dot, chain
def _chain_order(shapes):
    """The cheapest parenthesisation (dynamic programming), as ``multi_dot`` picks it."""
    n = len(shapes)
    dims = [shapes[0][0]] + [s[1] for s in shapes]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _multiply(tensors, split, i, j):
    if i == j:
        return tensors[i]
    k = split[i][j]
    return ops.mm(_multiply(tensors, split, i, k), _multiply(tensors, split, k + 1, j))


@table.op(function=False, method=False, composes=("mm", "view"), qualified=("linalg.multi_dot",))
def multi_dot(tensors):
    """``torch.linalg.multi_dot``: the product of a list of matrices, in the cheapest order
    (the first may be a vector, and the last)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"linalg.multi_dot() needs at least 2 tensors, but got "
                           f"{len(tensors)}")
    for i, t in enumerate(tensors):
        check_tensor(t, "linalg.multi_dot", "tensors", 1)
        if not (t.ndim == 2 or (t.ndim == 1 and i in (0, len(tensors) - 1))):
            raise RuntimeError(f"linalg.multi_dot(): tensor {i} must be 2-dimensional (only "
                               f"the first and last may be 1-dimensional), but it has "
                               f"{t.ndim} dimensions")
    first, last = tensors[0], tensors[-1]
    out_shape = ([first.shape[0]] if first.ndim == 2 else []) + (
        [last.shape[1]] if last.ndim == 2 else [])
    if first.ndim == 1:
        tensors[0] = ops.unsqueeze(first, 0)
    if last.ndim == 1:
        tensors[-1] = ops.unsqueeze(last, 1)
    for i in range(len(tensors) - 1):
        if tensors[i].shape[1] != tensors[i + 1].shape[0]:
            raise RuntimeError(f"linalg.multi_dot(): tensors {i} and {i + 1} cannot be "
                               f"multiplied (shapes {list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)})")
    if len(tensors) == 2:
        result = ops.mm(tensors[0], tensors[1])
    else:
        split = _chain_order([tuple(t.shape) for t in tensors])
        result = _multiply(tensors, split, 0, len(tensors) - 1)
    return ops.view(result, out_shape)


@table.op(method=False, composes=("multi_dot", "clone"))
def chain_matmul(*matrices):
    """``torch.chain_matmul(*matrices)`` (deprecated for ``torch.linalg.multi_dot``)."""
    if len(matrices) == 1:
        return ops.clone(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul() needs at least one matrix")
    for i, m in enumerate(matrices):
        check_tensor(m, "chain_matmul", "matrices", i + 1)
        if m.ndim != 2:
            raise RuntimeError(f"chain_matmul() takes matrices, but tensor {i} has {m.ndim} "
                               "dimensions")
    return multi_dot(matrices)


# ================================================================ cross
@backward("LinalgCrossBackward0")
def _cross_backward(ctx, grad):
    input, other = ctx.saved_tensors
    return (linalg_cross(other, grad, dim=ctx.dim) if ctx.need1 else None,
            linalg_cross(grad, input, dim=ctx.dim) if ctx.need2 else None)


@table.op(function=False, method=False, backward=(_cross_backward,),
          qualified=("linalg.cross",))
def linalg_cross(input, other, *, dim=-1):
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim`` (broadcasting)."""
    check_tensor(input, "linalg.cross")
    check_tensor(other, "linalg.cross", "other", 2)
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross() needs inputs with the same number of dimensions, "
                           f"but got {input.ndim} and {other.ndim}")
    d = wrap_dim(dim, input.ndim)
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"linalg.cross(): dimension {dim} must have size 3 in both inputs, "
                           f"but has sizes {input._data.shape[d]} and {other._data.shape[d]}")
    target = dt.result_type(input, other)
    a = xp.moveaxis(input._data.astype(target.np, copy=False), d, -1)
    b = xp.moveaxis(other._data.astype(target.np, copy=False), d, -1)
    value = xp.stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
                      a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
                      a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], axis=-1)
    result = new(xp.ascontiguousarray(xp.moveaxis(value, -1, d)), target)
    if ag.needs_grad(input, other):
        ctx = SavedContext(input if other._requires_grad else None,
                           other if input._requires_grad else None, dim=d,
                           need1=input._requires_grad, need2=other._requires_grad)
        ag.record(_cross_backward, (input, other), result, ctx)
    return result


@table.op(composes=("linalg_cross",))
def cross(input, other, dim=None):
    """``torch.cross``: like ``linalg.cross``, but without ``dim`` it takes the first
    dimension of size 3."""
    check_tensor(input, "cross")
    check_tensor(other, "cross", "other", 2)
    if dim is None:
        shape = xp.broadcast_shapes(input._data.shape, other._data.shape)
        sizes = [i for i, s in enumerate(shape) if s == 3]
        if not sizes:
            raise RuntimeError(f"cross(): no dimension of size 3 in inputs of shapes "
                               f"{list(input.shape)} and {list(other.shape)}")
        dim = sizes[0]
    return linalg_cross(input, other, dim=dim)
