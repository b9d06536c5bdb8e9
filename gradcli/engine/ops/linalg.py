"""Linear algebra: matrix products (``@``, mm, bmm, mv, dot, addmm...), einsum, diagonals.

The primitive products (``mm``, ``bmm``, ``mv``, ``dot``, ``addmm``...) record
their own nodes with backward rules from ``derivatives.yaml``. ``matmul``,
``einsum``, ``outer``, ``inner`` and ``tensordot`` are composites written with
those primitives and the shape ops, in the same steps as PyTorch's
implementation, so their graphs show the same nodes (``x @ y`` for batched
operands records ``UnsafeViewBackward0`` over ``BmmBackward0``...).

Float products add in the order PyTorch's CPU kernels (MKL) were measured to
use for small operands: one product at a time (starting from ``input`` in
``addmm``), or interleaved partial sums for ``x @ w.t()`` and ``dot``; other
sizes go through NumPy's BLAS, which agrees with PyTorch less often.
"""

from __future__ import annotations

import math
import numbers

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..node import Backward, SavedContext, backward
from ..tensor import Tensor, wrap_dim
from .common import broadcast_shapes, new, plural
from .registry import OpTable
from ..namespace import ops

table = OpTable("linalg")

def _check_tensor(value, name: str, arg: str = "input", position: int = 1) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}() expects a tensor for argument '{arg}' (position "
                        f"{position}), not a value of type {type(value).__name__}")


def _requires(value) -> bool:
    return isinstance(value, Tensor) and value._requires_grad


def _scaled(t: Tensor, factor) -> Tensor:
    """PyTorch's ``maybe_multiply``: ``t * factor`` (mul.Scalar) unless the factor is 1."""
    return t if factor == 1 else ops.mul_scalar(t, factor)


def _check_not_bool(t: Tensor, what: str) -> None:
    if t._dtype is dt.bool_:
        raise NotImplementedError(f"{what} is not implemented for tensors of dtype torch.bool")


def _cast_scalar(value, dtype: dt.DType):
    """``beta``/``alpha`` in the op's dtype (PyTorch truncates them for integer ops)."""
    if dtype.category == dt.FLOAT:
        return dtype.np.type(value)
    return dtype.np.type(int(value))


# ========================================================= float kernels
def _column_major(b) -> bool:
    """Whether a matrix is stored column by column (``w.t()`` of a contiguous ``w``)."""
    return (b.ndim == 2 and b.shape[0] > 1 and b.shape[1] > 1
            and b.strides[0] == b.itemsize and b.strides[1] != b.itemsize)


def _gemm_kernel(m: int, k: int, n: int, batched: bool, column_major: bool) -> str:
    """Which summation order PyTorch's CPU GEMM (MKL) uses for these sizes.

    Measured against PyTorch 2.13: ``"sequential"`` adds the products one at a
    time without fused multiply-adds; ``"lanes4"``/``"lanes8"`` add them in
    four or eight interleaved partial sums (see :func:`_lane_dot`); ``"blas"``
    stands for the kernels not reproduced here (NumPy's BLAS is used).
    """
    if k == 0:
        return "sequential"
    if not column_major:
        if m <= 3 or 2 <= n <= 8 or (batched and m * k * n < 400):
            return "sequential"
        return "blas"
    # A column-major right operand (``x @ w.t()``): dot products of rows.
    if k <= 3 or (m == 1 and k <= 8) or (n == 1 and k <= 4):
        return "sequential"
    if n >= 16 and m >= 5:
        return "blas"
    if m >= 2 and n % 4 == 0 and k % 4 == 0:
        return "lanes4"
    if m >= 2 and n in (2, 3):
        if k <= 7:
            return "sequential"
        if k % 8 == 0:
            return "lanes8" if k >= 16 else "lanes4"
    return "blas"


def _lane_dot(a, bt, width: int):
    """Row-by-row dot products ``a @ bt.T`` in ``width`` interleaved partial sums."""
    k = a.shape[-1]
    padded = -(-k // width) * width
    pa = xp.zeros(a.shape[:-1] + (padded,), a.dtype)
    pb = xp.zeros(bt.shape[:-1] + (padded,), a.dtype)
    pa[..., :k], pb[..., :k] = a, bt
    lanes = xp.zeros(a.shape[:-1] + (bt.shape[0], width), a.dtype)
    for i in range(0, padded, width):
        lanes = lanes + pa[..., :, None, i:i + width] * pb[None, :, i:i + width]
    if width == 4:
        return (lanes[..., 0] + lanes[..., 2]) + (lanes[..., 1] + lanes[..., 3])
    return ((lanes[..., 0] + lanes[..., 4]) + (lanes[..., 2] + lanes[..., 6])) + \
        ((lanes[..., 1] + lanes[..., 5]) + (lanes[..., 3] + lanes[..., 7]))


def gemm(a, b, c=None, beta=1, alpha=1, batched: bool = False):
    """``alpha * (a @ b) + beta * c`` on arrays of one dtype (``a``: (..., m, k)).

    In PyTorch's sequential kernel ``input`` (``c``) is where the sum starts;
    the column-major and matrix-vector kernels add it at the end.
    """
    m, k = a.shape[-2:]
    n = b.shape[-1]
    shape = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (m, n)
    dtype = a.dtype
    if dtype.kind != "f":
        product = xp.matmul(a, b)
        if alpha != 1:
            product = product * dtype.type(alpha)
        if c is None or beta == 0:
            return product.astype(dtype)
        return (product + xp.broadcast_to(c, shape) * dtype.type(beta)).astype(dtype)
    column_major = _column_major(b)
    work = xp.dtype(xp.float32) if dtype == xp.float16 else dtype
    a, b = a.astype(work, copy=False), b.astype(work, copy=False)
    has_c = c is not None and beta != 0
    kernel = _gemm_kernel(m, k, n, batched, column_major)
    start_from_c = has_c and beta == 1 and alpha == 1 and kernel == "sequential" and \
        not column_major and n != 1
    with xp.errstate(all="ignore"):
        if kernel == "sequential":
            acc = xp.array(xp.broadcast_to(c.astype(work), shape)) if start_from_c else \
                xp.zeros(shape, work)
            for j in range(k):
                acc = acc + a[..., :, j:j + 1] * b[..., j:j + 1, :]
        elif kernel == "blas":
            acc = xp.matmul(a, b)
        else:
            acc = _lane_dot(a, b.T, 4 if kernel == "lanes4" else 8)
        if alpha != 1:
            acc = acc * work.type(alpha)
        if has_c and not start_from_c:
            acc = acc + (c.astype(work) if beta == 1 else c.astype(work) * work.type(beta))
    return xp.broadcast_to(acc, shape).astype(dtype)


def _dot_values(a, b):
    """Dot product of two 1-D arrays in PyTorch's (MKL's) order, where it is known.

    Up to four elements: four float lanes; up to twelve: eight lanes, the last
    partial vector zero-filled, folded as ((0+4)+(2+6))+((1+5)+(3+7)).
    """
    if a.dtype != xp.float32:
        if a.dtype == xp.float16:
            return xp.asarray(_dot_values(a.astype(xp.float32), b.astype(xp.float32)),
                              dtype=xp.float16)
        return xp.asarray(xp.dot(a, b), dtype=a.dtype)
    size = a.shape[0]
    if size > 12:
        return xp.asarray(xp.dot(a, b), dtype=a.dtype)
    width = 4 if size <= 4 else 8
    padded = -(-size // width) * width
    pa = xp.zeros(padded, a.dtype)
    pb = xp.zeros(padded, a.dtype)
    pa[:size], pb[:size] = a, b
    with xp.errstate(all="ignore"):
        lanes = xp.zeros(width, a.dtype)
        for i in range(0, padded, width):
            lanes = lanes + pa[i:i + width] * pb[i:i + width]
        if width == 4:
            total = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
        else:
            total = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + \
                ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]))
    return xp.asarray(total, dtype=a.dtype)


