"""Ops that reorder elements: ``flip``/``roll`` (copies), ``diagonal`` (a view), ``diag_embed``."""

from __future__ import annotations

from ... import autograd as ag
from ...backend import xp
from ...node import SavedContext, backward
from ...tensor import Tensor, wrap_dim
from ..registry import OpTable
from ..views import fresh, list_repr, make_view, restride, strides_of
from .slicing import index_int

table = OpTable("shape.reordering")


# ================================================================ flip, roll
@backward("FlipBackward0")
def _flip_backward(ctx, grad):
    return (flip(grad, ctx.dims),)


def _flip_dims(dims, ndim: int) -> tuple:
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    wrapped = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"flip(): dims {list_repr(wrapped)} name a dim twice")
    return wrapped


@table.op(backward=(_flip_backward,), out=False)
def flip(input, *order, dims=None):
    """The elements in reverse order along ``dims`` (a copy)."""
    wrapped = _flip_dims(order if dims is None else (dims,), input.ndim)
    result = fresh(xp.flip(input._data, wrapped), input._dtype, copy=True)
    if ag.needs_grad(input):
        ag.record(_flip_backward, (input,), result, SavedContext(dims=wrapped))
    return result


@table.op(backward=(_flip_backward,), out=False)
def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError("fliplr() needs a tensor with at least 2 dims")
    return flip(input, (1,))


@table.op(backward=(_flip_backward,), out=False)
def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("flipud() needs a tensor with at least 1 dim")
    return flip(input, (0,))


@backward("RollBackward0")
def _roll_backward(ctx, grad):
    return (roll(grad, tuple(-s for s in ctx.shifts), ctx.dims),)


@table.op(backward=(_roll_backward,), out=False)
def roll(input, shifts, dims=None):
    """Shifts the elements cyclically along ``dims`` (of the flattened tensor when None)."""
    shifts_t = tuple(shifts) if isinstance(shifts, (list, tuple)) else (shifts,)
    shifts_t = tuple(index_int(s, "shifts") for s in shifts_t)
    if dims is None:
        if len(shifts_t) != 1:
            raise RuntimeError(f"roll(): without dims, give one shift, not {len(shifts_t)}")
        data = xp.roll(input._data.reshape(-1), shifts_t[0]).reshape(input._data.shape)
        dims_t = None
    else:
        dims_t = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
        if len(shifts_t) != len(dims_t):
            raise RuntimeError(f"roll(): {len(shifts_t)} shifts for {len(dims_t)} dims; give "
                               "one shift per dim")
        dims_t = tuple(wrap_dim(d, input.ndim) for d in dims_t)
        data = xp.roll(input._data, shifts_t, dims_t)
    result = fresh(data, input._dtype, copy=True)
    if ag.needs_grad(input):
        ag.record(_roll_backward, (input,), result,
                  SavedContext(shifts=shifts_t, dims=dims_t))
    return result


# ================================================================ diagonals
def _diagonal_geometry(input: Tensor, offset: int, d1: int, d2: int):
    """(array starting at the diagonal's first element, shape, strides) of a diagonal view."""
    array = input._data
    shape, strides = array.shape, strides_of(input)
    if offset >= 0:
        size = max(min(shape[d1], shape[d2] - offset), 0)
        if size:
            array = array[(slice(None),) * d2 + (slice(offset, None),)]
    else:
        size = max(min(shape[d1] + offset, shape[d2]), 0)
        if size:
            array = array[(slice(None),) * d1 + (slice(-offset, None),)]
    keep = [i for i in range(len(shape)) if i not in (d1, d2)]
    new_shape = [shape[i] for i in keep] + [size]
    new_strides = [strides[i] for i in keep] + [strides[d1] + strides[d2]]
    return array, new_shape, new_strides


@backward("DiagonalBackward0")
def _diagonal_backward(ctx, grad):
    return (diagonal_backward(grad, ctx.shape, ctx.offset, ctx.dim1, ctx.dim2),)


@backward("DiagonalBackwardBackward0")
def _diagonal_backward_backward(ctx, grad):
    return (diagonal(grad, ctx.offset, ctx.dim1, ctx.dim2),)


@table.internal
def diagonal_backward(grad: Tensor, input_sizes, offset: int, dim1: int, dim2: int) -> Tensor:
    """Zeros of ``input_sizes`` with ``grad`` on the diagonal (differentiable)."""
    zeros = Tensor._make(xp.zeros(input_sizes, dtype=grad._dtype.np), grad._dtype)
    array, shape, strides = _diagonal_geometry(zeros, offset, dim1, dim2)
    restride(array, shape, strides)[...] = grad._data
    if ag.needs_grad(grad):
        ag.record(_diagonal_backward_backward, (grad,), zeros,
                  SavedContext(offset=offset, dim1=dim1, dim2=dim2))
    return zeros


@table.op(backward=(_diagonal_backward,), out=False)
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (``dim1``, ``dim2``) planes as a view, in a new last dim."""
    d1, d2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dims must differ, both are {d1}")
    offset = index_int(offset, "offset")
    array, shape, strides = _diagonal_geometry(input, offset, d1, d2)
    result = make_view(input, restride(array, shape, strides))
    if ag.needs_grad(input):
        ag.record(_diagonal_backward, (input,), result,
                  SavedContext(shape=input._data.shape, offset=offset, dim1=d1, dim2=d2))
    return result


@backward("DiagEmbedBackward0")
def _diag_embed_backward(ctx, grad):
    return (diagonal(grad, ctx.offset, ctx.dim1, ctx.dim2),)


@table.op(backward=(_diag_embed_backward,), out=False)
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose (``dim1``, ``dim2``) planes have ``input``'s last dim on a diagonal."""
    ndim = input.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dims must differ, both are {d1}")
    n = input._data.shape[-1] + abs(offset) if input.ndim else 1 + abs(offset)
    rest = list(input._data.shape[:-1])
    shape = []
    for i in range(ndim):
        shape.append(n if i in (d1, d2) else rest.pop(0))
    out = Tensor._make(xp.zeros(shape, dtype=input._dtype.np), input._dtype)
    array, geo_shape, strides = _diagonal_geometry(out, offset, d1, d2)
    restride(array, geo_shape, strides)[...] = input._data
    if ag.needs_grad(input):
        ag.record(_diag_embed_backward, (input,), out,
                  SavedContext(offset=offset, dim1=d1, dim2=d2))
    return out
