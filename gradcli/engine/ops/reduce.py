"""Reductions: sums, means, products, extrema, statistics, norms, cumulative ops, sorting.

Every op follows PyTorch's signature, result dtype, errors and node names
(``x.sum()`` records SumBackward0, ``x.sum(0)`` SumBackward1, ``x.max(0)``
MaxBackward0 ...). Backward rules mirror ``derivatives.yaml`` and are written
with tensor ops, so gradients are differentiable again.

Float sums follow the order in which PyTorch's CPU kernels add (see
:func:`gradcli.engine.kernels.summation.float_sum`), so that results agree
with PyTorch's to the last bit, not just to the four printed decimals.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import math
import numbers

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..kernels.summation import (
    _GRAIN_SIZE,
    _reduce_sum,
    _vector_norm_values,
    _welford,
    float_prod,
    float_sum,
)
from ..namespace import ops
from ..node import Backward, SavedContext, backward
from ..returntypes import TYPES
from ..tensor import Tensor
from .common import dims_arg, new, wrap_dim
from .registry import OpTable

table = OpTable("reduce")


class _AllDims:
    """The default ``dim`` of ops whose dim-less call is a different overload.

    ``x.sum()`` records SumBackward0 while ``x.sum(None)`` (or ``dim=()``) records
    SumBackward1: the sentinel tells the two calls apart.
    """

    def __repr__(self) -> str:
        return "None"


ALL = _AllDims()


def _check_tensor(input, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}() expects a tensor, not a value of type "
                        f"{type(input).__name__}")


def _reduced_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, an int, or a possibly empty sequence) -> the wrapped dims it reduces."""
    if dim is None or dim is ALL or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, str):
        raise TypeError(f"a reduction dimension must be an int or a tuple of ints, not the "
                        f"string {dim!r}")
    return dims_arg(dim, ndim)


def _axes(dims: tuple, ndim: int) -> tuple:
    """The NumPy axes for ``dims`` (a 0-dim tensor's dim 0 is no axis at all)."""
    return tuple(d for d in dims if d < ndim)


def _reduced_shape(shape: tuple, dims: tuple, keepdim: bool) -> tuple:
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)


def _unsqueeze_dims(grad: Tensor, dims: tuple, ndim: int) -> Tensor:
    """PyTorch's ``unsqueeze_multiple``: puts the reduced dims back as size-1 dims."""
    for d in sorted(dims):
        if d < ndim:
            grad = ops.unsqueeze(grad, d)
    return grad


def _restore(grad: Tensor, shape: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """A reduced gradient (or result) with its reduced dims back as size 1."""
    if keepdim or grad.ndim == len(shape):
        return grad
    return _unsqueeze_dims(grad, dims, len(shape))


def _named_dims(dim, dims: tuple) -> tuple:
    """The dims a call named: ``()`` when it reduced everything by default."""
    if dim is None or dim is ALL or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return ()
    return dims


def _expand_back(grad: Tensor, shape, named: tuple, keepdim: bool) -> Tensor:
    """PyTorch's ``sum_backward``: unsqueeze the ``named`` reduced dims, then expand."""
    shape = tuple(shape)
    if not keepdim and named and shape:
        grad = _unsqueeze_dims(grad, named, len(shape))
    return ops.expand(grad, shape)


def _sum_dtype(input: Tensor, dtype) -> dt.DType:
    if dtype is not None:
        return dtype
    return dt.int64 if input._dtype.category != dt.FLOAT else input._dtype


def _zero_where(mask, t: Tensor) -> Tensor:
    """PyTorch's ``t.masked_fill(mask, 0)`` (``mask``: a bool array)."""
    return ops.masked_fill(t, new(xp.asarray(mask, dtype=bool), dt.bool_), 0)


def _check_keepdim_needs_dim(keepdim, name: str) -> None:
    """``x.sum(keepdim=True)`` without ``dim`` matches none of PyTorch's overloads."""
    if keepdim:
        raise TypeError(f"{name}(keepdim=True) also needs dim, the dimension(s) to reduce")


def _check_float(input: Tensor, name: str) -> None:
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"{name}() needs a floating-point tensor, but got one of dtype "
                           f"{input._dtype!r}")


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
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"nanmean() needs a floating-point tensor, but got one of dtype "
                           f"{input._dtype!r}")
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


sort_backward0 = Backward("SortBackward0", _value_selecting_backward)
topk_backward0 = Backward("TopkBackward0", _value_selecting_backward)
kthvalue_backward0 = Backward("KthvalueBackward0", _value_selecting_backward)
mode_backward0 = Backward("ModeBackward0", _value_selecting_backward)
max_backward0 = Backward("MaxBackward0", _value_selecting_backward)
min_backward0 = Backward("MinBackward0", _value_selecting_backward)
median_backward1 = Backward("MedianBackward1", _value_selecting_backward)
nanmedian_backward1 = Backward("NanmedianBackward1", _value_selecting_backward)


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
median_backward0 = Backward("MedianBackward0", _evenly_distribute_backward)
nanmedian_backward0 = Backward("NanmedianBackward0", _evenly_distribute_backward)


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
            if input._data.shape[d] == 0:
                raise IndexError(f"{name}() cannot reduce dimension {d}: it has size 0")
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


