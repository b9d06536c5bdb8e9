"""Powers: pow (tensor and number exponents, number bases), square, float_power."""

from __future__ import annotations

import math

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor
from ..common import (
    _compute,
    check_broadcast,
    check_operand,
    is_number,
    not_implemented_for,
    require_tensor,
    values,
    zeros_like_grad,
)
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _F64, _precise
from .arithmetic import mul_scalar, sub_scalar
from .extrema import where

table = OpTable("powers")


# ==================================================================== pow
@backward("PowBackward0")
def _pow_scalar_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    e = ctx.exponent
    if e == 0:
        return (zeros_like_grad(grad),)
    return (grad * mul_scalar(x.pow(e - 1.0), float(e)),)


@backward("PowBackward1")
def _pow_tensor_backward(ctx, grad):
    x, e, result = ctx.saved_tensors
    grad_x = grad_e = None
    if ctx.need_x:
        grad_x = where(e == 0.0, 0.0, grad * (e * x.pow(sub_scalar(e, 1))))
    if ctx.need_e:
        grad_e = grad * where((x == 0.0) & (e >= 0), 0.0, result * x.log())
    return grad_x, grad_e


@backward("PowBackward2")
def _pow_scalar_base_backward(ctx, grad):
    (result,) = ctx.saved_tensors
    base = ctx.base
    if base == 0:
        (exponent,) = ctx.exponent
        return (grad * where(exponent >= 0, 0.0, mul_scalar(result, -math.inf)),)
    return (grad * mul_scalar(result, math.log(base) if base > 0 else math.nan),)


def _int_power(a, b):
    """Integer powers; a negative exponent gives 0, 1 or -1 as PyTorch's kernel does."""
    negative = b < 0
    if not xp.any(negative):
        return xp.power(a, b)
    powers = xp.power(a, xp.where(negative, 0, b).astype(b.dtype))
    odd = (b % 2) != 0
    special = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
    return xp.where(negative, special, powers).astype(powers.dtype)


# PyTorch's pow kernel special-cases these exponents with exact arithmetic.
_EXACT_POWERS = {
    2: lambda a: a * a,
    3: lambda a: a * a * a,
    -1: lambda a: 1 / a,
    -2: lambda a: 1 / (a * a),
    0.5: xp.sqrt,
    -0.5: lambda a: 1 / xp.sqrt(a),
}


def _power(base, exponent, target: dt.DType):
    """``base ** exponent`` (tensors or numbers) as an array of ``target``."""
    a, b = values(base, target), values(exponent, target)
    if target.category != dt.FLOAT:
        return _int_power(a, b)
    if not isinstance(exponent, Tensor) and exponent in _EXACT_POWERS:
        return _precise(_EXACT_POWERS[exponent], a, "")
    if target.itemsize < 8:
        return _compute(xp.power, a.astype(_F64), b.astype(_F64))
    return _compute(xp.power, a, b)


@table.op(operators=("__pow__",), inplace=True,
          inplace_operators=("__ipow__",),
          backward=(_pow_scalar_backward, _pow_tensor_backward, _pow_scalar_base_backward),
          domain=((0.5, 2.0), (-2.0, 2.0)))
def pow(input, exponent):
    """``input ** exponent``; a number base is the ``__rpow__`` form (PowBackward2).

    Example:
        >>> pow(tensor([1.0, 2.0, 3.0]), 2)
        tensor([1., 4., 9.])
    """
    if not isinstance(input, Tensor) and is_number(input):
        return rpow(require_tensor(exponent, "pow", "exponent", 2), input)
    require_tensor(input, "pow")
    check_operand(exponent, "pow", "exponent")
    check_broadcast(input, exponent)
    target = dt.result_type(input, exponent)
    if target is dt.bool_:
        if isinstance(exponent, Tensor):
            raise not_implemented_for("pow()", target)
        # x ** True is x and x ** False is all True, PyTorch's special exponents 1 and 0.
        return new(input._data.copy() if exponent else xp.ones(input._data.shape, bool),
                   target)
    if target.category == dt.INT and not isinstance(exponent, Tensor):
        if exponent < 0:
            raise RuntimeError(f"cannot raise an integer tensor to the negative power "
                               f"{exponent}; convert it to floating point first (.float())")
        if exponent > xp.iinfo(target.np).max:
            raise RuntimeError(f"the exponent {exponent} does not fit in {target!r}")
    result = new(_power(input, exponent, target), target)
    if isinstance(exponent, Tensor):
        if ag.needs_grad(input, exponent):
            ctx = SavedContext(input, exponent, result, need_x=input._requires_grad,
                       need_e=exponent._requires_grad)
            ag.record(_pow_tensor_backward, (input, exponent), result, ctx)
    elif ag.needs_grad(input):
        ag.record(_pow_scalar_backward, (input,), result,
                  SavedContext(input, exponent=exponent))
    return result


@table.op(method=False, function=False, operators=("__rpow__",), backward=(_pow_scalar_base_backward,))
def rpow(input, other):
    """``other ** input`` for a number ``other``."""
    check_operand(other, "pow", "self", 1)
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    if target is dt.bool_:
        raise not_implemented_for("pow()", target)
    result = new(_power(other, input, target), target)
    if ag.needs_grad(input):
        ctx = SavedContext(result, base=other, exponent=(input,) if other == 0 else None)
        ag.record(_pow_scalar_base_backward, (input,), result, ctx)
    return result


@table.op(inplace=True, backward=(_pow_scalar_backward,))
def square(input):
    """``input ** 2`` (integers and bools give int64, as ``pow`` does)."""
    return pow(require_tensor(input, "square"), 2)


@table.op(backward=(_pow_scalar_backward, _pow_tensor_backward, _pow_scalar_base_backward),
          composes=("to",))
def float_power(input, exponent):
    """``pow`` computed in float64 (the result is always float64)."""
    if isinstance(input, Tensor):
        input = ops.to_dtype(input, dt.float64)
    if isinstance(exponent, Tensor):
        exponent = ops.to_dtype(exponent, dt.float64)
    elif isinstance(input, Tensor):
        exponent = float(exponent)
    return pow(input, exponent)
