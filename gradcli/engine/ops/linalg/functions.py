"""More of ``torch.linalg``: ``matrix_exp``, the ``_ex`` forms (``inv_ex``,
``cholesky_ex``, ``solve_ex``: their ``info`` as LAPACK's, the values of a failed
factorization nan where PyTorch leaves LAPACK's), ``cond``, ``vecdot``, ``diagonal``,
``vander``, ``tensorinv``, ``tensorsolve``.

``matrix_exp`` is scaling and squaring with a degree-13 Padé approximant (Higham's
algorithm; PyTorch uses Taylor polynomials of adaptive degree, so the last bits
may differ); its backward is PyTorch's: the exponential of the block matrix
``[[A^T, G], [0, A^T]]``, whose upper-right block is the gradient.
"""

from __future__ import annotations

import math

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...returntypes import TYPES
from ..common import new
from ..registry import OpTable
from ._helpers import LinAlgError, check_matrices, check_tensor, mT
from .decompositions import _lu

table = OpTable("linalg.functions")

# ============================================================ matrix_exp
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm(a):
    """exp of a batch of square matrices (Higham 2005, degree 13, in float64)."""
    a = a.astype(xp.float64)
    n = a.shape[-1]
    eye = xp.broadcast_to(xp.eye(n), a.shape)
    norm = xp.abs(a).sum(-2).max(-1, initial=0) if a.size else xp.zeros(a.shape[:-2])
    s = xp.maximum(0, xp.ceil(xp.log2(xp.maximum(norm, 1e-300) / _THETA13))).astype(int)
    scaled = a / (2.0 ** s)[..., None, None]
    b = _PADE13
    a2 = scaled @ scaled
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = scaled @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 +
                  b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + \
        b[0] * eye
    result = xp.linalg.solve(v - u, v + u)
    for index in xp.ndindex(*s.shape):
        for _ in range(int(s[index])):
            result[index] = result[index] @ result[index]
    return result


@backward("LinalgMatrixExpBackward0")
def _matrix_exp_backward(ctx, grad):
    (A,) = ctx.saved_tensors
    n = A.shape[-1]
    zeros = ops.zeros_like(A)
    top = ops.cat([mT(A), grad], -1)
    bottom = ops.cat([zeros, mT(A)], -1)
    block = matrix_exp(ops.cat([top, bottom], -2))
    return (ops.narrow(ops.narrow(block, -2, 0, n), -1, n, n),)


@table.op(backward=(_matrix_exp_backward,), out=False, qualified=("linalg.matrix_exp",))
def matrix_exp(A):
    """The matrix exponential ``sum_k A^k / k!`` of a square matrix (or a batch)."""
    check_matrices(A, "linalg.matrix_exp")
    value = _expm(A._data).astype(A._data.dtype)
    result = new(xp.ascontiguousarray(value), A._dtype)
    if ag.needs_grad(A):
        ag.record(_matrix_exp_backward, (A,), result, SavedContext(A))
    return result


# ============================================================ _ex forms
def _info(A, failed: bool, kind: str):
    """LAPACK's ``info``: 0, or (1-based) the first zero pivot of the LU factors (for the
    inverse and solve) or the order of the first minor that is not positive-definite."""
    data = A._data
    if not failed:
        return new(xp.zeros(data.shape[:-2], dtype=xp.int32), dt.int32)
    if kind == "linalg_cholesky_ex":
        orders = xp.zeros(data.shape[:-2], dtype=xp.int32)
        for index in xp.ndindex(*data.shape[:-2]):
            for k in range(1, data.shape[-1] + 1):
                if xp.linalg.eigvalsh(data[index][:k, :k])[0] <= 0:
                    orders[index] = k
                    break
        return new(orders, dt.int32)
    lu, _ = _lu(data)
    zero = xp.diagonal(lu, 0, -2, -1) == 0
    first = xp.where(zero.any(-1), xp.argmax(zero, -1) + 1, 0)
    return new(first.astype(xp.int32), dt.int32)


def _ex(call, A, check_errors: bool, kind: str, nan_shape):
    try:
        value = call()
        failed = False
    except LinAlgError:
        if check_errors:
            raise
        value, failed = new(xp.full(nan_shape, xp.nan, A._data.dtype), A._dtype), True
    return TYPES[kind]((value, _info(A, failed, kind)))


@table.op(function=False, method=False, composes=("inverse",), out=False,
          qualified=("linalg.inv_ex",))
def inv_ex(A, *, check_errors=False):
    """``torch.linalg.inv_ex``: ``(inverse, info)``, ``info`` non-zero for a singular
    matrix instead of an error (unless ``check_errors``)."""
    return _ex(lambda: ops.inverse(A), A, check_errors, "linalg_inv_ex", A._data.shape)


@table.op(function=False, method=False, composes=("linalg_cholesky",), out=False,
          qualified=("linalg.cholesky_ex",))
def cholesky_ex(A, *, upper=False, check_errors=False):
    """``torch.linalg.cholesky_ex``: ``(L, info)``, ``info`` non-zero where the matrix
    is not positive-definite."""
    return _ex(lambda: ops.linalg_cholesky(A, upper=upper), A, check_errors,
               "linalg_cholesky_ex", A._data.shape)