def _mv_values(mat, vec, c=None, beta=1, alpha=1):
    """``alpha * mat @ vec + beta * c`` (GEMV) in PyTorch's order for short rows."""
    rows, k = mat.shape
    dtype = mat.dtype
    if dtype.kind != "f":
        return gemm(mat, vec[:, None], None if c is None else
                    xp.broadcast_to(c, (rows,))[:, None], beta, alpha)[:, 0]
    work = xp.dtype(xp.float32) if dtype == xp.float16 else dtype
    mat, vec = mat.astype(work, copy=False), vec.astype(work, copy=False)
    with xp.errstate(all="ignore"):
        if k <= 4:
            # Measured: PyTorch's GEMV adds up to four products one at a time
            # (and adds ``beta * input`` afterwards, unlike GEMM).
            acc = xp.zeros(rows, work)
            for j in range(k):
                acc = acc + mat[:, j] * vec[j]
        else:
            acc = xp.matmul(mat, vec)
        if alpha != 1:
            acc = acc * work.type(alpha)
        if c is not None and beta != 0:
            acc = acc + (c.astype(work) if beta == 1 else c.astype(work) * work.type(beta))
    return xp.broadcast_to(acc, (rows,)).astype(dtype)


# ===================================================================== mm
def _mm_mat1_backward(grad: Tensor, mat2: Tensor, mat1_shape, mat1_strides, alpha):
    if mat1_strides[0] == 1 and mat1_strides[1] == mat1_shape[0] and mat1_shape[0] > 0:
        # A column-major input gets a column-major gradient, as in PyTorch.
        return _scaled(ops.t(mm(mat2, ops.t(grad))), alpha)
    return _scaled(mm(grad, ops.t(mat2)), alpha)


def _mm_mat2_backward(grad: Tensor, mat1: Tensor, mat2_shape, mat2_strides, alpha):
    if mat2_strides[0] == 1 and mat2_strides[1] == mat2_shape[0] and mat2_shape[0] > 0:
        return _scaled(ops.t(mm(ops.t(grad), mat1)), alpha)
    return _scaled(mm(ops.t(mat1), grad), alpha)