# ============================================================ std, var
def _variance(input: Tensor, dims: tuple, correction: float, take_sqrt: bool,
              two_pass: bool = True):
    """PyTorch's CPU std/var over ``dims``: ``(statistic, mean)`` arrays, reduced dims dropped.

    A reduction to a single value runs PyTorch's ``std_var_all`` (the float mean,
    then squared deviations summed in double) unless ``two_pass`` is off
    (``std_mean``); everything else is Welford's algorithm in double.
    """
    data = input._data
    axes = _axes(dims, input.ndim)
    shape = _reduced_shape(data.shape, dims, False)
    count = math.prod(data.shape[d] for d in axes)
    if count == 0 or data.size == 0:
        nan = xp.full(shape, xp.nan, dtype=data.dtype)
        return nan, nan.copy()
    divisor = xp.float64(builtins.max(0.0, count - correction))
    with xp.errstate(all="ignore"):
        if two_pass and math.prod(shape) == 1 and data.dtype != xp.float16:
            mean_value = float(mean(new(data, input._dtype)).item())
            order = sorted(range(data.ndim), key=lambda d: -data.strides[d])
            diffs = xp.transpose(data, order).reshape(-1).astype(xp.float64) - mean_value
            var = xp.cumsum(diffs * diffs)[-1] / divisor
            stat = xp.full(shape, xp.sqrt(var) if take_sqrt else var)
            return stat.astype(data.dtype), xp.full(shape, mean_value).astype(data.dtype)
        kept = [d for d in range(data.ndim) if d not in axes]
        order = sorted(axes, key=lambda d: -data.strides[d])
        rows = xp.transpose(data, kept + order).reshape(
            tuple(data.shape[d] for d in kept) + (-1,)).astype(xp.float64)
        if data.size >= _GRAIN_SIZE:
            # Split among threads in PyTorch: only the value is kept, not the order.
            mean_acc = rows.mean(axis=-1)
            m2 = ((rows - mean_acc[..., None]) ** 2).sum(axis=-1)
        else:
            mean_acc, m2 = _welford(rows)
        var = m2 / divisor
        stat = xp.sqrt(var) if take_sqrt else var
    # Half results are computed in float and rounded once more, as in PyTorch.
    narrow = xp.float32 if data.dtype == xp.float16 else data.dtype
    return (stat.astype(narrow).astype(data.dtype).reshape(shape),
            mean_acc.astype(narrow).astype(data.dtype).reshape(shape))


def _var_backward_formula(grad: Tensor, input: Tensor, dims, correction: float,
                          keepdim: bool, full: bool) -> Tensor:
    """PyTorch's ``var_backward``."""
    if input.ndim == 0 or full:
        dof = input._data.size - correction
        if dof <= 0:
            centered = input._data - mean(input.detach())._data
            nan = new(xp.full((), xp.nan, dtype=grad._dtype.np), grad._dtype)
            inf = new(xp.full((), xp.inf, dtype=grad._dtype.np), grad._dtype)
            return grad * ops.where(new(centered == 0, dt.bool_), nan, inf)
        return ops.mul_scalar(grad, 2.0 / dof) * (input - mean(input))
    if not keepdim and input.ndim > 1:
        grad = _unsqueeze_dims(grad, dims, input.ndim)
    count = math.prod(input._data.shape[d] for d in dims)
    return ops.mul_scalar(grad, 2.0 / (count - correction)) * (input - mean(input, dims,
                                                                     keepdim=True))


def _std_backward_formula(grad: Tensor, input: Tensor, result: Tensor, ctx) -> Tensor:
    """PyTorch's ``std_backward``: the variance's rule on ``grad / (2 * std)``."""
    scaled = _zero_where(result._data == 0, grad / ops.mul_scalar(result, 2))
    return _var_backward_formula(scaled, input, ctx.dims, ctx.correction, ctx.keepdim,
                                 ctx.full)


def _var_backward(ctx, grad):
    (input,) = ctx.saved_tensors
    return (_var_backward_formula(grad, input, ctx.dims, ctx.correction, ctx.keepdim,
                                  ctx.full),)


var_backward0 = Backward("VarBackward0", _var_backward)


def _std_backward(ctx, grad):
    input, result = ctx.saved_tensors
    return (_std_backward_formula(grad, input, result, ctx),)


std_backward0 = Backward("StdBackward0", _std_backward)


