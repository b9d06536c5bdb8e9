"""Extremes: ``max``, ``min``, ``amax``, ``amin``, ``argmax``, ``argmin``, ``aminmax``.

Also the gradient helpers of every value-selecting op (``max(dim)``, ``sort``,
``median`` ...): the gradient goes back to the elements that were picked.
"""

from __future__ import annotations

import numbers

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...returntypes import TYPES
from ...tensor import Tensor
from ..common import new, wrap_dim
from ..registry import OpTable
from ._helpers import (
    ALL,
    _axes,
    _check_keepdim_needs_dim,
    _check_tensor,
    _reduced_dims,
    _reduced_shape,
)
from .sums import sum

table = OpTable("extremes")


# ====================================== value-selecting gradient helpers
# max(dim), min(dim), median(dim), mode, kthvalue, sort and topk pick elements;
# PyTorch's gradient puts each output gradient back where it was picked:
# ``zeros(sizes).scatter(dim, indices, grad)``.
def _value_selecting_backward(ctx, grad):
    if not ctx.shape:
        return (grad,)
    if not ctx.keepdim:
        grad = ops.unsqueeze(grad, ctx.dim)
    indices = new(ctx.index, dt.int64)
    return (ops.scatter(ops.zeros(ctx.shape, dtype=grad._dtype), ctx.dim, indices, grad),)


max_backward0 = Backward("MaxBackward0", _value_selecting_backward)
min_backward0 = Backward("MinBackward0", _value_selecting_backward)


def _record_selection(node: str, input: Tensor, values: Tensor, dim: int, index_keep,
                      keepdim: bool) -> None:
    """Records a value-selecting op; ``index_keep`` has the reduced dim kept."""
    if ag.needs_grad(input):
        ctx = SavedContext(dim=dim, index=index_keep, shape=input._data.shape, keepdim=keepdim)
        ag.record(node, (input,), values, ctx)


def _named(kind: str, values: Tensor, indices: Tensor):
    return TYPES[kind]((values, indices))


# ===================================================== max, min, argmax
def _evenly_distribute_backward(ctx, grad):
    """PyTorch's ``evenly_distribute_backward``: ties share the gradient equally."""
    input, result = ctx.saved_tensors
    value = result._data.reshape(())
    mask = xp.isnan(input._data) if xp.isnan(value) else input._data == value
    count = int(mask.sum())
    return (ops.masked_fill(ops.zeros(input._data.shape, dtype=grad._dtype), new(mask, dt.bool_),
                            grad / count),)


max_backward1 = Backward("MaxBackward1", _evenly_distribute_backward)
min_backward1 = Backward("MinBackward1", _evenly_distribute_backward)


def _check_not_empty(input: Tensor, name: str) -> None:
    if input._data.size == 0:
        raise RuntimeError(f"{name}() cannot reduce an empty tensor to one value; give a "
                           "dimension with dim= instead")


def _check_dim_not_empty(input: Tensor, d: int, name: str) -> None:
    if input.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{name}() cannot reduce dimension {d}: it has size 0")


def _extreme_all(input: Tensor, name: str, np_fn, node: str) -> Tensor:
    _check_not_empty(input, name)
    result = new(xp.asarray(np_fn(input._data)), input._dtype)
    if ag.needs_grad(input):
        ctx = SavedContext()
        ctx.save(input, result)
        ag.record(node, (input,), result, ctx)
    return result


def _arg_extreme(data, axis: int, largest: bool):
    """First index of the max/min along ``axis``, NaN counting as the extreme."""
    fn = xp.argmax if largest else xp.argmin
    if data.dtype == xp.bool_:
        data = data.astype(xp.uint8)
    return fn(data, axis=axis, keepdims=True)


def _extreme_dim(input: Tensor, dim, keepdim: bool, kind: str, node: str):
    d = wrap_dim(dim, input.ndim)
    _check_dim_not_empty(input, d, kind)
    if input.ndim == 0:
        index_keep = xp.zeros((), dtype=xp.int64)
        values = new(input._data.copy(), input._dtype)
        indices = new(index_keep, dt.int64)
    else:
        index_keep = _arg_extreme(input._data, d, kind == "max").astype(xp.int64)
        picked = xp.take_along_axis(input._data, index_keep, axis=d)
        if not keepdim:
            picked, index = xp.squeeze(picked, d), xp.squeeze(index_keep, d)
        else:
            index = index_keep
        values = new(picked, input._dtype)
        indices = new(index, dt.int64)
    _record_selection(node, input, values, d, index_keep, keepdim)
    return _named(kind, values, indices)


def _binary_extreme(input, other, name: str):
    """``max(input, other)`` is ``maximum`` (and ``min`` is ``minimum``)."""
    return (ops.maximum if name == "max" else ops.minimum)(input, other)


def _check_dim_type(dim, name: str) -> None:
    if isinstance(dim, bool) or not isinstance(dim, (numbers.Integral, Tensor)):
        raise TypeError(f"{name}() expects an int dimension or a tensor as its second "
                        f"argument, not a value of type {type(dim).__name__}")


def _make_extreme(name: str, np_fn, all_node: str, dim_node: str):
    def extreme(input, dim=ALL, keepdim=False, *, other=None):
        _check_tensor(input, name)
        if other is not None:
            return _binary_extreme(input, other, name)
        if isinstance(dim, Tensor):
            return _binary_extreme(input, dim, name)
        if dim is ALL:
            _check_keepdim_needs_dim(keepdim, name)
            return _extreme_all(input, name, np_fn, all_node)
        _check_dim_type(dim, name)
        return _extreme_dim(input, dim, keepdim, name, dim_node)

    extreme.__name__ = name
    extreme.__doc__ = (f"``{name}()``: the {name}imum element; ``{name}(dim, keepdim)``: "
                       f"``torch.return_types.{name}(values, indices)``; "
                       f"``{name}(other)``: the elementwise {name}imum.")
    return extreme