def _strides(t: Tensor) -> tuple:
    return tuple(s // t._dtype.itemsize for s in t._data.strides)


@backward("MmBackward0")
def _mm_backward(ctx, grad):
    mat1, mat2 = ctx.saved_tensors
    grad1 = _mm_mat1_backward(grad, mat2, ctx.shape1, ctx.strides1, 1) if ctx.need1 else None
    grad2 = _mm_mat2_backward(grad, mat1, ctx.shape2, ctx.strides2, 1) if ctx.need2 else None
    return grad1, grad2


def _check_product_shapes(a: Tensor, b: Tensor) -> None:
    """The columns of matrix ``a`` must match the rows of matrix ``b``."""
    if a._data.shape[1] != b._data.shape[0]:
        raise RuntimeError(f"cannot multiply a {list(a.shape)} matrix by a {list(b.shape)} "
                           f"matrix: the first has {a._data.shape[1]} columns but the second "
                           f"has {b._data.shape[0]} rows")


def _check_matrix_dtypes(a: Tensor, b: Tensor) -> None:
    if a._dtype is not b._dtype:
        raise RuntimeError(f"cannot multiply matrices of different dtypes ({a._dtype!r} and "
                           f"{b._dtype!r}); convert one of them with .to()")


def _check_mm(a: Tensor, b: Tensor) -> None:
    for label, t in (("first", a), ("second", b)):
        if t.ndim != 2:
            raise RuntimeError(f"mm() needs two matrices, but its {label} argument has "
                               f"{plural(t.ndim, 'dimension')}")
    _check_matrix_dtypes(a, b)
    _check_product_shapes(a, b)
    _check_not_bool(a, "matrix multiplication")


def _save_mm(ctx: SavedContext, mat1: Tensor, mat2: Tensor) -> None:
    ctx.need1, ctx.need2 = _requires(mat1), _requires(mat2)
    ctx.shape1, ctx.strides1 = mat1._data.shape, _strides(mat1)
    ctx.shape2, ctx.strides2 = mat2._data.shape, _strides(mat2)
    ctx.save(mat1 if ctx.need2 else None, mat2 if ctx.need1 else None)


@table.op(backward=(_mm_backward,))
def mm(input, mat2):
    """Matrix product of two 2-D tensors of the same dtype.

    Example:
        >>> mm(tensor([[1, 2], [3, 4]]), tensor([[1, 0], [0, 1]]))
        tensor([[1, 2],
                [3, 4]])
    """
    _check_tensor(input, "mm")
    _check_tensor(mat2, "mm", "mat2", 2)
    _check_mm(input, mat2)
    result = new(gemm(input._data, mat2._data), input._dtype)
    if ag.needs_grad(input, mat2):
        ctx = SavedContext()
        _save_mm(ctx, input, mat2)
        ag.record(_mm_backward, (input, mat2), result, ctx)
    return result


# ==================================================================== bmm
@backward("BmmBackward0")
def _bmm_backward(ctx, grad):
    batch1, batch2 = ctx.saved_tensors
    grad1 = bmm(grad, ops.transpose(batch2, 1, 2)) if ctx.need1 else None
    grad2 = bmm(ops.transpose(batch1, 1, 2), grad) if ctx.need2 else None
    return grad1, grad2


def _check_bmm(batch1: Tensor, batch2: Tensor) -> None:
    for label, t in (("first", batch1), ("second", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"batched matrix multiplication needs 3-dimensional tensors, "
                               f"but the {label} one has {plural(t.ndim, 'dimension')}")
    b, _, k = batch1._data.shape
    if batch2._data.shape[0] != b or batch2._data.shape[1] != k:
        raise RuntimeError(f"cannot multiply batches of shapes {list(batch1.shape)} and "
                           f"{list(batch2.shape)}: the second must start with [{b}, {k}] "
                           "(the same batch size, and rows matching the first's columns)")
    if batch1._dtype is not batch2._dtype:
        raise RuntimeError(f"cannot multiply batches of different dtypes ({batch1._dtype!r} "
                           f"and {batch2._dtype!r}); convert one of them with .to()")
    _check_not_bool(batch1, "batched matrix multiplication")


@table.op(backward=(_bmm_backward,))
def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors: ``(b, n, m) @ (b, m, p)``."""
    _check_tensor(input, "bmm")
    _check_tensor(mat2, "bmm", "mat2", 2)
    _check_bmm(input, mat2)
    result = new(gemm(input._data, mat2._data, batched=True), input._dtype)
    if ag.needs_grad(input, mat2):
        ctx = SavedContext(need1=_requires(input), need2=_requires(mat2))
        ctx.save(input if ctx.need2 else None, mat2 if ctx.need1 else None)
        ag.record(_bmm_backward, (input, mat2), result, ctx)
    return result


# ===================================================================== mv
@backward("MvBackward0")
def _mv_backward(ctx, grad):
    mat, vec = ctx.saved_tensors
    grad_mat = outer(grad, vec) if ctx.need_mat else None
    grad_vec = mv(ops.t(mat), grad) if ctx.need_vec else None
    return grad_mat, grad_vec


def _check_mv(mat: Tensor, vec: Tensor) -> None:
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"a matrix-vector product needs a matrix (2 dimensions) and a vector "
                           f"(1 dimension), but got {plural(mat.ndim, 'dimension')} and "
                           f"{plural(vec.ndim, 'dimension')}")
    if mat._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"cannot multiply a {list(mat.shape)} matrix by a vector of size "
                           f"{vec._data.shape[0]}: the matrix has {mat._data.shape[1]} columns")
    if mat._dtype is not vec._dtype:
        raise RuntimeError(f"cannot multiply a {mat._dtype!r} matrix by a {vec._dtype!r} "
                           "vector; convert one of them with .to()")
    _check_not_bool(mat, "matrix-vector multiplication")


@table.op(backward=(_mv_backward,))
def mv(input, vec):
    """Matrix-vector product: ``(n, m) @ (m,)`` gives ``(n,)``."""
    _check_tensor(input, "mv")
    _check_tensor(vec, "mv", "vec", 2)
    _check_mv(input, vec)
    result = new(_mv_values(input._data, vec._data), input._dtype)
    if ag.needs_grad(input, vec):
        ctx = SavedContext(need_mat=_requires(input), need_vec=_requires(vec))
        ctx.save(input if ctx.need_vec else None, vec if ctx.need_mat else None)
        ag.record(_mv_backward, (input, vec), result, ctx)
    return result


# ============================================================ dot, vdot
def _dot_backward(ctx, grad):
    a, b = ctx.saved_tensors
    return (grad * b if ctx.need_a else None), (grad * a if ctx.need_b else None)


dot_backward0 = Backward("DotBackward0", _dot_backward)
vdot_backward0 = Backward("VdotBackward0", _dot_backward)


def _check_dot(a: Tensor, b: Tensor, name: str) -> None:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"{name}() needs two 1-dimensional tensors, but got "
                           f"{plural(a.ndim, 'dimension')} and {plural(b.ndim, 'dimension')}")
    if a._data.shape[0] != b._data.shape[0]:
        raise RuntimeError(f"{name}() needs vectors of the same size, but got sizes "
                           f"{a._data.shape[0]} and {b._data.shape[0]}")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{name}() needs vectors of the same dtype, but got {a._dtype!r} "
                           f"and {b._dtype!r}")
    _check_not_bool(a, f"{name}()")


def _make_dot(name: str, node: str):
    def product(input, other):
        arg = "tensor" if name == "dot" else "other"
        _check_tensor(input, name)
        _check_tensor(other, name, arg, 2)
        _check_dot(input, other, name)
        result = new(_dot_values(input._data, other._data).reshape(()), input._dtype)
        if ag.needs_grad(input, other):
            ctx = SavedContext(need_a=_requires(input), need_b=_requires(other))
            ctx.save(input if ctx.need_b else None, other if ctx.need_a else None)
            ag.record(node, (input, other), result, ctx)
        return result

    product.__name__ = name
    product.__doc__ = "Dot product of two 1-D tensors of the same dtype (a 0-dim tensor)."
    return product


dot = table.op(backward=(dot_backward0,))(_make_dot("dot", dot_backward0))
vdot = table.op(backward=(vdot_backward0,))(_make_dot("vdot", vdot_backward0))


# ================================================================= outer
@table.op(aliases=("ger",), composes=("mul",))
def outer(input, vec2):
    """Outer product of two vectors; PyTorch computes ``input.reshape(n, 1) * vec2``."""
    _check_tensor(input, "outer")
    _check_tensor(vec2, "outer", "vec2", 2)
    for label, t in (("first", input), ("second", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer() needs two 1-dimensional tensors, but its {label} "
                               f"argument has {plural(t.ndim, 'dimension')}")
    return ops.reshape(input, input._data.shape[0], 1) * vec2


# ========================================================== addmm family
@backward("AddmmBackward0")
def _addmm_backward(ctx, grad):
    mat1, mat2 = ctx.saved_tensors
    grad_input = _scaled(grad, ctx.beta) if ctx.need_input else None
    grad1 = _mm_mat1_backward(grad, mat2, ctx.shape1, ctx.strides1, ctx.alpha) \
        if ctx.need1 else None
    grad2 = _mm_mat2_backward(grad, mat1, ctx.shape2, ctx.strides2, ctx.alpha) \
        if ctx.need2 else None
    return grad_input, grad1, grad2


def _expand_input(input: Tensor, shape: tuple):
    """``input``'s values broadcast to ``shape``, with PyTorch's expand error."""
    try:
        return xp.broadcast_to(input._data, shape)
    except ValueError:
        ops.expand(input, shape)  # raises PyTorch's RuntimeError
        raise


@table.op(inplace=True, backward=(_addmm_backward,))
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape."""
    _check_tensor(input, "addmm")
    _check_tensor(mat1, "addmm", "mat1", 2)
    _check_tensor(mat2, "addmm", "mat2", 3)
    if input._dtype is not mat2._dtype:
        raise RuntimeError(f"addmm() needs input and mat2 of the same dtype, but got "
                           f"{input._dtype!r} and {mat2._dtype!r}")
    if mat1._dtype is not mat2._dtype:
        raise RuntimeError(f"addmm() needs mat1 and mat2 of the same dtype, but got "
                           f"{mat1._dtype!r} and {mat2._dtype!r}")
    for label, t in (("mat1", mat1), ("mat2", mat2)):
        if t.ndim != 2:
            raise RuntimeError(f"addmm() needs {label} to be a matrix, but it has "
                               f"{plural(t.ndim, 'dimension')}")
    _check_product_shapes(mat1, mat2)
    _check_not_bool(mat1, "matrix multiplication")
    shape = (mat1._data.shape[0], mat2._data.shape[1])
    bias = _expand_input(input, shape)
    dtype = input._dtype
    values = gemm(mat1._data, mat2._data, bias, _cast_scalar(beta, dtype),
                  _cast_scalar(alpha, dtype))
    result = new(values, dtype)
    if ag.needs_grad(input, mat1, mat2):
        ctx = SavedContext(need_input=_requires(input), beta=beta, alpha=alpha)
        _save_mm(ctx, mat1, mat2)
        ag.record(_addmm_backward, (input, mat1, mat2), result, ctx)
    return result


@backward("AddmvBackward0")
def _addmv_backward(ctx, grad):
    mat, vec = ctx.saved_tensors
    grad_input = _scaled(grad, ctx.beta) if ctx.need_input else None
    grad_mat = _scaled(outer(grad, vec), ctx.alpha) if ctx.need_mat else None
    grad_vec = _scaled(mv(ops.t(mat), grad), ctx.alpha) if ctx.need_vec else None
    return grad_input, grad_mat, grad_vec


@table.op(inplace=True, backward=(_addmv_backward,))
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    _check_tensor(input, "addmv")
    _check_tensor(mat, "addmv", "mat", 2)
    _check_tensor(vec, "addmv", "vec", 3)
    _check_mv(mat, vec)
    bias = _expand_input(input, (mat._data.shape[0],))
    dtype = mat._dtype
    if input._dtype is not dtype:
        raise RuntimeError(f"addmv() needs input, mat and vec of the same dtype, but got "
                           f"{input._dtype!r}, {mat._dtype!r} and {vec._dtype!r}")
    values = _mv_values(mat._data, vec._data, bias, _cast_scalar(beta, dtype),
                        _cast_scalar(alpha, dtype))
    result = new(values, dtype)
    if ag.needs_grad(input, mat, vec):
        ctx = SavedContext(need_input=_requires(input), need_mat=_requires(mat),
                   need_vec=_requires(vec), beta=beta, alpha=alpha)
        ctx.save(mat if ctx.need_vec else None, vec if ctx.need_mat else None)
        ag.record(_addmv_backward, (input, mat, vec), result, ctx)
    return result


@backward("BaddbmmBackward0")
def _baddbmm_backward(ctx, grad):
    batch1, batch2 = ctx.saved_tensors
    grad_input = _scaled(grad, ctx.beta) if ctx.need_input else None
    grad1 = _scaled(bmm(grad, ops.transpose(batch2, 1, 2)), ctx.alpha) if ctx.need1 else None
    grad2 = _scaled(bmm(ops.transpose(batch1, 1, 2), grad), ctx.alpha) if ctx.need2 else None
    return grad_input, grad1, grad2


@table.op(inplace=True, backward=(_baddbmm_backward,))
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_tensor(input, "baddbmm")
    _check_tensor(batch1, "baddbmm", "batch1", 2)
    _check_tensor(batch2, "baddbmm", "batch2", 3)
    _check_bmm(batch1, batch2)
    shape = batch1._data.shape[:2] + (batch2._data.shape[2],)
    bias = _expand_input(input, shape)
    if input._dtype is not batch1._dtype:
        raise RuntimeError(f"baddbmm() needs input, batch1 and batch2 of the same dtype, but "
                           f"got {input._dtype!r}, {batch1._dtype!r} and {batch2._dtype!r}")
    dtype = batch1._dtype
    values = gemm(batch1._data, batch2._data, bias, _cast_scalar(beta, dtype),
                  _cast_scalar(alpha, dtype), batched=True)
    result = new(values, dtype)
    if ag.needs_grad(input, batch1, batch2):
        ctx = SavedContext(need_input=_requires(input), need1=_requires(batch1),
                   need2=_requires(batch2), beta=beta, alpha=alpha)
        ctx.save(batch1 if ctx.need2 else None, batch2 if ctx.need1 else None)
        ag.record(_baddbmm_backward, (input, batch1, batch2), result, ctx)
    return result


@backward("AddbmmBackward0")
def _addbmm_backward(ctx, grad):
    batch1, batch2 = ctx.saved_tensors
    grad_input = _scaled(grad, ctx.beta) if ctx.need_input else None
    expanded = ops.expand(ops.unsqueeze(grad, 0), ctx.batch_shape) if ctx.need1 or ctx.need2 else None
    grad1 = _scaled(bmm(expanded, ops.transpose(batch2, 1, 2)), ctx.alpha) if ctx.need1 else None
    grad2 = _scaled(bmm(ops.transpose(batch1, 1, 2), expanded), ctx.alpha) if ctx.need2 else None
    return grad_input, grad1, grad2


@table.op(inplace=True, backward=(_addbmm_backward,))
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    _check_tensor(input, "addbmm")
    _check_tensor(batch1, "addbmm", "batch1", 2)
    _check_tensor(batch2, "addbmm", "batch2", 3)
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise RuntimeError(f"addbmm() needs 3-dimensional batch1 and batch2, but they have "
                           f"{plural(batch1.ndim, 'dimension')} and "
                           f"{plural(batch2.ndim, 'dimension')}")
    if batch1._data.shape[0] != batch2._data.shape[0] or \
            batch1._data.shape[2] != batch2._data.shape[1]:
        raise RuntimeError(f"addbmm() cannot multiply batches of shapes {list(batch1.shape)} "
                           f"and {list(batch2.shape)}: they need the same batch size, and "
                           f"batch1's columns ({batch1._data.shape[2]}) must match batch2's "
                           f"rows ({batch2._data.shape[1]})")
    if batch1._dtype is not batch2._dtype:
        raise RuntimeError(f"addbmm() needs batch1 and batch2 of the same dtype, but got "
                           f"{batch1._dtype!r} and {batch2._dtype!r}")
    shape = (batch1._data.shape[1], batch2._data.shape[2])
    bias = _expand_input(input, shape)
    dtype = batch1._dtype
    products = gemm(batch1._data, batch2._data, batched=True)
    total = products.sum(axis=0, dtype=products.dtype) if products.shape[0] else \
        xp.zeros(shape, dtype.np)
    with xp.errstate(all="ignore"):
        values = total * _cast_scalar(alpha, dtype)
        if beta != 0:
            values = values + bias * _cast_scalar(beta, dtype)
    result = new(values.astype(dtype.np), dtype)
    if ag.needs_grad(input, batch1, batch2):
        ctx = SavedContext(need_input=_requires(input), need1=_requires(batch1),
                   need2=_requires(batch2), beta=beta, alpha=alpha,
                   batch_shape=batch1._data.shape[:2] + (batch2._data.shape[2],))
        ctx.save(batch1 if ctx.need2 else None, batch2 if ctx.need1 else None)
        ag.record(_addbmm_backward, (input, batch1, batch2), result, ctx)
    return result


@backward("AddrBackward0")
def _addr_backward(ctx, grad):
    vec1, vec2 = ctx.saved_tensors
    grad_input = _scaled(grad, ctx.beta) if ctx.need_input else None
    grad1 = _scaled(mv(grad, vec2), ctx.alpha) if ctx.need1 else None
    grad2 = _scaled(mv(ops.t(grad), vec1), ctx.alpha) if ctx.need2 else None
    return grad_input, grad1, grad2


@table.op(inplace=True, backward=(_addr_backward,))
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta * input + alpha * outer(vec1, vec2)``."""
    _check_tensor(input, "addr")
    _check_tensor(vec1, "addr", "vec1", 2)
    _check_tensor(vec2, "addr", "vec2", 3)
    if vec1.ndim != 1 or vec2.ndim != 1:
        label, t = ("vec1", vec1) if vec1.ndim != 1 else ("vec2", vec2)
        raise RuntimeError(f"addr() needs {label} to be 1-dimensional, but it has "
                           f"{plural(t.ndim, 'dimension')}")
    dtype = dt.promote_types(dt.promote_types(input._dtype, vec1._dtype), vec2._dtype)
    shape = (vec1._data.shape[0], vec2._data.shape[0])
    bias = _expand_input(input, shape).astype(dtype.np)
    with xp.errstate(all="ignore"):
        values = xp.multiply.outer(vec1._data.astype(dtype.np), vec2._data.astype(dtype.np))
        if alpha != 1:
            values = values * _cast_scalar(alpha, dtype)
        if beta != 0:
            values = values + (bias if beta == 1 else bias * _cast_scalar(beta, dtype))
    result = new(values.astype(dtype.np), dtype)
    if ag.needs_grad(input, vec1, vec2):
        ctx = SavedContext(need_input=_requires(input), need1=_requires(vec1), need2=_requires(vec2),
                   beta=beta, alpha=alpha)
        ctx.save(vec1 if ctx.need2 else None, vec2 if ctx.need1 else None)
        ag.record(_addr_backward, (input, vec1, vec2), result, ctx)
    return result


# ================================================================ matmul
@backward("UnsafeViewBackward0")
def _unsafe_view_backward(ctx, grad):
    return (ops.reshape(grad, ctx.shape),)


def _unsafe_view(input: Tensor, shape) -> Tensor:
    """PyTorch's ``_unsafe_view``: same values, new shape, not tracked as a view."""
    try:
        array = xp.reshape(input._data, tuple(shape), copy=False)
    except ValueError:
        raise RuntimeError(
            f"cannot view a tensor of shape {list(input.shape)} as shape {list(shape)} without "
            "copying, because of how its elements are laid out in memory; use .reshape(...) "
            "instead") from None
    result = new(array, input._dtype)
    if ag.needs_grad(input):
        ag.record(_unsafe_view_backward, (input,), result,
                  SavedContext(shape=input._data.shape))
    return result


@backward("SqueezeBackward4")
def _squeeze_first_backward(ctx, grad):
    return (ops.unsqueeze(grad, 0),)


def _squeeze_first(input: Tensor) -> Tensor:
    """``squeeze_(0)`` on a fresh result (PyTorch's 1-D @ 2-D): SqueezeBackward4."""
    result = new(input._data.reshape(input._data.shape[1:]), input._dtype)
    if ag.needs_grad(input):
        ag.record(_squeeze_first_backward, (input,), result)
    return result


def _should_fold(tensor1: Tensor, tensor2: Tensor) -> bool:
    """PyTorch's ``should_fold``: fold the larger operand's batch into mm/mv rows."""
    larger = tensor1.ndim >= tensor2.ndim
    t1 = tensor1._data if larger else xp.swapaxes(tensor2._data, -1, -2)
    dim_t2 = tensor2.ndim if larger else tensor1.ndim
    if not (t1.ndim >= 3 and dim_t2 <= 2):
        return False
    if (tensor2 if larger else tensor1)._requires_grad:
        return True
    if tensor1.ndim == 2:
        return False
    if t1.size == 0:
        return True
    strides, shape = t1.strides, t1.shape
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1.ndim - 2))


