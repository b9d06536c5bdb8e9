"""Masks and region scatters.

``masked_fill``/``masked_select``/``masked_scatter``, ``nonzero``/``argwhere``,
``select_scatter`` and ``slice_scatter``.
"""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor, wrap_dim
from .. import inplace as ip
from ..common import broadcast_shapes, fill_value, new, require_tensor
from ..registry import OpTable
from ..views import fresh, list_repr
from ._helpers import long_tensor, zeros_tensor

table = OpTable("index.masked")


# ================================================================= masks
def _check_mask(mask, message: str) -> Tensor:
    if not isinstance(mask, Tensor):
        raise TypeError(f"the mask must be a Tensor, not a {type(mask).__name__}")
    if mask._dtype is not dt.bool_:
        raise RuntimeError(message.format(dtype=mask._dtype.name))
    return mask


@backward("MaskedFillBackward0")
def _masked_fill_backward(ctx, grad):
    (mask,) = ctx.saved_tensors
    return (masked_fill(grad, mask, 0),)


@backward("MaskedFillBackward1")
def _masked_fill_tensor_backward(ctx, grad):
    (mask,) = ctx.saved_tensors
    return masked_fill(grad, mask, 0), ops.sum(masked_select(grad, mask))


@table.op(inplace=True, backward=(_masked_fill_backward, _masked_fill_tensor_backward), out=False)
def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where ``mask`` is True (the two broadcast)."""
    _check_mask(mask, "masked_fill(): the mask must be a bool tensor, not {dtype}")
    value_tensor, value = fill_value(value, "masked_fill")
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    fill = ip.full_of((), input._dtype, value)
    data = xp.where(mask._data, fill, input._data)
    result = fresh(xp.broadcast_to(data, shape), input._dtype, copy=True)
    if value_tensor is not None and ag.needs_grad(input, value_tensor):
        ctx = SavedContext()
        ctx.save(mask)
        ag.record(_masked_fill_tensor_backward, (input, value_tensor),
                  result, ctx)
    elif ag.needs_grad(input):
        ctx = SavedContext()
        ctx.save(mask)
        ag.record(_masked_fill_backward, (input,), result, ctx)
    return result


ip.WRITE_SELECTED.add(masked_fill)


@backward("MaskedSelectBackward0")
def _masked_select_backward(ctx, grad):
    (mask,) = ctx.saved_tensors
    zeros = zeros_tensor(ctx.shape, grad._dtype)
    return (masked_scatter(zeros, mask, grad),)


@table.op(backward=(_masked_select_backward,))
def masked_select(input, mask):
    """The elements where ``mask`` is True (the two broadcast), as a 1-D copy."""
    _check_mask(mask, "masked_select(): the mask must be a bool tensor, not {dtype}")
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    data = xp.broadcast_to(input._data, shape)[xp.broadcast_to(mask._data, shape)]
    result = fresh(data, input._dtype)
    if ag.needs_grad(input):
        ctx = SavedContext()
        ctx.save(mask)
        ctx.shape = shape
        ag.record(_masked_select_backward, (input,), result, ctx)
    return result


def _replaced(input, key, src):
    """A copy of ``input`` whose region ``key`` holds ``src`` (which must fit it exactly)."""
    slot = input._data[key].shape
    if src._data.shape != slot:
        raise RuntimeError(f"src of shape {list_repr(src._data.shape)} must have the "
                           f"shape of the slice it replaces, {list_repr(slot)}")
    out = input._data.copy()
    out[key] = src._data
    return new(out, input._dtype)


@backward("MaskedScatterBackward0")
def _masked_scatter_backward(ctx, grad):
    (mask,) = ctx.saved_tensors
    selected = masked_select(grad, mask)
    missing = ctx.source_numel - selected._data.size
    if missing > 0:
        selected = ops.cat([selected, zeros_tensor((missing,), grad._dtype)])
    return masked_fill(grad, mask, 0), ops.reshape(selected, ctx.source_shape)


@table.op(inplace=True, backward=(_masked_scatter_backward,), out=False)
def masked_scatter(input, mask, source):
    """A copy of ``input`` with ``source``'s leading elements placed where ``mask`` is True."""
    _check_mask(mask, "masked_scatter(): the mask must be a bool tensor, not {dtype}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"masked_scatter(): source has dtype {source._dtype.name} but the "
                           f"tensor has {input._dtype.name}; they must match")
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    out = xp.array(xp.broadcast_to(input._data, shape), order="C")
    where = xp.broadcast_to(mask._data, shape)
    count = int(where.sum())
    if source._data.size < count:
        raise RuntimeError(f"masked_scatter(): the mask selects {count} elements but source "
                           f"has only {source._data.size}")
    out[where] = source._data.reshape(-1)[:count]
    result = new(out, input._dtype)
    if ag.needs_grad(input, source):
        ctx = SavedContext()
        ctx.save(mask)
        ctx.source_numel, ctx.source_shape = source._data.size, source._data.shape
        ag.record(_masked_scatter_backward, (input, source), result,
                  ctx)
    return result