@table.op(function=False, method=False, composes=("linalg_solve",), out=False,
          qualified=("linalg.solve_ex",))
def solve_ex(A, B, *, left=True, check_errors=False):
    """``torch.linalg.solve_ex``: ``(result, info)``, ``info`` non-zero for a singular A."""
    return _ex(lambda: ops.linalg_solve(A, B, left=left), A, check_errors, "linalg_solve_ex",
               B._data.shape)


# ================================================================ cond
@table.op(function=False, method=False, composes=("svdvals", "matrix_norm", "inv_ex", "div",
                                                  "mul", "narrow", "squeeze", "nan_to_num"),
          qualified=("linalg.cond",))
def cond(A, p=None):
    """The condition number of ``A`` in the ``p`` norm (the 2-norm, through singular
    values, by default)."""
    check_matrices(A, "linalg.cond", square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        s = ops.svdvals(A)
        k = s.shape[-1]
        first, last = ops.narrow(s, -1, 0, 1), ops.narrow(s, -1, k - 1, 1)
        return ops.squeeze(first / last if p != -2 else last / first, -1)
    inverse = inv_ex(A).inverse
    # A singular matrix has an infinite condition number (nan from the inverse becomes inf).
    return ops.nan_to_num(ops.matrix_norm(A, p) * ops.matrix_norm(inverse, p), math.inf)


# ============================================== vecdot, diagonal, vander
@table.op(function=False, method=False, composes=("mul", "sum", "vdot"),
          qualified=("linalg.vecdot",))
def vecdot(x, y, *, dim=-1):
    """``torch.linalg.vecdot``: the dot product of vectors along ``dim`` (broadcast)."""
    check_tensor(x, "linalg.vecdot", "x")
    check_tensor(y, "linalg.vecdot", "y", 2)
    if x.ndim == 1 and y.ndim == 1 and dim in (0, -1):  # PyTorch takes vdot here
        return ops.vdot(x, y)
    return ops.sum(x * y, dim)


@table.op(function=False, method=False, composes=("diagonal",), out=False,
          qualified=("linalg.diagonal",))
def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """``torch.linalg.diagonal``: ``torch.diagonal`` over the last two dims by default."""
    return ops.diagonal(A, offset, dim1, dim2)


@table.op(function=False, method=False, composes=("cumprod", "cat", "expand"), out=False,
          qualified=("linalg.vander",))
def linalg_vander(x, *, N=None):
    """``torch.linalg.vander``: the powers ``x ** 0 .. x ** (N - 1)`` along a new last dim."""
    check_tensor(x, "linalg.vander", "x")
    if x.ndim < 1:
        raise RuntimeError("linalg.vander() needs a tensor with at least 1 dimension")
    n = x.shape[-1] if N is None else N
    if n < 1:
        raise RuntimeError(f"linalg.vander() needs N >= 1, not {n}")
    target = dt.promote_types(x._dtype, dt.int64)
    ones = ops.ones(tuple(x.shape) + (1,), dtype=target)
    if n == 1:
        return ones
    powers = ops.cumprod(ops.expand(ops.unsqueeze(x, -1), *(tuple(x.shape) + (n - 1,))), -1)
    return ops.cat([ones, powers], -1)



# ================================================== tensorinv, tensorsolve
@table.op(function=False, method=False, composes=("reshape", "inverse"), out=False,
          qualified=("linalg.tensorinv",))
def tensorinv(A, ind=2):
    """``torch.linalg.tensorinv``: the inverse of ``A`` for ``tensordot(.., ind)``, the
    first ``ind`` dims against the rest."""
    check_tensor(A, "linalg.tensorinv", "A")
    if ind <= 0:
        raise RuntimeError(f"linalg.tensorinv() needs a positive ind, not {ind}")
    rows_shape, cols_shape = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows, cols = math.prod(rows_shape), math.prod(cols_shape)
    if rows != cols:
        raise RuntimeError(f"linalg.tensorinv(): the first {ind} dims hold {rows} elements and "
                           f"the rest {cols}; they must be equal")
    inverse = ops.inverse(ops.reshape(A, (rows, cols)))
    return ops.reshape(inverse, cols_shape + rows_shape)


@table.op(function=False, method=False, composes=("reshape", "linalg_solve", "permute"),
          out=False, qualified=("linalg.tensorsolve",))
def tensorsolve(A, B, dims=None):
    """``torch.linalg.tensorsolve``: ``X`` with ``tensordot(A, X, X.ndim) = B`` (``dims``
    of ``A`` moved to the end first)."""
    check_tensor(A, "linalg.tensorsolve", "A")
    check_tensor(B, "linalg.tensorsolve", "B", 2)
    if dims is not None:
        moved = [d % A.ndim for d in dims]
        rest = [d for d in range(A.ndim) if d not in moved]
        A = ops.permute(A, tuple(rest + moved))
    result_shape = tuple(A.shape[B.ndim:])
    rows, cols = B.numel(), math.prod(result_shape)
    if rows != cols:
        raise RuntimeError(f"linalg.tensorsolve(): B has {rows} elements but the solution "
                           f"would have {cols}; A must be square in that sense")
    solution = ops.linalg_solve(ops.reshape(A, (rows, cols)), ops.reshape(B, (rows,)))
    return ops.reshape(solution, result_shape)