def _statistic_args(input, dim, unbiased, keepdim, correction, name: str):
    """std/var accept ``(unbiased)``, ``(dim, unbiased, keepdim)`` and ``correction=``."""
    _check_tensor(input, name)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"{name}() needs a floating-point tensor, but got one of dtype "
                           f"{input._dtype!r}")
    corr = float(correction) if correction is not None else \
        (0.0 if unbiased is not None and not unbiased else 1.0)
    return _reduced_dims(dim, input.ndim), corr, dim is None


def _make_statistic(name: str, take_sqrt: bool, node: str):
    def statistic(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        dims, corr, full = _statistic_args(input, dim, unbiased, keepdim, correction, name)
        values, _ = _variance(input, dims, corr, take_sqrt)
        result = new(values.reshape(_reduced_shape(input._data.shape, dims, keepdim)),
                     input._dtype)
        if ag.needs_grad(input):
            ctx = SavedContext(dims=dims, correction=corr, keepdim=keepdim, full=full)
            if take_sqrt:
                ctx.save(input, result)
                ag.record(node, (input,), result, ctx)
            else:
                ctx.save(input)
                ag.record(node, (input,), result, ctx)
        return result

    statistic.__name__ = name
    statistic.__doc__ = (f"{'Standard deviation' if take_sqrt else 'Variance'} over ``dim`` "
                         "(all dims by default), with Bessel's correction unless "
                         "``unbiased=False`` or ``correction=`` says otherwise.")
    return statistic


std = table.op(backward=(std_backward0,))(_make_statistic("std", True, std_backward0))
var = table.op(backward=(var_backward0,))(_make_statistic("var", False, var_backward0))


def _statistic_mean_backward(ctx, grad_stat, grad_mean):
    input, stat = ctx.saved_tensors
    if ctx.take_sqrt:
        grad = _std_backward_formula(grad_stat, input, stat, ctx)
    else:
        grad = _var_backward_formula(grad_stat, input, ctx.dims, ctx.correction, ctx.keepdim,
                                     ctx.full)
    count = math.prod(input._data.shape[d] for d in _axes(ctx.dims, input.ndim))
    mean_grad = _expand_back(grad_mean, input._data.shape, _named_dims(ctx.dim, ctx.dims),
                             ctx.keepdim)
    return (grad + ops.div_scalar(mean_grad, count),)


std_mean_backward0 = Backward("StdMeanBackward0", _statistic_mean_backward)
var_mean_backward0 = Backward("VarMeanBackward0", _statistic_mean_backward)


def _make_statistic_mean(name: str, take_sqrt: bool, node: str):
    def statistic_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        dims, corr, full = _statistic_args(input, dim, unbiased, keepdim, correction, name)
        values, means = _variance(input, dims, corr, take_sqrt, two_pass=False)
        shape = _reduced_shape(input._data.shape, dims, keepdim)
        stat = new(values.reshape(shape), input._dtype)
        average = new(means.reshape(shape), input._dtype)
        if ag.needs_grad(input):
            ctx = SavedContext(dim=None if full else dims, dims=dims, correction=corr,
                       keepdim=keepdim, full=full, take_sqrt=take_sqrt)
            ctx.save(input, stat)
            ag.record(node, (input,), (stat, average), ctx)
        return stat, average

    statistic_mean.__name__ = name
    statistic_mean.__doc__ = (f"``({name.split('_')[0]}, mean)`` in one pass, as a plain "
                              "tuple.")
    return statistic_mean


std_mean = table.op(method=False, backward=(std_mean_backward0,), out=False)(
    _make_statistic_mean("std_mean", True, std_mean_backward0))
var_mean = table.op(method=False, backward=(var_mean_backward0,), out=False)(
    _make_statistic_mean("var_mean", False, var_mean_backward0))


# ================================================================ norm
def _norm_order(p) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"the order of a vector norm must be a number, not a value of type "
                        f"{type(p).__name__}")
    return float(p)


