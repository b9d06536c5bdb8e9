"""Reductions: sums, means, extrema, statistics, cumulative ops, all/any."""

from __future__ import annotations

import math

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..node import SavedContext
from ..tensor import Tensor
from .common import dims_arg, new
from .registry import OpTable

table = OpTable("reduce")


def _sum_dtype(input: Tensor, dtype):
    if dtype is not None:
        return dtype
    return dt.int64 if input._dtype.category != dt.FLOAT else input._dtype


def _expand_back(grad: Tensor, shape, dims, keepdim: bool) -> Tensor:
    """Broadcasts a reduced gradient back over the reduced ``dims`` of ``shape``."""
    if not keepdim and dims and grad.ndim != len(shape):
        from .shape import reshape
        kept = list(grad.shape)
        for d in sorted(dims):
            kept.insert(d, 1)
        grad = reshape(grad, kept)
    from .shape import expand
    return expand(grad, shape)


def _sum_backward(ctx, grad):
    return (_expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim),)


@table.op(grad_fns=("SumBackward0", "SumBackward1"))
def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001 - torch.sum
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints)."""
    target = _sum_dtype(input, dtype)
    dims = dims_arg(dim, input.ndim) if dim is not None else tuple(range(input.ndim))
    data = input._data.astype(target.np, copy=False)
    result = new(xp.sum(data, axis=dims, keepdims=keepdim if dim is not None else False),
                 target)
    if ag.needs_grad(input):
        ctx = SavedContext()
        ctx.shape, ctx.dims, ctx.keepdim = input._data.shape, dims, keepdim or dim is None
        if dim is None:
            ctx.keepdim = False
        ag.record("SumBackward0" if dim is None else "SumBackward1", _sum_backward, (input,),
                  result, ctx)
    return result


def sum_to_size(input: Tensor, shape) -> Tensor:
    """Sums a broadcast gradient back down to ``shape`` (the inverse of broadcasting)."""
    shape = tuple(shape)
    lead = input.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and input._data.shape[lead + i] != 1)
    if not dims:
        return input
    result = sum(input, dims, keepdim=True)
    if lead:
        from .shape import reshape
        result = reshape(result, shape)
    return result


table.op(name="sum_to_size", function=False)(
    lambda self, *size: sum_to_size(self, size[0] if len(size) == 1 and
                                    isinstance(size[0], (tuple, list)) else size))


def _mean_backward(ctx, grad):
    return (_expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim) / ctx.count,)


@table.op(grad_fns=("MeanBackward0", "MeanBackward1"))
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or over ``dim``."""
    target = dtype or input._dtype
    if target.category != dt.FLOAT:
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input._dtype.short}")
    dims = dims_arg(dim, input.ndim) if dim is not None else tuple(range(input.ndim))
    with xp.errstate(all="ignore"):
        data = xp.mean(input._data.astype(target.np, copy=False), axis=dims,
                       keepdims=keepdim if dim is not None else False)
    result = new(data, target)
    if ag.needs_grad(input):
        ctx = SavedContext()
        ctx.shape, ctx.dims = input._data.shape, dims
        ctx.keepdim = keepdim if dim is not None else False
        ctx.count = math.prod(input._data.shape[d] for d in dims) if dims else 1
        ag.record("MeanBackward0" if dim is None else "MeanBackward1", _mean_backward,
                  (input,), result, ctx)
    return result