def _matmul_folded(tensor1: Tensor, tensor2: Tensor) -> Tensor:
    transpose_back = tensor2.ndim > tensor1.ndim
    if transpose_back:
        t1 = ops.transpose(tensor2, -2, -1)
        t2 = ops.t(tensor1) if tensor1.ndim == 2 else tensor1
    else:
        t1, t2 = tensor1, tensor2
    sizes1 = t1._data.shape
    output_shape = sizes1[:-1]
    folded = math.prod(output_shape)
    t1_folded = ops.reshape(t1, folded, sizes1[-1])
    if t2.ndim == 2:
        output_shape = output_shape + (t2._data.shape[1],)
        output = _unsafe_view(mm(t1_folded, t2), output_shape)
        return ops.contiguous(ops.transpose(output, -2, -1)) if transpose_back else output
    return _unsafe_view(mv(t1_folded, t2), output_shape)


def _matmul_batched(tensor1: Tensor, tensor2: Tensor) -> Tensor:
    dim1, dim2 = tensor1.ndim, tensor2.ndim
    shape1, shape2 = tensor1._data.shape, tensor2._data.shape
    n = shape1[-2] if dim1 > 1 else 1
    m1 = shape1[-1]
    batch1 = shape1[:max(dim1 - 2, 0)]
    m2 = shape2[-2] if dim2 > 1 else shape2[0]
    p = shape2[-1] if dim2 > 1 else 1
    batch2 = shape2[:max(dim2 - 2, 0)]
    if dim1 == 3 and dim2 == 3 and batch1[0] != batch2[0]:
        # Broadcasting a single matrix: fold it instead (cheaper gradients).
        if batch1[0] == 1 and tensor1._requires_grad:
            return matmul(ops.squeeze(tensor1, 0), tensor2)
        if batch2[0] == 1 and tensor2._requires_grad:
            return matmul(tensor1, ops.squeeze(tensor2, 0))
    batch = broadcast_shapes(batch1, batch2)
    count = math.prod(batch)
    expanded1 = ops.reshape(ops.expand(tensor1, batch + (n, m1)), count, n, m1)
    vector_rhs = dim2 == 1
    if vector_rhs:
        expanded2 = ops.unsqueeze(ops.reshape(ops.expand(tensor2, batch + (m2,)), count, m2), 2)
    else:
        expanded2 = ops.reshape(ops.expand(tensor2, batch + (m2, p)), count, m2, p)
    output_shape = batch + ((n,) if dim1 > 1 else ()) + ((p,) if dim2 > 1 else ())
    product = bmm(expanded1, expanded2)
    if vector_rhs:
        product = ops.squeeze(product, -1)
    return _unsafe_view(product, output_shape)