@backward("LinalgVectorNormBackward0")
def _norm_backward(ctx, grad):
    input, norm_value = ctx.saved_tensors
    p = ctx.ord
    shape = input._data.shape
    if not ctx.keepdim and input.ndim:
        grad = _unsqueeze_dims(grad, ctx.given, len(shape))
        norm_value = _unsqueeze_dims(norm_value, ctx.given, len(shape))
    if grad._dtype is not input._dtype:
        input = ops.to_dtype(input, grad._dtype)
    if p == 0.0:
        return (input * 0 * grad,)
    if p == 1.0:
        return (input.sign() * grad,)
    zero_norm = new(norm_value._data == 0, dt.bool_)
    if p == 2.0:
        scaled = input / norm_value
        return (grad * _zero_where(zero_norm, scaled),)
    if math.isinf(p):
        absolute = input.abs()
        mask_data = (absolute._data == norm_value._data) | xp.isnan(absolute._data)
        mask = new(mask_data.astype(grad._dtype.np), grad._dtype)
        count = sum(mask, ctx.dims, keepdim=True) if ctx.dims else mask.sum()
        return (input.sign() * ((grad / count) * mask),)
    if p < 1.0:
        powered = input.abs().pow(p - 1)
        zero_input = new(input._data == 0, dt.bool_)
        scaled_input = input.sign() * _zero_where(zero_input, powered)
        return (scaled_input * grad * norm_value.pow(1 - p),)
    if p < 2.0:
        scaled_input = input.sign() * input.abs().pow(p - 1)
    else:
        scaled_input = input * input.abs().pow(p - 2)
    scale = grad / norm_value.pow(p - 1)
    return (scaled_input * _zero_where(zero_norm, scale),)


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    """``torch.linalg.vector_norm``: the ``ord``-norm over ``dim`` (all dims by default)."""
    _check_tensor(input, "linalg.vector_norm")
    _check_float(input, "linalg.vector_norm")
    p = _norm_order(ord)
    if isinstance(dim, numbers.Integral) and not isinstance(dim, bool):
        dim = (dim,)
    dims = _reduced_dims(dim, input.ndim)
    if input._data.size == 0 and (p < 0 or p == math.inf):
        if dim is None or dim == () or dim == []:
            raise RuntimeError(f"cannot compute the {ord} norm of an empty tensor: it has no "
                               "value for zero elements")
        for d in _axes(dims, input.ndim):
            if input._data.shape[d] == 0:
                raise RuntimeError(f"cannot compute the {ord} norm along dimension {d}: it has "
                                   "size 0, and this norm has no value for zero elements")
    target = input._dtype
    if dtype is not None:
        if dtype.category != dt.FLOAT or dt.promote_types(input._dtype, dtype) is not dtype:
            raise RuntimeError(f"cannot compute the norm of a {input._dtype!r} tensor in "
                               f"dtype {dtype!r}: the dtype must be floating-point and hold the "
                               "input's values without narrowing")
        target = dtype
    data = input._data.astype(target.np, copy=False)
    values = _vector_norm_values(data, p, _axes(dims, input.ndim))
    result = new(values.reshape(_reduced_shape(input._data.shape, dims, keepdim)), target)
    if ag.needs_grad(input):
        # PyTorch's norm_backward unsqueezes only the dims that were named.
        given = () if dim is None or (isinstance(dim, (tuple, list)) and not dim) else dims
        ctx = SavedContext(ord=p, dims=dims, given=given, keepdim=keepdim)
        ctx.save(input, result)
        ag.record(_norm_backward, (input,), result, ctx)
    return result


@backward("LinalgMatrixNormBackward0")
def _nuclear_backward(ctx, grad):
    (input,) = ctx.saved_tensors
    u, _, vh = xp.linalg.svd(input._data.astype(xp.float64), full_matrices=False)
    direction = new((u @ vh).astype(grad._dtype.np), grad._dtype)
    if not ctx.keepdim:
        grad = ops.unsqueeze(ops.unsqueeze(grad, -1), -1)
    return (grad * direction,)


def _nuclear_norm(input: Tensor, keepdim: bool) -> Tensor:
    if input.ndim != 2:
        raise RuntimeError(f"the nuclear norm needs a 2-dimensional tensor (a matrix), but "
                           f"the input has {input.ndim} dimension{'' if input.ndim == 1 else 's'}")
    _check_float(input, "linalg.matrix_norm")
    singular = xp.linalg.svd(input._data.astype(xp.float64), compute_uv=False)
    value = xp.asarray(singular.sum()).astype(input._dtype.np)
    result = new(value.reshape((1, 1) if keepdim else ()), input._dtype)
    if ag.needs_grad(input):
        ctx = SavedContext(keepdim=keepdim)
        ctx.save(input)
        ag.record(_nuclear_backward, (input,), result, ctx)
    return result


