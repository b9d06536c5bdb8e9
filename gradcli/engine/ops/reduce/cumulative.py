"""Cumulative ops: ``cumsum``, ``cumprod``, ``logcumsumexp``, ``cummax``, ``cummin``."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...returntypes import TYPES
from ...tensor import Tensor
from ..common import new, wrap_dim
from ..registry import OpTable
from ._helpers import _check_float, _check_tensor

table = OpTable("cumulative")


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


def _running(np_fn, data, d: int, target: dt.DType):
    """``np_fn`` (cumsum, cumprod) along ``d``, accumulated as PyTorch does: float32 and
    half in a wider type, integers and bools in int64."""
    if data.ndim == 0:
        return data.astype(target.np, copy=True)
    if target.category == dt.FLOAT:
        wide = xp.float32 if target is dt.float16 else xp.float64
        return np_fn(data.astype(wide), axis=d).astype(target.np)
    return np_fn(data.astype(xp.int64), axis=d)


@table.op(inplace=True, backward=(_cumsum_backward,))
def cumsum(input, dim=None, *, dtype=None):
    """Running sums along ``dim`` (ints and bools give int64)."""
    input, d, target = _cumulative_input(input, dim, dtype, "cumsum")
    result = new(_running(xp.cumsum, input._data, d, target), target)
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
    result = new(_running(xp.cumprod, input._data, d, target), target)
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
