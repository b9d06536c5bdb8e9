"""Reducing writes: ``scatter_reduce`` and ``index_reduce`` (sum, prod, mean, amax, amin),
and ``Tensor.fill_diagonal_``.

Backward rules are ``derivatives.yaml``'s ``scatter_reduce_backward`` (gradients of
ties shared evenly for amax/amin, products computed without dividing by zero);
``index_reduce`` is the same with its index laid along ``dim``.
"""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor, wrap_dim
from ..common import new, require_tensor
from ..registry import OpTable
from .gather import _coords, _gather_checks

table = OpTable("index.reductions")

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_LEGACY_NAMES = {"max": "amax", "min": "amin"}  # PyTorch still takes the old names
_UFUNCS = {"sum": xp.add, "prod": xp.multiply, "mean": xp.add, "amax": xp.maximum,
           "amin": xp.minimum}


def _scatter_values(data, d: int, idx, src, reduce: str, include_self: bool):
    """The forward on arrays: ``src`` reduced into a copy of ``data`` at ``idx``."""
    out = data.copy()
    coords = _coords(idx, d) if data.ndim else (Ellipsis,)
    values = src[tuple(slice(0, s) for s in idx.shape)] if src.ndim else src
    touched = xp.zeros(data.shape, dtype=bool)
    touched[coords] = True
    if not include_self:  # start the written positions from the reduction's identity
        if reduce in ("amax", "amin"):
            info = xp.finfo(out.dtype) if out.dtype.kind == "f" else xp.iinfo(out.dtype)
            big = xp.inf if out.dtype.kind == "f" else info.max
            low = -xp.inf if out.dtype.kind == "f" else info.min
            out[touched] = low if reduce == "amax" else big
        else:
            out[touched] = 1 if reduce == "prod" else 0
    _UFUNCS[reduce].at(out, coords, values)
    if reduce == "mean":
        counts = xp.zeros(data.shape, dtype=xp.int64)
        xp.add.at(counts, coords, 1)
        counts = counts + (1 if include_self else 0)
        counts = xp.where(counts == 0, 1, counts)
        out = out / counts if out.dtype.kind == "f" else xp.floor_divide(out, counts)
    return out.astype(data.dtype)


def _scatter_reduce_grads(grad, input, index, src, result, d, reduce, include_self):
    """PyTorch's ``scatter_reduce_backward``, with tensor ops."""
    if reduce == "sum":
        grad_self, grad_src = grad, ops.gather(grad, d, index)
    elif reduce == "mean":
        n = ops.ones_like(grad) if include_self else ops.zeros_like(grad)
        n = ops.scatter_add(n, d, index, ops.ones_like(src))
        n = ops.masked_fill(n, n == 0, 1)
        grad_self = grad / n
        grad_src = ops.gather(grad, d, index) / ops.gather(n, d, index)
    elif reduce == "prod":
        masked_self = ops.masked_fill(input, input == 0, 1)
        masked_self_result = scatter_reduce(masked_self, d, index, src, reduce,
                                            include_self=include_self)
        grad_self = grad * masked_self_result / masked_self
        src_zero = src == 0
        zeros = ops.scatter_add(ops.zeros_like(input), d, index, ops.to_dtype(src_zero,
                                                                             input._dtype))
        single_zero = ops.logical_and(src_zero, ops.gather(zeros, d, index) == 1)
        masked_src = ops.masked_fill(src, single_zero, 1)
        masked_src_result = scatter_reduce(input, d, index, masked_src, reduce,
                                           include_self=include_self)
        grad_src = ops.where(single_zero, ops.gather(grad * masked_src_result, d, index),
                             ops.gather(grad * result, d, index) /
                             ops.masked_fill(src, src_zero, 1))
    else:  # amax, amin: ties share the gradient
        value = ops.gather(result, d, index)
        self_is = ops.to_dtype(input == result, input._dtype)
        src_is = ops.to_dtype(src == value, input._dtype)
        count = ops.scatter_add(self_is, d, index, src_is)
        shared = grad / count
        grad_self = self_is * shared
        grad_src = src_is * ops.gather(shared, d, index)
    if not include_self:
        grad_self = ops.scatter(grad_self, d, index, 0)
    return grad_self, grad_src


@backward("ScatterReduceBackward0")
def _scatter_reduce_backward(ctx, grad):
    input, src, result = ctx.saved_tensors
    return _scatter_reduce_grads(grad, input, ctx.index, src, result, ctx.dim, ctx.reduce,
                                 ctx.include_self)


def _check_reduce(reduce, name: str, allowed=_REDUCTIONS):
    if reduce not in allowed:
        raise RuntimeError(f"{name}(): reduce must be one of {', '.join(allowed)}, not "
                           f"{reduce!r}")