max = table.op(backward=(max_backward0, max_backward1), out=False)(
    _make_extreme("max", xp.max, max_backward1, max_backward0))
min = table.op(backward=(min_backward0, min_backward1), out=False)(
    _make_extreme("min", xp.min, min_backward1, min_backward0))


def _restore_reduced_dims(t: Tensor, given: tuple, keepdim: bool) -> Tensor:
    """PyTorch's ``restore_reduced_dims``: a reshape putting size-1 dims back at ``given``."""
    if keepdim:
        return t
    total = t.ndim + len(given)
    target = [0] * total
    for d in given:
        target[d if d >= 0 else d + total] = 1
    sizes = iter(t._data.shape)
    target = [1 if size else next(sizes) for size in target]
    return ops.reshape(t, target)


def _scale_grad_by_count(grad: Tensor, value: Tensor, input: Tensor, given: tuple,
                         keepdim: bool) -> Tensor:
    """PyTorch's ``scale_grad_by_count``: the gradient shared among the extreme elements."""
    grad = _restore_reduced_dims(grad, given, keepdim)
    value = _restore_reduced_dims(value, given, keepdim)
    mask = new((value._data == input._data).astype(grad._dtype.np), grad._dtype)
    return (grad / sum(mask, given, keepdim=True)) * mask


def _amax_backward(ctx, grad):
    input, result = ctx.saved_tensors
    return (_scale_grad_by_count(grad, result, input, ctx.given, ctx.keepdim),)


amax_backward0 = Backward("AmaxBackward0", _amax_backward)
amin_backward0 = Backward("AminBackward0", _amax_backward)


def _make_amax(name: str, np_fn, node: str):
    def reduce_extreme(input, dim=(), keepdim=False):
        _check_tensor(input, name)
        dims = _reduced_dims(dim, input.ndim)
        if input._data.size == 0 and (dim == () or dim is None or dim == []):
            _check_not_empty(input, name)
        for d in _axes(dims, input.ndim):
            _check_dim_not_empty(input, d, name)
        data = np_fn(input._data, axis=_axes(dims, input.ndim), keepdims=keepdim)
        result = new(xp.asarray(data).reshape(
            _reduced_shape(input._data.shape, dims, keepdim)), input._dtype)
        if ag.needs_grad(input):
            given = () if dim is None or not input.ndim or \
                (isinstance(dim, (tuple, list)) and not dim) else dims
            ctx = SavedContext(given=given, keepdim=keepdim)
            ctx.save(input, result)
            ag.record(node, (input,), result, ctx)
        return result

    reduce_extreme.__name__ = name
    reduce_extreme.__doc__ = (f"The {name[1:]}imum over ``dim`` (all dims by default); the "
                              f"gradient is shared evenly among ties.")
    return reduce_extreme


amax = table.op(backward=(amax_backward0,))(_make_amax("amax", xp.max, amax_backward0))
amin = table.op(backward=(amin_backward0,))(_make_amax("amin", xp.min, amin_backward0))


def _make_arg(name: str, largest: bool):
    def arg_extreme(input, dim=None, keepdim=False):
        _check_tensor(input, name)
        if input._dtype is dt.bool_:
            raise RuntimeError(f"{name}() is not implemented for tensors of dtype torch.bool")
        if dim is None:
            if input._data.size == 0:
                raise IndexError(f"{name}() cannot reduce an empty tensor to one value; give a "
                                 "dimension with dim= instead")
            flat = input._data.reshape(-1)
            index = _arg_extreme(flat, 0, largest).reshape(())
            shape = (1,) * input.ndim if keepdim else ()
            return new(index.astype(xp.int64).reshape(shape), dt.int64)
        d = wrap_dim(dim, input.ndim)
        _check_dim_not_empty(input, d, name)
        if input.ndim == 0:
            return new(xp.zeros((), xp.int64), dt.int64)
        index = _arg_extreme(input._data, d, largest)
        if not keepdim:
            index = xp.squeeze(index, d)
        return new(index.astype(xp.int64), dt.int64)

    arg_extreme.__name__ = name
    arg_extreme.__doc__ = (f"Index of the {name[3:]}imum (the first one among ties); "
                           "without ``dim`` the tensor is flattened.")
    return arg_extreme


argmax = table.op()(_make_arg("argmax", True))
argmin = table.op()(_make_arg("argmin", False))


@backward("AminmaxBackward0")
def _aminmax_backward(ctx, grad_min, grad_max):
    input, low, high = ctx.saved_tensors
    return (_scale_grad_by_count(grad_min, low, input, ctx.given, ctx.keepdim)
            + _scale_grad_by_count(grad_max, high, input, ctx.given, ctx.keepdim),)


@table.op(backward=(_aminmax_backward,), out=False)
def aminmax(input, *, dim=None, keepdim=False):
    """``torch.return_types.aminmax(min, max)`` over ``dim`` (all dims by default)."""
    _check_tensor(input, "aminmax")
    dims = _reduced_dims(dim, input.ndim)
    if dim is None and input._data.size == 0:
        raise RuntimeError("aminmax() cannot reduce an empty tensor: min and max have no "
                           "value for zero elements")
    with ag.no_grad():
        low = amin(input, dim if dim is not None else (), keepdim)
        high = amax(input, dim if dim is not None else (), keepdim)
    if ag.needs_grad(input):
        ctx = SavedContext(given=dims if dim is not None and input.ndim else (), keepdim=keepdim)
        ctx.save(input, low, high)
        ag.record(_aminmax_backward, (input,), (low, high), ctx)
    return TYPES["aminmax"]((low, high))