@table.op(backward=(_norm_backward,))
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``: the 2-norm by default; ``p`` a number, ``'fro'`` or ``'nuc'``.

    Example:
        >>> tensor([3.0, 4.0]).norm()
        tensor(5.)
    """
    _check_tensor(input, "norm")
    if isinstance(dim, numbers.Integral) and not isinstance(dim, bool):
        dim = (dim,)
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        if p == "nuc" and (dim is None or len(dim) == 2):
            return _nuclear_norm(input, keepdim)
        if p in ("fro", "nuc"):
            raise RuntimeError(f"norm(p={p!r}) needs {'at most' if p == 'fro' else 'exactly'} "
                               f"2 dimensions in dim, but got {list(dim)}")
        raise RuntimeError(f"norm(p={p!r}) is not supported; p must be a number, 'fro' or "
                           "'nuc'")
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


# ============================================================ logsumexp
def _elementwise(name: str, array):
    """The values of the elementwise op ``name`` (``exp``, ``log``) on a float array."""
    dtype = dt.from_numpy(array.dtype)
    with ag.no_grad():
        return getattr(ops, name)(new(xp.asarray(array), dtype))._data


@backward("LogsumexpBackward0")
def _logsumexp_backward(ctx, grad):
    input, result = ctx.saved_tensors
    shape = input._data.shape
    if not ctx.keepdim and input.ndim:
        grad = _restore(grad, shape, ctx.dims, False)
        result = _restore(result, shape, ctx.dims, False)
    return (grad * (input - result).exp(),)


@table.op(backward=(_logsumexp_backward,))
def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input)))`` over ``dim``, computed stably (ints give floats)."""
    _check_tensor(input, "logsumexp")
    if dim is None:
        raise TypeError("logsumexp() needs dim, the dimension(s) to reduce")
    if input._dtype.category != dt.FLOAT:
        input = ops.to_dtype(input, dt.get_default_dtype())
    dims = _reduced_dims(dim, input.ndim)
    axes = _axes(dims, input.ndim)
    data = input._data
    work = data.astype(xp.float32) if data.dtype == xp.float16 else data
    with xp.errstate(all="ignore"):
        if data.size:
            maxes = xp.max(work, axis=axes, keepdims=True)
            maxes = xp.where(xp.isinf(maxes), work.dtype.type(0), maxes)
            # exp and log as the elementwise ops compute them, so the two agree.
            exps = _elementwise("exp", work - maxes)
            total = float_sum(exps, axes)
            values = _elementwise("log", total) + maxes.reshape(total.shape)
        else:
            values = xp.log(xp.sum(xp.exp(work), axis=axes))
    shape = _reduced_shape(data.shape, dims, keepdim)
    result = new(xp.asarray(values).astype(data.dtype).reshape(shape), input._dtype)
    if ag.needs_grad(input):
        ctx = SavedContext(dims=dims, keepdim=keepdim)
        ctx.save(input, result)
        ag.record(_logsumexp_backward, (input,), result, ctx)
    return result


# ==================================================== cumulative ops
def _reversed_cumsum(grad: Tensor, dim: int) -> Tensor:
    return ops.flip(cumsum(ops.flip(grad, dim), dim), dim)


@backward("CumsumBackward0")
def _cumsum_backward(ctx, grad):
    if grad._data.size <= 1 or grad.ndim == 0 or grad._data.shape[ctx.dim] == 1:
        return (grad,)
    return (_reversed_cumsum(grad, ctx.dim),)


def _cumulative_input(input: Tensor, dim, dtype, name: str):
    _check_tensor(input, name)
    if dim is None:
        raise TypeError(f"{name}() needs dim, the dimension to work along")
    d = wrap_dim(dim, input.ndim)
    if dtype is not None:
        input = ops.to_dtype(input, dtype)
    target = input._dtype if input._dtype.category == dt.FLOAT else dt.int64
    return input, d, target


@table.op(inplace=True, backward=(_cumsum_backward,))
def cumsum(input, dim=None, *, dtype=None):
    """Running sums along ``dim`` (ints and bools give int64)."""
    input, d, target = _cumulative_input(input, dim, dtype, "cumsum")
    data = input._data
    if data.ndim == 0:
        values = data.astype(target.np, copy=True)
    elif target.category == dt.FLOAT:
        # PyTorch accumulates float32 (and half) running sums in a wider type.
        wide = xp.float32 if target is dt.float16 else xp.float64
        values = xp.cumsum(data.astype(wide), axis=d).astype(target.np)
    else:
        values = xp.cumsum(data.astype(xp.int64), axis=d)
    result = new(values, target)
    if ag.needs_grad(input):
        ag.record(_cumsum_backward, (input,), result, SavedContext(dim=d))
    return result


@backward("CumprodBackward0")
def _cumprod_backward(ctx, grad):
    input, result = ctx.saved_tensors
    d = ctx.dim
    if input._data.size <= 1 or input.ndim == 0 or input._data.shape[d] == 1:
        return (grad,)
    if not xp.any(input._data == 0):
        return (_reversed_cumsum(result * grad, d) / input,)
    return (new(_cumprod_grad_with_zeros(input._data, grad._data, d), grad._dtype),)


def _cumprod_grad_with_zeros(x, g, dim: int):
    """d/dx_k of sum_i g_i prod_{j<=i} x_j, one slice position at a time (no division)."""
    x = xp.moveaxis(x, dim, -1).astype(xp.float64)
    g = xp.moveaxis(g, dim, -1).astype(xp.float64)
    n = x.shape[-1]
    out = xp.zeros_like(x)
    for k in range(n):
        others = x.copy()
        others[..., k] = 1.0
        partial = xp.cumprod(others, axis=-1)
        out[..., k] = (g[..., k:] * partial[..., k:]).sum(axis=-1)
    return xp.moveaxis(out, -1, dim)


