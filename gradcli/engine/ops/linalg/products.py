"""The primitive matrix products: ``mm``, ``bmm``, ``mv``, ``dot``/``vdot`` and ``outer``.

Each records its own node with backward rules from ``derivatives.yaml``.
"""

from __future__ import annotations

from ... import autograd as ag
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...tensor import Tensor
from ..common import new, plural
from ..registry import OpTable
from ..views import strides_of
from ._gemm import dot_values, gemm, mv_values
from ._helpers import check_not_bool, check_tensor, requires, scaled

table = OpTable("linalg.products")


# ===================================================================== mm
def mm_mat1_backward(grad: Tensor, mat2: Tensor, mat1_shape, mat1_strides, alpha):
    if mat1_strides[0] == 1 and mat1_strides[1] == mat1_shape[0] and mat1_shape[0] > 0:
        # A column-major input gets a column-major gradient, as in PyTorch.
        return scaled(ops.t(mm(mat2, ops.t(grad))), alpha)
    return scaled(mm(grad, ops.t(mat2)), alpha)


def mm_mat2_backward(grad: Tensor, mat1: Tensor, mat2_shape, mat2_strides, alpha):
    if mat2_strides[0] == 1 and mat2_strides[1] == mat2_shape[0] and mat2_shape[0] > 0:
        return scaled(ops.t(mm(ops.t(grad), mat1)), alpha)
    return scaled(mm(ops.t(mat1), grad), alpha)


@backward("MmBackward0")
def mm_backward(ctx, grad):
    mat1, mat2 = ctx.saved_tensors
    grad1 = mm_mat1_backward(grad, mat2, ctx.shape1, ctx.strides1, 1) if ctx.need1 else None
    grad2 = mm_mat2_backward(grad, mat1, ctx.shape2, ctx.strides2, 1) if ctx.need2 else None
    return grad1, grad2


def check_product_shapes(a: Tensor, b: Tensor) -> None:
    """The columns of matrix ``a`` must match the rows of matrix ``b``."""
    if a._data.shape[1] != b._data.shape[0]:
        raise RuntimeError(f"cannot multiply a {list(a.shape)} matrix by a {list(b.shape)} "
                           f"matrix: the first has {a._data.shape[1]} columns but the second "
                           f"has {b._data.shape[0]} rows")


def check_matrix_dtypes(a: Tensor, b: Tensor) -> None:
    if a._dtype is not b._dtype:
        raise RuntimeError(f"cannot multiply matrices of different dtypes ({a._dtype!r} and "
                           f"{b._dtype!r}); convert one of them with .to()")


def _check_mm(a: Tensor, b: Tensor) -> None:
    for label, t in (("first", a), ("second", b)):
        if t.ndim != 2:
            raise RuntimeError(f"mm() needs two matrices, but its {label} argument has "
                               f"{plural(t.ndim, 'dimension')}")
    check_matrix_dtypes(a, b)
    check_product_shapes(a, b)
    check_not_bool(a, "matrix multiplication")


def save_mm(ctx: SavedContext, mat1: Tensor, mat2: Tensor) -> None:
    ctx.need1, ctx.need2 = requires(mat1), requires(mat2)
    ctx.shape1, ctx.strides1 = mat1._data.shape, strides_of(mat1)
    ctx.shape2, ctx.strides2 = mat2._data.shape, strides_of(mat2)
    ctx.save(mat1 if ctx.need2 else None, mat2 if ctx.need1 else None)


@table.op(backward=(mm_backward,))
def mm(input, mat2):
    """Matrix product of two 2-D tensors of the same dtype.

    Example:
        >>> mm(tensor([[1, 2], [3, 4]]), tensor([[1, 0], [0, 1]]))
        tensor([[1, 2],
                [3, 4]])
    """
    check_tensor(input, "mm")
    check_tensor(mat2, "mm", "mat2", 2)
    _check_mm(input, mat2)
    result = new(gemm(input._data, mat2._data), input._dtype)
    if ag.needs_grad(input, mat2):
        ctx = SavedContext()
        save_mm(ctx, input, mat2)
        ag.record(mm_backward, (input, mat2), result, ctx)
    return result


# ==================================================================== bmm
@backward("BmmBackward0")
def bmm_backward(ctx, grad):
    batch1, batch2 = ctx.saved_tensors
    grad1 = bmm(grad, ops.transpose(batch2, 1, 2)) if ctx.need1 else None
    grad2 = bmm(ops.transpose(batch1, 1, 2), grad) if ctx.need2 else None
    return grad1, grad2


def check_bmm(batch1: Tensor, batch2: Tensor) -> None:
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
    check_not_bool(batch1, "batched matrix multiplication")


@table.op(backward=(bmm_backward,))
def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors: ``(b, n, m) @ (b, m, p)``."""
    check_tensor(input, "bmm")
    check_tensor(mat2, "bmm", "mat2", 2)
    check_bmm(input, mat2)
    result = new(gemm(input._data, mat2._data, batched=True), input._dtype)
    if ag.needs_grad(input, mat2):
        ctx = SavedContext(need1=requires(input), need2=requires(mat2))
        ctx.save(input if ctx.need2 else None, mat2 if ctx.need1 else None)
        ag.record(bmm_backward, (input, mat2), result, ctx)
    return result


# ===================================================================== mv
@backward("MvBackward0")
def mv_backward(ctx, grad):
    mat, vec = ctx.saved_tensors
    grad_mat = outer(grad, vec) if ctx.need_mat else None
    grad_vec = mv(ops.t(mat), grad) if ctx.need_vec else None
    return grad_mat, grad_vec


def check_mv(mat: Tensor, vec: Tensor) -> None:
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
    check_not_bool(mat, "matrix-vector multiplication")


@table.op(backward=(mv_backward,))
def mv(input, vec):
    """Matrix-vector product: ``(n, m) @ (m,)`` gives ``(n,)``."""
    check_tensor(input, "mv")
    check_tensor(vec, "mv", "vec", 2)
    check_mv(input, vec)
    result = new(mv_values(input._data, vec._data), input._dtype)
    if ag.needs_grad(input, vec):
        ctx = SavedContext(need_mat=requires(input), need_vec=requires(vec))
        ctx.save(input if ctx.need_vec else None, vec if ctx.need_mat else None)
        ag.record(mv_backward, (input, vec), result, ctx)
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
    check_not_bool(a, f"{name}()")


def _make_dot(name: str, node: str):
    def product(input, other):
        arg = "tensor" if name == "dot" else "other"
        check_tensor(input, name)
        check_tensor(other, name, arg, 2)
        _check_dot(input, other, name)
        result = new(dot_values(input._data, other._data).reshape(()), input._dtype)
        if ag.needs_grad(input, other):
            ctx = SavedContext(need_a=requires(input), need_b=requires(other))
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
    check_tensor(input, "outer")
    check_tensor(vec2, "outer", "vec2", 2)
    for label, t in (("first", input), ("second", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer() needs two 1-dimensional tensors, but its {label} "
                               f"argument has {plural(t.ndim, 'dimension')}")
    return ops.reshape(input, input._data.shape[0], 1) * vec2