@table.op()
def nonzero(input, *, as_tuple=False):
    """The coordinates of the non-zero elements: one row each (or one tensor per dim)."""
    data = input._data
    if data.ndim == 0:
        found = bool(data)
        if as_tuple:
            return (long_tensor([0] if found else []),)
        return fresh(xp.zeros((1 if found else 0, 0), dtype=xp.int64), dt.int64)
    coords = xp.nonzero(data)
    if as_tuple:
        return tuple(long_tensor(c) for c in coords)
    return fresh(xp.stack(coords, axis=1).astype(xp.int64), dt.int64)


@table.op(out=False)
def argwhere(input):
    """The coordinates of the non-zero elements, one row each (as ``nonzero``)."""
    return nonzero(input)


# ====================================================== select/slice scatter
@backward("SelectScatterBackward0")
def _select_scatter_backward(ctx, grad):
    return (select_scatter(grad, zeros_tensor(ctx.src_shape, grad._dtype), ctx.dim, ctx.index),
            ops.select(grad, ctx.dim, ctx.index))


@table.op(backward=(_select_scatter_backward,), out=False)
def select_scatter(input, src, dim, index):
    """A copy of ``input`` whose slice ``select(dim, index)`` is replaced by ``src``."""
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    index = ops.index_int(index)
    if not -size <= index < size:
        raise IndexError(f"select_scatter(): index {index} is out of range for dim {d}, "
                         f"which has size {size}")
    index = index + size if index < 0 else index
    key = (slice(None),) * d + (index, Ellipsis)
    result = _replaced(input, key, src)
    if ag.needs_grad(input, src):
        ag.record(_select_scatter_backward, (input, src), result,
                  SavedContext(dim=d, index=index, src_shape=src._data.shape))
    return result


@backward("SliceScatterBackward0")
def _slice_scatter_backward(ctx, grad):
    return (slice_scatter(grad, zeros_tensor(ctx.src_shape, grad._dtype), ctx.dim, ctx.start,
                          ctx.end, ctx.step),
            ops.slice_view(grad, ctx.dim, ctx.start, ctx.end, ctx.step))


@table.op(backward=(_slice_scatter_backward,))
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` whose slice ``start:end:step`` along ``dim`` is ``src``."""
    require_tensor(src, "slice_scatter", "src", 2)
    d = wrap_dim(dim, input.ndim)
    start, end = ops.slice_bounds(input._data.shape[d], start, end, step)
    key = (slice(None),) * d + (slice(start, end, step),)
    result = _replaced(input, key, src)
    if ag.needs_grad(input, src):
        ag.record(_slice_scatter_backward, (input, src), result,
                  SavedContext(dim=d, start=start, end=end, step=step, src_shape=src._data.shape))
    return result