@table.op(inplace=True, backward=(_cumprod_backward,))
def cumprod(input, dim=None, *, dtype=None):
    """Running products along ``dim`` (ints and bools give int64)."""
    input, d, target = _cumulative_input(input, dim, dtype, "cumprod")
    data = input._data
    if data.ndim == 0:
        values = data.astype(target.np, copy=True)
    elif target.category == dt.FLOAT:
        wide = xp.float32 if target is dt.float16 else xp.float64
        values = xp.cumprod(data.astype(wide), axis=d).astype(target.np)
    else:
        values = xp.cumprod(data.astype(xp.int64), axis=d)
    result = new(values, target)
    if ag.needs_grad(input):
        ctx = SavedContext(dim=d)
        ctx.save(input, result)
        ag.record(_cumprod_backward, (input,), result, ctx)
    return result


@backward("LogcumsumexpBackward0")
def _logcumsumexp_backward(ctx, grad):
    """PyTorch's ``logcumsumexp_backward``: positive and negative gradients in log space."""
    input, result = ctx.saved_tensors
    if grad.ndim == 0 or grad._data.size == 0:
        return (grad,)
    d = ctx.dim
    lowest = new(xp.asarray(xp.finfo(grad._dtype.np).min, dtype=grad._dtype.np), grad._dtype)
    log_abs = grad.abs().log()
    parts = []
    for mask in (grad > 0, grad < 0):
        shifted = ops.where(mask, log_abs, lowest) - result
        parts.append((ops.flip(logcumsumexp(ops.flip(shifted, d), d), d) + input).exp())
    return (parts[0] - parts[1],)


@table.op(backward=(_logcumsumexp_backward,))
def logcumsumexp(input, dim):
    """``log(cumsum(exp(input)))`` along ``dim``, computed stably."""
    _check_tensor(input, "logcumsumexp")
    _check_float(input, "logcumsumexp")
    d = wrap_dim(dim, input.ndim)
    data = input._data
    if data.ndim == 0 or data.size == 0:
        values = data.copy()
    else:
        moved = xp.moveaxis(data, d, -1).astype(xp.float64)
        out = xp.empty(moved.shape)
        acc = xp.full(moved.shape[:-1], -xp.inf)
        with xp.errstate(all="ignore"):
            for k in range(moved.shape[-1]):
                x = moved[..., k]
                low, high = xp.minimum(x, acc), xp.maximum(x, acc)
                nan = xp.isnan(acc) | xp.isnan(x)
                low = xp.where(nan, xp.nan, low)
                high = xp.where(nan, xp.nan, high)
                combined = xp.log1p(xp.exp(low - high)) + high
                acc = xp.where((low != high) | xp.isfinite(low), combined, x)
                out[..., k] = acc
        values = xp.ascontiguousarray(xp.moveaxis(out, -1, d)).astype(data.dtype)
    result = new(values, input._dtype)
    if ag.needs_grad(input):
        ctx = SavedContext(dim=d)
        ctx.save(input, result)
        ag.record(_logcumsumexp_backward, (input,), result, ctx)
    return result


def _cum_extreme_backward(ctx, grad):
    """PyTorch's ``cummaxmin_backward``: each gradient goes to where its value came from."""
    if grad.ndim == 0:
        return (grad,)
    return (ops.scatter_add(ops.zeros(ctx.shape, dtype=grad._dtype), ctx.dim,
                        new(ctx.index, dt.int64), grad),)


cummax_backward0 = Backward("CummaxBackward0", _cum_extreme_backward)
cummin_backward0 = Backward("CumminBackward0", _cum_extreme_backward)


def _make_cum_extreme(name: str, largest: bool, node: str):
    def cum_extreme(input, dim):
        _check_tensor(input, name)
        d = wrap_dim(dim, input.ndim)
        data = input._data
        if data.ndim == 0:
            values, index = data.copy(), xp.zeros((), xp.int64)
        else:
            moved = xp.moveaxis(data, d, -1)
            values = xp.empty_like(moved)
            index = xp.zeros(moved.shape, xp.int64)
            if moved.shape[-1]:
                best = moved[..., 0].copy()
                where_best = xp.zeros(moved.shape[:-1], xp.int64)
                for k in range(moved.shape[-1]):
                    x = moved[..., k]
                    better = (x >= best) if largest else (x <= best)
                    if data.dtype.kind == "f":
                        better = better | xp.isnan(x)
                        better = better & ~(xp.isnan(best) & ~xp.isnan(x))
                    best = xp.where(better, x, best)
                    where_best = xp.where(better, k, where_best)
                    values[..., k] = best
                    index[..., k] = where_best
            values = xp.moveaxis(values, -1, d)
            index = xp.moveaxis(index, -1, d)
        result = new(xp.ascontiguousarray(values), input._dtype)
        indices = new(xp.ascontiguousarray(index), dt.int64)
        if ag.needs_grad(input):
            ctx = SavedContext(dim=d, index=xp.ascontiguousarray(index), shape=data.shape)
            ag.record(node, (input,), result, ctx)
        return TYPES[name]((result, indices))

    cum_extreme.__name__ = name
    cum_extreme.__doc__ = (f"Running {name[3:]}imum along ``dim`` and where it was found, "
                           f"as ``torch.return_types.{name}``.")
    return cum_extreme