@table.op(operators=("__matmul__",),
          backward=(_mv_backward, _mm_backward, _bmm_backward, _unsafe_view_backward,
                    _squeeze_first_backward),
          composes=("dot", "clone"))
def matmul(input, other):
    """The ``@`` operator: dot, matrix-vector, matrix or broadcast batched product.

    Example:
        >>> tensor([1.0, 2.0]) @ tensor([3.0, 4.0])
        tensor(11.)
    """
    _check_tensor(input, "matmul")
    _check_tensor(other, "matmul", "other", 2)
    dim1, dim2 = input.ndim, other.ndim
    if dim1 == 0 or dim2 == 0:
        raise RuntimeError(f"matrix multiplication needs tensors with at least 1 dimension, "
                           f"but got {plural(dim1, 'dimension')} and "
                           f"{plural(dim2, 'dimension')}; use * to multiply by a "
                           "0-dimensional tensor")
    if dim1 == 1 and dim2 == 1:
        return dot(input, other)
    if dim1 == 2 and dim2 == 1:
        return mv(input, other)
    if dim1 == 1 and dim2 == 2:
        return _squeeze_first(mm(ops.unsqueeze(input, 0), other))
    if dim1 == 2 and dim2 == 2:
        return mm(input, other)
    _check_matrix_dtypes(input, other)
    if _should_fold(input, other):
        return _matmul_folded(input, other)
    return _matmul_batched(input, other)


