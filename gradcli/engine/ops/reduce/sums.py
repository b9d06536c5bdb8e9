"""Sums, means and products: ``sum``, ``sum_to_size``, ``nansum``, ``mean``, ``nanmean``, ``prod``.

Float sums and products go through :mod:`gradcli.engine.kernels.summation`,
which adds in PyTorch's CPU order (``x.sum()`` agrees with PyTorch bit for bit).
"""

from __future__ import annotations

import math

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...kernels.summation import _reduce_sum, float_prod
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...tensor import Tensor
from ..common import new, wrap_dim
from ..registry import OpTable
from ._helpers import (
    ALL,
    _axes,
    _check_float,
    _check_keepdim_needs_dim,
    _check_tensor,
    _expand_back,
    _named_dims,
    _reduced_dims,
    _reduced_shape,
    _sum_dtype,
)
from .cumulative import cumprod

table = OpTable("sums")


# ================================================================= sum
def _sum_backward(ctx, grad):
    return (_expand_back(grad, ctx.shape, ctx.named, ctx.keepdim),)


sum_backward0 = Backward("SumBackward0", _sum_backward)
sum_backward1 = Backward("SumBackward1", _sum_backward)


@table.op(backward=(sum_backward0, sum_backward1))
def sum(input, dim=ALL, keepdim=False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints).

    Integer and bool inputs sum to int64 unless ``dtype`` says otherwise.

    Example:
        >>> tensor([[1, 2], [3, 4]]).sum(0)
        tensor([4, 6])
    """
    _check_tensor(input, "sum")
    if dim is ALL:
        _check_keepdim_needs_dim(keepdim, "sum")
    target = _sum_dtype(input, dtype)
    dims = _reduced_dims(dim, input.ndim)
    keep = keepdim if dim is not ALL else False
    data = input._data.astype(target.np, copy=False)
    total = _reduce_sum(data, _axes(dims, input.ndim), target)
    result = new(total.reshape(_reduced_shape(input._data.shape, dims, keep)), target)
    if ag.needs_grad(input):
        ctx = SavedContext(shape=input._data.shape, named=_named_dims(dim, dims), keepdim=keep)
        ag.record(sum_backward0 if dim is ALL else sum_backward1, (input,),
                  result, ctx)
    return result


def sum_to_size(input: Tensor, shape) -> Tensor:
    """Sums a broadcast gradient back down to ``shape`` (the inverse of broadcasting)."""
    shape = tuple(shape)
    if not shape and input.ndim:
        return sum(input)  # PyTorch's sum_to: a full sum for a 0-dim target (SumBackward0)
    lead = input.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and input._data.shape[lead + i] != 1)
    if not dims:
        return input
    result = sum(input, dims, keepdim=True)
    if lead:
        result = ops.reshape(result, shape)
    return result


table.op(name="sum_to_size", function=False)(
    lambda self, *size: sum_to_size(self, size[0] if len(size) == 1 and
                                    isinstance(size[0], (tuple, list)) else size))


@backward("NansumBackward0")
def _nansum_backward(ctx, grad):
    """PyTorch's ``nansum_backward``: the sum's gradient times ``input.isnan().logical_not()``."""
    (input,) = ctx.saved_tensors
    expanded = _expand_back(grad, ctx.shape, ctx.named, ctx.keepdim)
    return (expanded * new(~xp.isnan(input._data), dt.bool_),)


@table.op(backward=(_nansum_backward,))
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum that treats NaN as zero."""
    _check_tensor(input, "nansum")
    target = _sum_dtype(input, dtype)
    dims = _reduced_dims(dim, input.ndim)
    data = input._data.astype(target.np, copy=False)
    if target.category == dt.FLOAT:
        data = xp.where(xp.isnan(data), data.dtype.type(0), data)
    total = _reduce_sum(data, _axes(dims, input.ndim), target)
    result = new(total.reshape(_reduced_shape(input._data.shape, dims, keepdim)), target)
    if ag.needs_grad(input):
        ctx = SavedContext(shape=input._data.shape, named=_named_dims(dim, dims), keepdim=keepdim)
        ctx.save(input)
        ag.record(_nansum_backward, (input,), result, ctx)
    return result


# ================================================================ mean
def _mean_backward(ctx, grad):
    return (ops.div_scalar(_expand_back(grad, ctx.shape, ctx.named, ctx.keepdim), ctx.count),)


mean_backward0 = Backward("MeanBackward0", _mean_backward)
mean_backward1 = Backward("MeanBackward1", _mean_backward)