cummax = table.op(backward=(cummax_backward0,), out=False)(
    _make_cum_extreme("cummax", True, cummax_backward0))
cummin = table.op(backward=(cummin_backward0,), out=False)(
    _make_cum_extreme("cummin", False, cummin_backward0))


# ================================================ all, any, count_nonzero
def _make_logical(name: str, np_fn):
    def logical(input, dim=None, keepdim=False):
        _check_tensor(input, name)
        dims = _reduced_dims(dim, input.ndim)
        values = np_fn(input._data.astype(bool), axis=_axes(dims, input.ndim))
        target = dt.uint8 if input._dtype is dt.uint8 else dt.bool_
        shape = _reduced_shape(input._data.shape, dims, keepdim)
        return new(xp.asarray(values).astype(target.np).reshape(shape), target)

    logical.__name__ = name
    logical.__doc__ = (f"Whether {'all' if name == 'all' else 'any'} element(s) are nonzero, "
                       "over everything or along ``dim``; a bool tensor (uint8 for uint8).")
    return logical


all = table.op()(_make_logical("all", xp.all))
any = table.op()(_make_logical("any", xp.any))


@table.op(out=False)
def count_nonzero(input, dim=None):
    """The number of nonzero elements, over everything or along ``dim`` (int64)."""
    _check_tensor(input, "count_nonzero")
    dims = _reduced_dims(dim, input.ndim)
    values = xp.count_nonzero(input._data, axis=_axes(dims, input.ndim))
    return new(xp.asarray(values, dtype=xp.int64).reshape(
        _reduced_shape(input._data.shape, dims, False)), dt.int64)


# ================================================ sorting and selection
def _stable_order(data, axis: int, descending: bool):
    """Stable sort order; descending keeps ties in index order and puts NaN first."""
    if data.dtype == xp.bool_:
        data = data.astype(xp.uint8)
    if not descending:
        return xp.argsort(data, axis=axis, kind="stable")
    size = data.shape[axis]
    reversed_order = xp.argsort(xp.flip(data, axis=axis), axis=axis, kind="stable")
    return xp.flip(size - 1 - reversed_order, axis=axis)


def _selection_result(input: Tensor, index_keep, d: int, keepdim: bool, kind: str,
                      node: str):
    """Values/indices named tuple for a per-slice index (reduced dim kept in ``index_keep``)."""
    picked = xp.take_along_axis(input._data, index_keep, axis=d)
    index = index_keep
    if not keepdim:
        picked, index = xp.squeeze(picked, d), xp.squeeze(index_keep, d)
    values = new(picked, input._dtype)
    indices = new(index.astype(xp.int64), dt.int64)
    _record_selection(node, input, values, d, index_keep, keepdim)
    return _named(kind, values, indices)


def _scalar_selection(input: Tensor, kind: str, node: str):
    values = new(input._data.copy(), input._dtype)
    _record_selection(node, input, values, 0, xp.zeros((), xp.int64), False)
    return _named(kind, values, new(xp.zeros((), xp.int64), dt.int64))


@table.op(backward=(sort_backward0,), out=False)
def sort(input, dim=-1, descending=False, stable=False):
    """Sorted values and their original indices along ``dim`` (ties keep their order)."""
    _check_tensor(input, "sort")
    if isinstance(dim, bool):
        dim, descending = -1, dim
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return _scalar_selection(input, "sort", sort_backward0)
    order = _stable_order(input._data, d, descending)
    return _selection_result(input, order, d, True, "sort", sort_backward0)


@table.op(out=False)
def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    _check_tensor(input, "argsort")
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return new(xp.zeros((), xp.int64), dt.int64)
    return new(_stable_order(input._data, d, descending).astype(xp.int64), dt.int64)


@table.op(backward=(topk_backward0,), out=False)
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) elements along ``dim`` with their indices."""
    _check_tensor(input, "topk")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"topk() cannot take k={k} elements from dimension {d} of size "
                           f"{size}")
    if input.ndim == 0:
        if k == 0:
            empty = new(xp.zeros((0,), input._dtype.np), input._dtype)
            return _named("topk", empty, new(xp.zeros((0,), xp.int64), dt.int64))
        return _scalar_selection(input, "topk", topk_backward0)
    order = _stable_order(input._data, d, largest)
    index = xp.take(order, xp.arange(k), axis=d)
    return _selection_result(input, index, d, True, "topk", topk_backward0)


@table.op(backward=(kthvalue_backward0,), out=False)
def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index."""
    _check_tensor(input, "kthvalue")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d] if input.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue() k={k} is out of range for dimension {d} of size "
                           f"{size} (k counts from 1)")
    if input.ndim == 0:
        return _scalar_selection(input, "kthvalue", kthvalue_backward0)
    order = _stable_order(input._data, d, False)
    index = xp.take(order, [k - 1], axis=d)
    return _selection_result(input, index, d, keepdim, "kthvalue", kthvalue_backward0)