@table.op(function=False, method=False, operators=("__rmatmul__",))
def rmatmul(input, other):
    """``other @ input`` where ``other`` is not a tensor's own ``__matmul__``."""
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, input)


# ================================================================ einsum
_ELLIPSIS = "..."


def _parse_operand_labels(lhs: str, count: int) -> list:
    labels = [[]]
    i = 0
    while i < len(lhs):
        ch = lhs[i]
        if ch == " ":
            pass
        elif ch == ".":
            if _ELLIPSIS in labels[-1]:
                raise RuntimeError(f"einsum(): operand {len(labels) - 1} has a second "
                                   "ellipsis; each operand may have at most one '...'")
            if lhs[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): operand {len(labels) - 1} has a '.' that is "
                                   "not part of an ellipsis '...'")
            labels[-1].append(_ELLIPSIS)
            i += 2
        elif ch == ",":
            labels.append([])
            if len(labels) > count:
                raise RuntimeError(f"einsum(): the equation names more operands than the "
                                   f"{count} given")
        elif ch.isascii() and ch.isalpha():
            labels[-1].append(ch)
        else:
            raise RuntimeError(f"einsum(): {ch!r} at index {i} of the equation is not a "
                               "valid subscript; subscripts are the letters a-z and A-Z")
        i += 1
    if len(labels) != count:
        raise RuntimeError(f"einsum(): {count} operands were given, but the equation names "
                           f"only {len(labels)}")
    return labels


def _label_order(label: str) -> int:
    """PyTorch orders implicit-output labels with uppercase before lowercase."""
    return ord(label) - ord("A") if label.isupper() else 26 + ord(label) - ord("a")


def _sumproduct_pair(left: Tensor, right: Tensor, sum_dims: list) -> Tensor:
    """``(left * right).sum(sum_dims, keepdim=True)`` as a bmm (PyTorch's pairwise step)."""
    if not sum_dims:
        return left * right
    ndim = left.ndim
    summed = set(sum_dims)
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(ndim):
        left_size, right_size = left._data.shape[i], right._data.shape[i]
        in_left, in_right = left_size != 1, right_size != 1
        if i in summed:
            if in_left and in_right:
                if left_size != right_size:
                    raise RuntimeError(f"einsum(): a summed dimension has size {left_size} in "
                                       f"one operand and {right_size} in the other")
                sum_size *= left_size
            elif in_left:
                left = _sum_keep(left, [i])
            elif in_right:
                right = _sum_keep(right, [i])
        elif in_left and in_right:
            if left_size != right_size:
                raise RuntimeError(f"einsum(): a shared dimension has size {left_size} in one "
                                   f"operand and {right_size} in the other")
            lro.append(i)
            lro_size *= left_size
        elif in_left:
            lo.append(i)
            lo_size *= left_size
        else:
            ro.append(i)
            ro_size *= right_size
    out_size = ([left._data.shape[d] for d in lro] + [left._data.shape[d] for d in lo]
                + [1] * len(sum_dims) + [right._data.shape[d] for d in ro])
    lperm = lro + lo + list(sum_dims) + ro
    rperm = lro + list(sum_dims) + ro + lo
    operm = [-1] * len(out_size)
    for i, d in enumerate(lro + lo + list(sum_dims) + ro):
        operm[d] = i
    left = ops.reshape(ops.permute(left, lperm), lro_size, lo_size, sum_size)
    right = ops.reshape(ops.permute(right, rperm), lro_size, sum_size, ro_size)
    result = bmm(left, right)
    return ops.permute(ops.view(result, out_size), operm)


def _sum_keep(t: Tensor, dims: list) -> Tensor:
    return ops.sum(t, tuple(dims), keepdim=True)


@table.op(method=False, out=False,
          composes=("view", "permute", "sum", "mul"))