@table.op(backward=(mean_backward0, mean_backward1))
def mean(input, dim=ALL, keepdim=False, *, dtype=None):
    """Mean of all elements, or over ``dim``; needs a floating dtype (or ``dtype=``)."""
    _check_tensor(input, "mean")
    if dim is ALL:
        _check_keepdim_needs_dim(keepdim, "mean")
    if dtype is not None and dtype.category != dt.FLOAT:
        raise RuntimeError(
            f"mean() needs a floating-point result dtype, but dtype={dtype!r} was given")
    target = dtype or input._dtype
    if target.category != dt.FLOAT:
        raise RuntimeError(
            f"mean() needs a floating-point tensor, but got one of dtype {input._dtype!r}; "
            "convert it with .float() or pass dtype=torch.float32")
    dims = _reduced_dims(dim, input.ndim)
    keep = keepdim if dim is not ALL else False
    count = math.prod(input._data.shape[d] for d in _axes(dims, input.ndim))
    work = xp.float32 if target is dt.float16 else target.np
    total = _reduce_sum(input._data.astype(work, copy=False), _axes(dims, input.ndim),
                        dt.float32 if target is dt.float16 else target)
    with xp.errstate(all="ignore"):
        data = (total / xp.asarray(count, dtype=work)).astype(target.np)
    result = new(data.reshape(_reduced_shape(input._data.shape, dims, keep)), target)
    if ag.needs_grad(input):
        ctx = SavedContext(shape=input._data.shape, named=_named_dims(dim, dims), keepdim=keep,
                   count=count)
        ag.record(mean_backward0 if dim is ALL else mean_backward1, (input,), result, ctx)
    return result


@table.op()
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of the non-NaN elements (PyTorch computes nansum / count)."""
    _check_tensor(input, "nanmean")
    _check_float(input, "nanmean")
    not_nan = new(~xp.isnan(input._data), dt.bool_)
    return nansum(input, dim, keepdim, dtype=dtype) / sum(not_nan, dim, keepdim)


# ================================================================ prod
def _prod_backward(ctx, grad):
    """PyTorch's ``prod_backward``: ``grad * result / input``, or zero-safe products."""
    input, result = ctx.saved_tensors
    if input.ndim == 0:
        return (grad,)
    zeros_at = input._data == 0
    if ctx.dim is None:
        if not zeros_at.any():
            return (grad * (result / input),)
        if not ag.is_grad_enabled() and zeros_at.sum() > 1:
            return (ops.zeros_like(input),)
        flat = ops.reshape(input, -1)
        return (ops.reshape(_prod_safe_zeros_backward(grad, flat, 0), input._data.shape),)
    if not ctx.keepdim:
        grad, result = ops.unsqueeze(grad, ctx.dim), ops.unsqueeze(result, ctx.dim)
    if not zeros_at.any():
        return (grad * (result / input),)
    return (_prod_safe_zeros_backward(grad, input, ctx.dim),)


prod_backward0 = Backward("ProdBackward0", _prod_backward)
prod_backward1 = Backward("ProdBackward1", _prod_backward)


def _prod_safe_zeros_backward(grad: Tensor, input: Tensor, dim: int) -> Tensor:
    """Each element's gradient is the product of the others: prefix times suffix products."""
    size = input._data.shape[dim]
    if input._data.size == 0:
        return ops.expand(grad, input._data.shape)
    ones_shape = list(input._data.shape)
    ones_shape[dim] = 1
    one = ops.ones(ones_shape, dtype=grad._dtype)
    before = cumprod(ops.cat([one, ops.narrow(input, dim, 0, size - 1)], dim), dim)
    after = ops.flip(cumprod(ops.cat([one, ops.flip(ops.narrow(input, dim, 1, size - 1), dim)],
                                     dim), dim), dim)
    return grad * (before * after)


@table.op(backward=(prod_backward0, prod_backward1))
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or over one ``dim``; ints and bools give int64."""
    _check_tensor(input, "prod")
    if dim is None:
        _check_keepdim_needs_dim(keepdim, "prod")
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod() reduces one dimension at a time: dim must be an int, not a "
                        f"{type(dim).__name__}")
    target = _sum_dtype(input, dtype)
    data = input._data.astype(target.np, copy=False)
    if dim is None:
        axes = tuple(range(input.ndim))
        shape = ()
        d = None
    else:
        d = wrap_dim(dim, input.ndim)
        axes = _axes((d,), input.ndim)
        shape = _reduced_shape(input._data.shape, (d,), keepdim)
    if target.category == dt.FLOAT:
        total = float_prod(data, axes)
    else:
        total = xp.prod(data, axis=axes, dtype=target.np)
    result = new(xp.asarray(total).reshape(shape), target)
    if ag.needs_grad(input):
        ctx = SavedContext(dim=d if input.ndim else None, keepdim=keepdim)
        ctx.save(input, result)
        ag.record(prod_backward0 if dim is None else prod_backward1, (input,), result, ctx)
    return result