def _median_index(data, axis: int, ignore_nan: bool):
    """Index of the lower median along ``axis`` (NaN: the first NaN, unless ignored)."""
    order = _stable_order(data, axis, False)
    size = data.shape[axis]
    if data.dtype.kind != "f":
        return xp.take(order, [(size - 1) // 2], axis=axis)
    nan = xp.isnan(data)
    count = size - nan.sum(axis=axis, keepdims=True) if ignore_nan else \
        xp.full(nan.sum(axis=axis, keepdims=True).shape, size)
    position = xp.maximum((count - 1) // 2, 0)
    index = xp.take_along_axis(order, position, axis=axis)
    if not ignore_nan:
        has_nan = nan.any(axis=axis, keepdims=True)
        first_nan = xp.argmax(nan, axis=axis, keepdims=True)
        index = xp.where(has_nan, first_nan, index)
    return index


def _make_median(name: str, ignore_nan: bool, all_node: str, dim_node: str):
    def median_op(input, dim=None, keepdim=False):
        _check_tensor(input, name)
        if dim is None and keepdim:
            raise TypeError(f"{name}(keepdim=True) also needs dim, the dimension to reduce")
        if dim is None:
            flat = input._data.reshape(-1)
            if flat.size == 0:
                value = xp.asarray(xp.nan, dtype=input._dtype.np)
            else:
                value = flat[_median_index(flat, 0, ignore_nan)[0]]
            result = new(xp.asarray(value, dtype=input._dtype.np).reshape(()), input._dtype)
            if ag.needs_grad(input):
                ctx = SavedContext()
                ctx.save(input, result)
                ag.record(all_node, (input,), result, ctx)
            return result
        d = wrap_dim(dim, input.ndim)
        if input.ndim == 0:
            return _scalar_selection(input, name, dim_node)
        if input._data.shape[d] == 0:
            raise IndexError(f"{name}() cannot reduce dimension {d}: it has size 0")
        index = _median_index(input._data, d, ignore_nan)
        return _selection_result(input, index, d, keepdim, name, dim_node)

    median_op.__name__ = name
    median_op.__doc__ = ("The lower median of all elements, or "
                         f"``torch.return_types.{name}(values, indices)`` along ``dim``.")
    return median_op


median = table.op(backward=(median_backward0, median_backward1), out=False)(
    _make_median("median", False, median_backward0, median_backward1))
nanmedian = table.op(backward=(nanmedian_backward0, nanmedian_backward1), out=False)(
    _make_median("nanmedian", True, nanmedian_backward0, nanmedian_backward1))


def _mode_index(data, axis: int):
    """Most frequent value along ``axis`` (smallest among ties), at its last occurrence."""
    moved = xp.moveaxis(data, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    out = xp.zeros(rows.shape[0], xp.int64)
    for r, row in enumerate(rows):
        values, counts = xp.unique(row, return_counts=True)
        best = values[xp.argmax(counts)]
        matches = xp.nonzero((row == best) | (xp.isnan(row) & xp.isnan(best))
                             if row.dtype.kind == "f" else row == best)[0]
        out[r] = matches[-1]
    index = out.reshape(moved.shape[:-1] + (1,))
    return xp.moveaxis(index, -1, axis)


@table.op(backward=(mode_backward0,), out=False)
def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` and an index where it occurs."""
    _check_tensor(input, "mode")
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return _scalar_selection(input, "mode", mode_backward0)
    index = _mode_index(input._data, d)
    return _selection_result(input, index, d, keepdim, "mode", mode_backward0)


# ========================================================= NumPy's names
def _numpy_names(fn):
    """Accepts NumPy's ``axis=`` and ``keepdims=`` for ``dim=`` and ``keepdim=``, as torch does."""
    code = fn.__code__
    params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]

    def call(*args, **kwargs):
        if "axis" in kwargs and "dim" in params:
            if "dim" in kwargs:
                raise TypeError(f"{fn.__name__}() got both axis and dim; give only one")
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs and "keepdim" in params:
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return functools.update_wrapper(call, fn)


_AXIS_ALIASED = {"sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin",
                 "argmax", "argmin", "std", "var", "std_mean", "var_mean", "logsumexp",
                 "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "all", "any",
                 "count_nonzero",
                 "median", "nanmedian", "mode", "kthvalue", "sort", "argsort", "topk"}
for _index, _opdef in enumerate(table.ops):
    if _opdef.name in _AXIS_ALIASED:
        table.ops[_index] = dataclasses.replace(_opdef, fn=_numpy_names(_opdef.fn))
