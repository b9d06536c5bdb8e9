"""logit, round, the tests on values with bool results (isnan, isinf, isfinite,
signbit...) and nan_to_num."""

from __future__ import annotations

import builtins
import math

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...node import Backward, SavedContext, backward
from ..common import float_dtype_of, not_implemented_for, require_tensor, zeros_like_grad
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _precise
from .arithmetic import scalar_minus
from .extrema import where

table = OpTable("misc")


@backward("LogitBackward0")
def _logit_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    eps = ctx.eps
    if eps is None:
        inside, outside = (x >= 0.0).logical_and(x <= 1.0), math.nan
    else:
        inside, outside = (x >= eps).logical_and(x <= 1.0 - eps), 0.0
    return (where(inside, grad / (x * scalar_minus(1.0, x)), outside),)


@table.op(inplace=True, backward=(_logit_backward,), qualified=("special.logit",))
def logit(input, eps=None):
    """``log(p / (1 - p))``; with ``eps`` the input is first clamped to [eps, 1 - eps]."""
    require_tensor(input, "logit")
    dtype = float_dtype_of(input)
    data = input._data.astype(dtype.np, copy=False)
    if eps is not None:
        data = xp.clip(data, eps, 1 - eps)
    # The ratio in the input's precision, then an exactly rounded log.
    result = new(_precise(xp.log, _precise(lambda a: a / (1 - a), data, ""), "f64"), dtype)
    if ag.needs_grad(input):
        ag.record(_logit_backward, (input,), result, SavedContext(input, eps=eps))
    return result


def _round_backward(ctx, grad):
    return (zeros_like_grad(grad),)


round_backward0 = Backward("RoundBackward0", _round_backward)
round_backward1 = Backward("RoundBackward1", _round_backward)


@table.op(inplace=True, backward=(round_backward0, round_backward1))
def round(input, *, decimals=None):
    """Rounds half to even; ``decimals`` rounds to that many decimal places."""
    require_tensor(input, "round")
    dtype = input._dtype
    if dtype is dt.bool_ or (decimals not in (None, 0) and dtype.category != dt.FLOAT):
        raise not_implemented_for("round()" if decimals in (None, 0) else
                                  "round() with decimals", dtype)
    data = input._data.astype(xp.float32) if dtype is dt.float16 else input._data
    if decimals is None or dtype.category != dt.FLOAT:
        out = data if dtype.category != dt.FLOAT else xp.round(data)
    else:
        # As PyTorch: scale by 10**|decimals| in the input's precision, round, unscale.
        scale = data.dtype.type(10.0 ** builtins.abs(decimals))
        with xp.errstate(all="ignore"):
            out = (xp.round(data * scale) / scale if decimals > 0
                   else xp.round(data / scale) * scale)
    result = new(xp.array(out, copy=True) if out is data else out, dtype)
    if ag.needs_grad(input):
        ag.record(round_backward0 if decimals is None else round_backward1, (input,), result)
    return result


# ============================================== tests on values: bool results
def _predicate(name: str, float_fn, int_value: bool) -> None:
    def op(input):
        require_tensor(input, name)
        data = input._data
        if data.dtype.kind == "f":
            return new(float_fn(data), dt.bool_)
        return new(xp.full(data.shape, int_value), dt.bool_)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}``: a bool tensor."
    table.op(name=name)(op)


_predicate("isnan", xp.isnan, False)
_predicate("isinf", xp.isinf, False)
_predicate("isfinite", xp.isfinite, True)
_predicate("isposinf", xp.isposinf, False)
_predicate("isneginf", xp.isneginf, False)


@table.op()
def signbit(input):
    """True where the sign bit is set (``-0.0`` included)."""
    require_tensor(input, "signbit")
    data = input._data
    return new(xp.signbit(data) if data.dtype.kind != "b" else xp.zeros(data.shape, bool),
               dt.bool_)


@backward("NanToNumBackward0")
def _nan_to_num_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return (grad * x.isfinite(),)


@table.op(inplace=True, backward=(_nan_to_num_backward,))
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replaces NaN, +inf and -inf (by default: 0 and the dtype's extremes)."""
    require_tensor(input, "nan_to_num")
    data = input._data
    if data.dtype.kind == "f":
        info = xp.finfo(data.dtype)
        data = xp.nan_to_num(data, nan=nan, posinf=info.max if posinf is None else posinf,
                             neginf=info.min if neginf is None else neginf)
    result = new(xp.array(data, copy=True), input._dtype)
    if ag.needs_grad(input):
        ag.record(_nan_to_num_backward, (input,), result, SavedContext(input))
    return result