def einsum(equation, *operands):
    """Einstein summation, computed as PyTorch does: diagonals, permutes, then bmm pairs.

    Example:
        >>> einsum("ij,jk->ik", a, b)  # a @ b
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum() expects the equation as a string, not a value of type "
                        f"{type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum() needs at least one operand")
    for i, op in enumerate(operands):
        _check_tensor(op, "einsum", "operands", i + 2)
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels = _parse_operand_labels(lhs, len(operands))

    label_count: dict = {}
    ell_num_dim = 0
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        named = [lab for lab in labels if lab != _ELLIPSIS]
        has_ellipsis = len(named) != len(labels)
        for lab in named:
            label_count[lab] = label_count.get(lab, 0) + 1
        if has_ellipsis:
            ell_num_dim = max(ell_num_dim, op.ndim - len(named))
        if (len(named) > op.ndim) if has_ellipsis else (len(named) != op.ndim):
            raise RuntimeError(
                f"einsum(): operand {i} has {plural(op.ndim, 'dimension')}, but the equation "
                f"gives it {plural(len(named), 'subscript')}"
                + (" (more than it has, even with the ellipsis)" if has_ellipsis else
                   " and no ellipsis '...' to cover the rest"))

    perm_index: dict = {}
    position = 0
    ell_index = 0
    ell_in_output = False
    if arrow < 0:
        position = ell_num_dim
        ell_in_output = True
        for lab in sorted(label_count, key=_label_order):
            if label_count[lab] == 1:
                perm_index[lab] = position
                position += 1
    else:
        rhs = equation[arrow + 2:]
        i = 0
        while i < len(rhs):
            ch = rhs[i]
            if ch == " ":
                pass
            elif ch == ".":
                if ell_in_output:
                    raise RuntimeError("einsum(): the output has a second ellipsis; it may "
                                       "have at most one '...'")
                if rhs[i:i + 3] != "...":
                    raise RuntimeError("einsum(): the output has a '.' that is not part of an "
                                       "ellipsis '...'")
                ell_index = position
                position += ell_num_dim
                ell_in_output = True
                i += 2
            elif ch.isascii() and ch.isalpha():
                if label_count.get(ch, 0) == 0 or ch in perm_index:
                    raise RuntimeError(
                        f"einsum(): output subscript {ch} "
                        + ("appears more than once in the output" if ch in perm_index else
                           "does not appear in any input"))
                perm_index[ch] = position
                position += 1
            else:
                raise RuntimeError(f"einsum(): {ch!r} at index {len(lhs) + 2 + i} of the "
                                   "equation is not a valid subscript; subscripts are the "
                                   "letters a-z and A-Z")
            i += 1
    out_num_dim = position
    if not ell_in_output:
        ell_index = position
        position += ell_num_dim
    for lab in sorted(label_count, key=_label_order):
        if lab not in perm_index:
            perm_index[lab] = position
            position += 1
    total_dims = position

    label_size: dict = {}
    ell_sizes = [1] * ell_num_dim
    dim_counts = [0] * total_dims
    terms = []
    for i, (operand, labels) in enumerate(zip(operands, op_labels)):
        op = operand
        permutation = [-1] * total_dims
        dim = 0
        for lab in labels:
            if lab == _ELLIPSIS:
                covered = operand.ndim - (len(labels) - 1)
                for j in range(ell_num_dim - covered, ell_num_dim):
                    size = op._data.shape[dim]
                    if size != 1:
                        if ell_sizes[j] != 1 and ell_sizes[j] != size:
                            raise RuntimeError(
                                f"einsum(): dimension {dim} of operand {i}, under the "
                                f"ellipsis, has size {size}, which does not broadcast with "
                                f"size {ell_sizes[j]} seen there in an earlier operand")
                        ell_sizes[j] = size
                        dim_counts[ell_index + j] += 1
                    permutation[ell_index + j] = dim
                    dim += 1
            elif permutation[perm_index[lab]] == -1:
                size = op._data.shape[dim]
                if size != 1:
                    seen = label_size.get(lab, 1)
                    if seen != 1 and seen != size:
                        raise RuntimeError(
                            f"einsum(): subscript {lab} has size {size} in operand {i}, which "
                            f"does not broadcast with size {seen} seen in an earlier operand")
                    label_size[lab] = size
                    dim_counts[perm_index[lab]] += 1
                permutation[perm_index[lab]] = dim
                dim += 1
            else:
                previous = permutation[perm_index[lab]]
                if op._data.shape[dim] != op._data.shape[previous]:
                    raise RuntimeError(
                        f"einsum(): subscript {lab} is repeated in operand {i}, but the sizes "
                        f"differ ({op._data.shape[previous]} and {op._data.shape[dim]})")
                op = ops.movedim(ops.diagonal(op, 0, previous, dim), -1, previous)
        for k, value in enumerate(permutation):
            if value == -1:
                op = ops.unsqueeze(op, dim)
                permutation[k] = dim
                dim += 1
        terms.append(ops.permute(op, permutation))

    while len(terms) > 1:
        a, b = terms[0], terms[1]
        del terms[:2]
        sum_dims, a_dims, b_dims = [], [], []
        for d in range(out_num_dim, total_dims):
            a_size, b_size = a._data.shape[d], b._data.shape[d]
            if a_size != 1 and b_size != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if a_size != 1:
                    a_dims.append(d)
                    dim_counts[d] = 0
                elif b_size != 1:
                    b_dims.append(d)
                    dim_counts[d] = 0
        if a_dims:
            a = _sum_keep(a, a_dims)
        if b_dims:
            b = _sum_keep(b, b_dims)
        terms.insert(0, _sumproduct_pair(a, b, sum_dims))

    result = terms[0]
    if total_dims - out_num_dim > 0:
        if len(operands) > 1:
            return ops.view(result, list(result._data.shape[:out_num_dim]))
        return ops.sum(result, tuple(range(out_num_dim, total_dims)))
    return result


# ============================================================== tensordot
@table.op(method=False, composes=("view",))
def tensordot(a, b, dims=2):
    """Contracts ``dims`` (a count, or two lists of dims) of ``a`` and ``b`` with one mm."""
    _check_tensor(a, "tensordot", "a")
    _check_tensor(b, "tensordot", "b", 2)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, numbers.Integral):
        if dims < 0:
            raise RuntimeError(f"tensordot() needs dims >= 0, but got dims={dims}")
        dims_a = list(range(a.ndim - dims, a.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, numbers.Integral) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, numbers.Integral) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError(f"tensordot() needs two dimension lists of the same length, but "
                           f"got {dims_a} and {dims_b}")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"tensordot() needs both tensors to have the same dtype, but got "
                           f"{a._dtype!r} and {b._dtype!r}")
    dims_a = [wrap_dim(d, a.ndim) for d in dims_a]
    dims_b = [wrap_dim(d, b.ndim) for d in dims_b]
    t1, t2 = a, b
    csize = 1
    for d1, d2 in zip(dims_a, dims_b):
        s1, s2 = a._data.shape[d1], b._data.shape[d2]
        if s2 == 1:
            t1 = _sum_keep(t1, [d1])
        elif s1 == 1:
            t2 = _sum_keep(t2, [d2])
        else:
            if s1 != s2:
                raise RuntimeError(f"tensordot() cannot contract dimension {d1} of the first "
                                   f"tensor (size {s1}) with dimension {d2} of the second "
                                   f"(size {s2}); the sizes must match")
            csize *= s1
    p1 = [d for d in range(a.ndim) if d not in dims_a] + dims_a
    p2 = dims_b + [d for d in range(b.ndim) if d not in dims_b]
    size1 = math.prod(t1._data.shape[d] for d in range(a.ndim) if d not in dims_a)
    size2 = math.prod(t2._data.shape[d] for d in range(b.ndim) if d not in dims_b)
    rsizes = [t1._data.shape[d] for d in range(a.ndim) if d not in dims_a] + \
        [t2._data.shape[d] for d in range(b.ndim) if d not in dims_b]
    left = ops.reshape(ops.permute(t1, p1), size1, csize)
    right = ops.reshape(ops.permute(t2, p2), csize, size2)
    return ops.reshape(mm(left, right), rsizes)


@table.op(backward=(_mm_backward,), composes=("view", "dot", "mul"))
def inner(input, other):
    """Inner product over the last dims (a product with a 0-dim operand is elementwise)."""
    _check_tensor(input, "inner")
    _check_tensor(other, "inner", "other", 2)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() needs the last dimensions to match, but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    if input.ndim == 1 and other.ndim == 1:
        return ops.view(dot(input, other), ())
    return tensordot(input, other, ([-1], [-1]))


@table.op(backward=(_unsafe_view_backward,), composes=("mul",))
def kron(input, other):
    """Kronecker product: every element of ``input`` times the whole of ``other``."""
    _check_tensor(input, "kron")
    _check_tensor(other, "kron", "other", 2)
    ndim = max(input.ndim, other.ndim)
    pad_a, pad_b = ndim - input.ndim, ndim - other.ndim
    a_shape, b_shape, out_shape = [], [], []
    for i in range(ndim):
        a_size = input._data.shape[i - pad_a] if i >= pad_a else 1
        b_size = other._data.shape[i - pad_b] if i >= pad_b else 1
        a_shape += [a_size, 1]
        b_shape += [1, b_size]
        out_shape.append(a_size * b_size)
    product = _unsafe_view(input, a_shape) * _unsafe_view(other, b_shape)
    return _unsafe_view(product, out_shape)


# ======================================================== diagonals, trace
def _diagonal_geometry(shape, strides, offset: int, dim1: int, dim2: int):
    size1, size2 = shape[dim1], shape[dim2]
    if offset >= 0:
        length = max(0, min(size1, size2 - offset))
        start = offset * strides[dim2] if length else 0
    else:
        length = max(0, min(size1 + offset, size2))
        start = -offset * strides[dim1] if length else 0
    rest = [i for i in range(len(shape)) if i not in (dim1, dim2)]
    return (tuple(shape[i] for i in rest) + (length,),
            tuple(strides[i] for i in rest) + (strides[dim1] + strides[dim2],), start)


def _diagonal_array(array, offset: int, dim1: int, dim2: int):
    """A writable NumPy view of the diagonal (last axis of the result)."""
    shape, strides, start = _diagonal_geometry(array.shape, array.strides, offset, dim1, dim2)
    base = array
    if start:
        index = [slice(None)] * array.ndim
        axis = dim2 if offset >= 0 else dim1
        index[axis] = slice(abs(offset), None)
        base = array[tuple(index)]
    return xp.lib.stride_tricks.as_strided(base, shape=shape, strides=strides,
                                           writeable=array.flags.writeable)


@backward("DiagonalBackward0_copy")
def _diagonal_backward(ctx, grad):
    return (ops.diagonal_backward(grad, ctx.shape, ctx.offset, ctx.dim1, ctx.dim2),)


@backward("DiagEmbedBackward0")
def _diag_embed_backward(ctx, grad):
    return (ops.diagonal(grad, ctx.offset, ctx.dim1, ctx.dim2),)


@table.op(backward=(_diag_embed_backward, _diagonal_backward))
def diag(input, diagonal=0):
    """A 1-D tensor becomes a diagonal matrix; a matrix gives its diagonal (a copy)."""
    _check_tensor(input, "diag")
    if input.ndim == 1:
        size = input._data.shape[0] + abs(diagonal)
        data = xp.zeros((size, size), dtype=input._dtype.np)
        _diagonal_array(data, diagonal, 0, 1)[...] = input._data
        result = new(data, input._dtype)
        if ag.needs_grad(input):
            ag.record(_diag_embed_backward, (input,), result,
                      SavedContext(offset=diagonal, dim1=0, dim2=1))
        return result
    if input.ndim != 2:
        raise RuntimeError(f"diag() takes a 1- or 2-dimensional tensor, but got one with "
                           f"{plural(input.ndim, 'dimension')}")
    result = new(_diagonal_array(input._data, diagonal, 0, 1).copy(), input._dtype)
    if ag.needs_grad(input):
        ag.record(_diagonal_backward, (input,), result,
                  SavedContext(shape=input._data.shape, offset=diagonal, dim1=0, dim2=1))
    return result


@backward("TraceBackward0")
def _trace_backward(ctx, grad):
    """PyTorch's ``trace_backward``: ``grad`` written on the flattened diagonal."""
    rows, cols = ctx.shape
    indices = new(xp.arange(0, rows * cols, cols + 1, dtype=xp.int64), dt.int64)
    flat = ops.index_fill(ops.zeros(rows * cols, dtype=grad._dtype), 0, indices, grad)
    return (ops.view(flat, ctx.shape),)


