"""The fused multiply-adds: ``addmm``, ``addmv``, ``baddbmm``, ``addbmm`` and ``addr``."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor
from ..common import new, plural
from ..registry import OpTable
from ._gemm import gemm, mv_values
from ._helpers import cast_scalar, check_not_bool, check_tensor, requires, scaled
from .products import (
    bmm,
    check_bmm,
    check_mv,
    check_product_shapes,
    mm_mat1_backward,
    mm_mat2_backward,
    mv,
    outer,
    save_mm,
)

table = OpTable("linalg.addmm")


# ========================================================== addmm family
@backward("AddmmBackward0")
def _addmm_backward(ctx, grad):
    mat1, mat2 = ctx.saved_tensors
    grad_input = scaled(grad, ctx.beta) if ctx.need_input else None
    grad1 = mm_mat1_backward(grad, mat2, ctx.shape1, ctx.strides1, ctx.alpha) \
        if ctx.need1 else None
    grad2 = mm_mat2_backward(grad, mat1, ctx.shape2, ctx.strides2, ctx.alpha) \
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
    check_tensor(input, "addmm")
    check_tensor(mat1, "addmm", "mat1", 2)
    check_tensor(mat2, "addmm", "mat2", 3)
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
    check_product_shapes(mat1, mat2)
    check_not_bool(mat1, "matrix multiplication")
    shape = (mat1._data.shape[0], mat2._data.shape[1])
    bias = _expand_input(input, shape)
    dtype = input._dtype
    values = gemm(mat1._data, mat2._data, bias, cast_scalar(beta, dtype),
                  cast_scalar(alpha, dtype))
    result = new(values, dtype)
    if ag.needs_grad(input, mat1, mat2):
        ctx = SavedContext(need_input=requires(input), beta=beta, alpha=alpha)
        save_mm(ctx, mat1, mat2)
        ag.record(_addmm_backward, (input, mat1, mat2), result, ctx)
    return result


@backward("AddmvBackward0")
def _addmv_backward(ctx, grad):
    mat, vec = ctx.saved_tensors
    grad_input = scaled(grad, ctx.beta) if ctx.need_input else None
    grad_mat = scaled(outer(grad, vec), ctx.alpha) if ctx.need_mat else None
    grad_vec = scaled(mv(ops.t(mat), grad), ctx.alpha) if ctx.need_vec else None
    return grad_input, grad_mat, grad_vec


@table.op(inplace=True, backward=(_addmv_backward,))
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    check_tensor(input, "addmv")
    check_tensor(mat, "addmv", "mat", 2)
    check_tensor(vec, "addmv", "vec", 3)
    check_mv(mat, vec)
    bias = _expand_input(input, (mat._data.shape[0],))
    dtype = mat._dtype
    if input._dtype is not dtype:
        raise RuntimeError(f"addmv() needs input, mat and vec of the same dtype, but got "
                           f"{input._dtype!r}, {mat._dtype!r} and {vec._dtype!r}")
    values = mv_values(mat._data, vec._data, bias, cast_scalar(beta, dtype),
                        cast_scalar(alpha, dtype))
    result = new(values, dtype)
    if ag.needs_grad(input, mat, vec):
        ctx = SavedContext(need_input=requires(input), need_mat=requires(mat),
                   need_vec=requires(vec), beta=beta, alpha=alpha)
        ctx.save(mat if ctx.need_vec else None, vec if ctx.need_mat else None)
        ag.record(_addmv_backward, (input, mat, vec), result, ctx)
    return result


@backward("BaddbmmBackward0")
def _baddbmm_backward(ctx, grad):
    batch1, batch2 = ctx.saved_tensors
    grad_input = scaled(grad, ctx.beta) if ctx.need_input else None
    grad1 = scaled(bmm(grad, ops.transpose(batch2, 1, 2)), ctx.alpha) if ctx.need1 else None
    grad2 = scaled(bmm(ops.transpose(batch1, 1, 2), grad), ctx.alpha) if ctx.need2 else None
    return grad_input, grad1, grad2


@table.op(inplace=True, backward=(_baddbmm_backward,))
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    check_tensor(input, "baddbmm")
    check_tensor(batch1, "baddbmm", "batch1", 2)
    check_tensor(batch2, "baddbmm", "batch2", 3)
    check_bmm(batch1, batch2)
    shape = batch1._data.shape[:2] + (batch2._data.shape[2],)
    bias = _expand_input(input, shape)
    if input._dtype is not batch1._dtype:
        raise RuntimeError(f"baddbmm() needs input, batch1 and batch2 of the same dtype, but "
                           f"got {input._dtype!r}, {batch1._dtype!r} and {batch2._dtype!r}")
    dtype = batch1._dtype
    values = gemm(batch1._data, batch2._data, bias, cast_scalar(beta, dtype),
                  cast_scalar(alpha, dtype), batched=True)
    result = new(values, dtype)
    if ag.needs_grad(input, batch1, batch2):
        ctx = SavedContext(need_input=requires(input), need1=requires(batch1),
                   need2=requires(batch2), beta=beta, alpha=alpha)
        ctx.save(batch1 if ctx.need2 else None, batch2 if ctx.need1 else None)
        ag.record(_baddbmm_backward, (input, batch1, batch2), result, ctx)
    return result


@backward("AddbmmBackward0")
def _addbmm_backward(ctx, grad):
    batch1, batch2 = ctx.saved_tensors
    grad_input = scaled(grad, ctx.beta) if ctx.need_input else None
    expanded = ops.expand(ops.unsqueeze(grad, 0), ctx.batch_shape) \
        if ctx.need1 or ctx.need2 else None
    grad1 = scaled(bmm(expanded, ops.transpose(batch2, 1, 2)), ctx.alpha) if ctx.need1 else None
    grad2 = scaled(bmm(ops.transpose(batch1, 1, 2), expanded), ctx.alpha) if ctx.need2 else None
    return grad_input, grad1, grad2


@table.op(inplace=True, backward=(_addbmm_backward,))
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    check_tensor(input, "addbmm")
    check_tensor(batch1, "addbmm", "batch1", 2)
    check_tensor(batch2, "addbmm", "batch2", 3)
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
        values = total * cast_scalar(alpha, dtype)
        if beta != 0:
            values = values + bias * cast_scalar(beta, dtype)
    result = new(values.astype(dtype.np), dtype)
    if ag.needs_grad(input, batch1, batch2):
        ctx = SavedContext(need_input=requires(input), need1=requires(batch1),
                   need2=requires(batch2), beta=beta, alpha=alpha,
                   batch_shape=batch1._data.shape[:2] + (batch2._data.shape[2],))
        ctx.save(batch1 if ctx.need2 else None, batch2 if ctx.need1 else None)
        ag.record(_addbmm_backward, (input, batch1, batch2), result, ctx)
    return result


@backward("AddrBackward0")
def _addr_backward(ctx, grad):
    vec1, vec2 = ctx.saved_tensors
    grad_input = scaled(grad, ctx.beta) if ctx.need_input else None
    grad1 = scaled(mv(grad, vec2), ctx.alpha) if ctx.need1 else None
    grad2 = scaled(mv(ops.t(grad), vec1), ctx.alpha) if ctx.need2 else None
    return grad_input, grad1, grad2


@table.op(inplace=True, backward=(_addr_backward,))
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta * input + alpha * outer(vec1, vec2)``."""
    check_tensor(input, "addr")
    check_tensor(vec1, "addr", "vec1", 2)
    check_tensor(vec2, "addr", "vec2", 3)
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
            values = values * cast_scalar(alpha, dtype)
        if beta != 0:
            values = values + (bias if beta == 1 else bias * cast_scalar(beta, dtype))
    result = new(values.astype(dtype.np), dtype)
    if ag.needs_grad(input, vec1, vec2):
        ctx = SavedContext(need_input=requires(input), need1=requires(vec1), need2=requires(vec2),
                   beta=beta, alpha=alpha)
        ctx.save(vec1 if ctx.need2 else None, vec2 if ctx.need1 else None)
        ag.record(_addr_backward, (input, vec1, vec2), result, ctx)
    return result
