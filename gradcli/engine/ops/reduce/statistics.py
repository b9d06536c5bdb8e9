"""Statistics: ``std``, ``var``, ``std_mean``, ``var_mean``, ``norm``, ``logsumexp``.

Each follows PyTorch's CPU algorithm (two-pass or Welford variance, vectorized
norms, a max-shifted ``logsumexp``) so that the values agree bit for bit.
"""

from __future__ import annotations

import builtins
import math
import numbers

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...kernels.summation import _GRAIN_SIZE, _vector_norm_values, _welford, float_sum
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...tensor import Tensor
from ..common import new
from ..registry import OpTable
from ._helpers import (
    _axes,
    _check_float,
    _check_tensor,
    _expand_back,
    _named_dims,
    _reduced_dims,
    _reduced_shape,
    _restore,
    _unsqueeze_dims,
    _zero_where,
)
from .sums import mean, sum

table = OpTable("statistics")


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
    _check_float(input, name)
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
    return (norm_backward(grad, input, ctx.ord, norm_value, ctx.dims, ctx.given, ctx.keepdim),)


@table.internal
def norm_backward(grad, input, p, norm_value, dims, given, keepdim):
    """PyTorch's ``norm_backward``: the gradient of ``vector_norm(input, p, dims)``
    (``given``: the dims the call named, which are unsqueezed back)."""
    shape = input._data.shape
    if not keepdim and input.ndim:
        grad = _unsqueeze_dims(grad, given, len(shape))
        norm_value = _unsqueeze_dims(norm_value, given, len(shape))
    if grad._dtype is not input._dtype:
        input = ops.to_dtype(input, grad._dtype)
    if p == 0.0:
        return input * 0 * grad
    if p == 1.0:
        return input.sign() * grad
    zero_norm = new(norm_value._data == 0, dt.bool_)
    if p == 2.0:
        scaled = input / norm_value
        return grad * _zero_where(zero_norm, scaled)
    if math.isinf(p):
        absolute = input.abs()
        mask_data = (absolute._data == norm_value._data) | xp.isnan(absolute._data)
        mask = new(mask_data.astype(grad._dtype.np), grad._dtype)
        count = sum(mask, dims, keepdim=True) if dims else mask.sum()
        return input.sign() * ((grad / count) * mask)
    if p < 1.0:
        powered = input.abs().pow(p - 1)
        zero_input = new(input._data == 0, dt.bool_)
        scaled_input = input.sign() * _zero_where(zero_input, powered)
        return scaled_input * grad * norm_value.pow(1 - p)
    if p < 2.0:
        scaled_input = input.sign() * input.abs().pow(p - 1)
    else:
        scaled_input = input * input.abs().pow(p - 2)
    scale = grad / norm_value.pow(p - 1)
    return scaled_input * _zero_where(zero_norm, scale)


@table.op(function=False, method=False, backward=(_norm_backward,),
          qualified=("linalg.vector_norm",))
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


@table.op(backward=(_logsumexp_backward,), qualified=("special.logsumexp",))
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