@table.op(inplace=True, backward=(_scatter_reduce_backward,))
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of ``input`` with ``src`` reduced in at ``index`` along ``dim`` by ``reduce``
    (``'sum'``, ``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``); without ``include_self``
    the scattered positions start from the values written to them only."""
    require_tensor(input, "scatter_reduce")
    require_tensor(src, "scatter_reduce", "src", 4)
    reduce = _LEGACY_NAMES.get(reduce, reduce)
    _check_reduce(reduce, "scatter_reduce")
    if not isinstance(index, Tensor) or index._dtype is not dt.int64:
        raise RuntimeError("scatter_reduce(): the index must be an int64 tensor")
    if src._dtype is not input._dtype:
        raise RuntimeError(f"scatter_reduce(): src has dtype {src._dtype.name} but the tensor "
                           f"has {input._dtype.name}; they must match")
    d = wrap_dim(dim, input.ndim)
    idx = _gather_checks(input, d, index, "scatter_reduce", src)
    result = new(_scatter_values(input._data, d, idx, src._data, reduce, include_self),
                 input._dtype)
    if ag.needs_grad(input, src):
        ctx = SavedContext(input, src, result, dim=d, index=index, reduce=reduce,
                           include_self=include_self)
        ag.record(_scatter_reduce_backward, (input, src), result, ctx)
    return result


# ========================================================= index_reduce
def _laid_index(index: Tensor, d: int, source: Tensor) -> Tensor:
    """``index`` (1-D, along ``dim``) as a scatter index of ``source``'s shape."""
    shape = [1] * source.ndim
    shape[d] = index.shape[0]
    return ops.expand(ops.view(index, shape), *source.shape)


@backward("IndexReduceBackward0")
def _index_reduce_backward(ctx, grad):
    input, source, result = ctx.saved_tensors
    index = _laid_index(ctx.index, ctx.dim, source)
    return _scatter_reduce_grads(grad, input, index, source, result, ctx.dim, ctx.reduce,
                                 ctx.include_self)


@table.op(inplace=True, backward=(_index_reduce_backward,))
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """A copy of ``input`` with the slices of ``source`` reduced into the slices
    ``index`` names along ``dim`` (``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``)."""
    require_tensor(input, "index_reduce")
    require_tensor(source, "index_reduce", "source", 4)
    _check_reduce(reduce, "index_reduce", ("prod", "mean", "amax", "amin"))
    if not isinstance(index, Tensor) or index.ndim > 1 or \
            index._dtype not in (dt.int64, dt.int32):
        raise RuntimeError("index_reduce(): the index must be a 1-dimensional integer tensor")
    d = wrap_dim(dim, max(input.ndim, 1))
    if source.ndim != input.ndim or index.numel() != (source.shape[d] if source.ndim else 1):
        raise RuntimeError(f"index_reduce(): source of shape {list(source.shape)} does not "
                           f"fit {index.numel()} indices along dim {d} of a tensor of shape "
                           f"{list(input.shape)}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_reduce(): source has dtype {source._dtype.name} but the "
                           f"tensor has {input._dtype.name}; they must match")
    with ag.no_grad():
        laid = _laid_index(ops.to_dtype(index, dt.int64), d, source)
    idx = laid._data
    if idx.size and ((idx < 0) | (idx >= input._data.shape[d])).any():
        raise IndexError(f"index_reduce(): an index is out of range for dim {d} of size "
                         f"{input._data.shape[d]}")
    result = new(_scatter_values(input._data, d, idx, source._data, reduce, include_self),
                 input._dtype)
    if ag.needs_grad(input, source):
        ctx = SavedContext(input, source, result, dim=d, index=ops.to_dtype(index, dt.int64),
                           reduce=reduce, include_self=include_self)
        ag.record(_index_reduce_backward, (input, source), result, ctx)
    return result


# ======================================================== fill_diagonal_
@table.op(function=False, out=False, composes=("as_strided", "fill_"))
def fill_diagonal_(input, fill_value, wrap=False):
    """Writes ``fill_value`` on the main diagonal, in place (all dims of equal length
    beyond two); ``wrap`` continues down a tall matrix every ``columns + 1`` rows."""
    require_tensor(input, "fill_diagonal_")
    if input.ndim < 2:
        raise RuntimeError(f"fill_diagonal_() needs at least 2 dimensions, but the tensor has "
                           f"{input.ndim}")
    height, width = input.shape[0], input.shape[1]
    if input.ndim > 2 and len(set(input.shape)) != 1:
        raise RuntimeError(f"fill_diagonal_() needs all dimensions of equal length beyond "
                           f"two, but the shape is {list(input.shape)}")
    offset = input.storage_offset()
    stride = sum(input.stride())
    size = min(height, width)
    ops.as_strided(input, (size,), (stride,), offset).fill_(fill_value)
    if wrap and input.ndim == 2 and height > width + 1:
        step = width + 1
        wrap_size = (input.numel() + step - 1) // step - size
        start = offset + input.stride(0) * (width + 1)
        ops.as_strided(input, (wrap_size,), (stride,), start).fill_(fill_value)
    return input