@table.op(backward=(_trace_backward,), out=False)
def trace(input):
    """Sum of the main diagonal of a matrix (integers give int64)."""
    _check_tensor(input, "trace")
    if input.ndim != 2:
        raise RuntimeError(f"trace() needs a matrix (2 dimensions), but got a tensor with "
                           f"{plural(input.ndim, 'dimension')}")
    values = _diagonal_array(input._data, 0, 0, 1)
    if input._dtype.category == dt.FLOAT:
        target = input._dtype
        wide = xp.float32 if target is dt.float16 else xp.float64
        total = xp.cumsum(values.astype(wide))[-1] if values.size else wide(0)
    else:
        target = dt.int64
        total = values.astype(xp.int64).sum()
    result = new(xp.asarray(total).astype(target.np).reshape(()), target)
    if ag.needs_grad(input):
        ag.record(_trace_backward, (input,), result,
                  SavedContext(shape=input._data.shape))
    return result


def _make_triangle(name: str, np_fn, node_name: str):
    """Declares ``tril``/``triu``: the op, its in-place form and its backward node."""

    def rule(ctx, grad):
        return (triangle(grad, ctx.diagonal),)

    node = Backward(node_name, rule)

    def triangle(input, diagonal=0):
        _check_tensor(input, name)
        if input.ndim < 2:
            raise RuntimeError(f"{name}() needs a tensor with at least 2 dimensions, but got "
                               f"one with {plural(input.ndim, 'dimension')}")
        result = new(np_fn(input._data, diagonal), input._dtype)
        if ag.needs_grad(input):
            ag.record(node, (input,), result, SavedContext(diagonal=diagonal))
        return result

    triangle.__name__ = name
    triangle.__doc__ = (f"The {'lower' if name == 'tril' else 'upper'} triangle of the last two "
                        "dims (others zeroed), relative to ``diagonal``.")
    return table.op(inplace=True, backward=(node,))(triangle)


tril = _make_triangle("tril", xp.tril, "TrilBackward0")
triu = _make_triangle("triu", xp.triu, "TriuBackward0")


@table.op(backward=(_mm_backward,))
def matrix_power(input, n):
    """``input`` multiplied by itself ``n`` times (``n`` >= 0; 0 gives the identity)."""
    _check_tensor(input, "matrix_power")
    if input.ndim < 2 or input._data.shape[-1] != input._data.shape[-2]:
        raise RuntimeError(f"matrix_power() needs square matrices, but got "
                           f"{input._data.shape[-2] if input.ndim > 1 else 1} by "
                           f"{input._data.shape[-1] if input.ndim else 1} matrices")
    if n < 0:
        raise RuntimeError(f"matrix_power() with the negative power {n} needs a matrix "
                           "inverse, which gradcli does not provide")
    if n == 0:
        eye = xp.broadcast_to(xp.eye(input._data.shape[-1], dtype=input._dtype.np),
                              input._data.shape).copy()
        return new(eye, input._dtype)
    if n == 1:
        return ops.clone(input)
    if n == 2:
        return matmul(input, input)
    if n == 3:
        return matmul(matmul(input, input), input)
    # Binary decomposition of n, lowest bit first, as PyTorch multiplies.
    square = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        square = input if square is None else matmul(square, square)
        if bit:
            result = square if result is None else matmul(result, square)
    return result
