"""Pointwise ops of several operands and on floats' bits: ``addcmul``, ``addcdiv``,
``ldexp``, ``frexp``, ``heaviside``, ``gcd`` and ``lcm``."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...node import SavedContext, backward
from ...returntypes import TYPES
from ..common import (
    broadcast_shapes,
    check_broadcast,
    not_implemented_for,
    require_tensor,
    values,
)
from ..common import new_quiet as new
from ..registry import OpTable
from .arithmetic import mul_scalar, record_not_implemented

table = OpTable("pointwise")


# ======================================================== addcmul, addcdiv
@backward("AddcmulBackward0")
def _addcmul_backward(ctx, grad):
    t1, t2 = ctx.saved_tensors
    value = ctx.value
    return (grad, grad * mul_scalar(t2, value) if ctx.need1 else None,
            grad * mul_scalar(t1, value) if ctx.need2 else None)


@backward("AddcdivBackward0")
def _addcdiv_backward(ctx, grad):
    t1, t2 = ctx.saved_tensors
    value = ctx.value
    g1 = grad * mul_scalar(t2.reciprocal(), value) if ctx.need1 else None
    g2 = -grad * (mul_scalar(t1, value) / (t2 * t2)) if ctx.need2 else None
    return grad, g1, g2


def _addc(input, tensor1, tensor2, value, name: str, node, kernel):
    require_tensor(input, name)
    require_tensor(tensor1, name, "tensor1", 2)
    require_tensor(tensor2, name, "tensor2", 3)
    broadcast_shapes(input._data.shape, tensor1._data.shape, tensor2._data.shape)
    target = dt.result_type(input, tensor1, tensor2)
    if name == "addcdiv" and tensor1._dtype.category != dt.FLOAT and \
            tensor2._dtype.category != dt.FLOAT:
        raise RuntimeError("addcdiv() does not divide integer tensors (PyTorch removed "
                           "integer division from it); use floats, or torch.div with "
                           "rounding_mode")
    if target.category == dt.BOOL or (target.category == dt.INT and isinstance(value, float)):
        raise RuntimeError(f"{name}(): value {value!r} does not fit the result's dtype "
                           f"{target!r}")
    a, b, c = (values(t, target) for t in (input, tensor1, tensor2))
    scalar = target.np.type(value)
    with xp.errstate(divide="ignore", invalid="ignore"):
        result = new(xp.asarray(kernel(a, scalar, b, c), dtype=target.np), target)
    if ag.needs_grad(input, tensor1, tensor2):
        ctx = SavedContext(tensor1 if tensor2._requires_grad else None,
                           tensor2, value=value, need1=tensor1._requires_grad,
                           need2=tensor2._requires_grad)
        ag.record(node, (input, tensor1, tensor2), result, ctx)
    return result


@table.op(inplace=True, backward=(_addcmul_backward,))
def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2`` (broadcast)."""
    return _addc(input, tensor1, tensor2, value, "addcmul", _addcmul_backward,
                 lambda a, s, b, c: a + s * b * c)


@table.op(inplace=True, backward=(_addcdiv_backward,))
def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2`` (broadcast)."""
    return _addc(input, tensor1, tensor2, value, "addcdiv", _addcdiv_backward,
                 lambda a, s, b, c: a + s * b / c)


# ============================================================== ldexp
@backward("LdexpBackward0")
def _ldexp_backward(ctx, grad):
    input, other = ctx.saved_tensors
    return grad * other.exp2(), (grad * input * mul_scalar(other.exp2(), 0.6931471805599453)
                                 if ctx.need_other else None)


@table.op(inplace=True, backward=(_ldexp_backward,))
def ldexp(input, other):
    """``input * 2 ** other``: floats from mantissas and exponents."""
    require_tensor(input, "ldexp")
    require_tensor(other, "ldexp", "other", 2)
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    if target.category != dt.FLOAT:
        target = dt.get_default_dtype()
    with xp.errstate(over="ignore"):
        value = values(input, target) * xp.exp2(values(other, target))
    result = new(xp.asarray(value, dtype=target.np), target)
    if ag.needs_grad(input, other):
        ctx = SavedContext(input, other, need_other=other._requires_grad)
        ag.record(_ldexp_backward, (input, other), result, ctx)
    return result


# ============================================================== frexp
@backward("FrexpBackward0")
def _frexp_backward(ctx, grad, grad_exponent=None):
    (exponent,) = ctx.saved_tensors
    return (grad / exponent.exp2(),)


@table.op(backward=(_frexp_backward,))
def frexp(input):
    """``torch.return_types.frexp(mantissa, exponent)``: ``input = mantissa * 2 **
    exponent`` with the mantissa in [0.5, 1) in absolute value (int32 exponents)."""
    require_tensor(input, "frexp")
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"frexp() works on float tensors, but got {input._dtype!r}")
    m, e = xp.frexp(input._data)
    mantissa = new(m.astype(input._data.dtype), input._dtype)
    exponent = new(e.astype(xp.int32), dt.int32)
    if ag.needs_grad(input):
        ag.record(_frexp_backward, (input,), mantissa, SavedContext(exponent))
    return TYPES["frexp"]((mantissa, exponent))


# ===================================================== heaviside, gcd, lcm
@table.op(inplace=True)
def heaviside(input, values):
    """The step function: 0 below zero, 1 above, ``values`` at zero."""
    require_tensor(input, "heaviside")
    require_tensor(values, "heaviside", "values", 2)
    check_broadcast(input, values)
    if input._dtype is not values._dtype:
        raise RuntimeError(f"heaviside() needs input and values of the same dtype, but got "
                           f"{input._dtype!r} and {values._dtype!r}")
    a, v = input._data, values._data
    out = xp.where(a == 0, v, (a > 0).astype(a.dtype))
    result = new(xp.asarray(out, dtype=a.dtype), input._dtype)
    # PyTorch's node has edges only for the operands that require grad.
    return record_not_implemented("heaviside", tuple(t for t in (input, values)
                                                     if t._requires_grad), result)


def _integer_pair(input, other, name: str):
    require_tensor(input, name)
    require_tensor(other, name, "other", 2)
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    if target.category != dt.INT:
        raise not_implemented_for(f"{name}()", target)
    return values(input, target), values(other, target), target


@table.op(inplace=True)
def gcd(input, other):
    """The greatest common divisor, elementwise (non-negative)."""
    a, b, target = _integer_pair(input, other, "gcd")
    return new(xp.gcd(a, b).astype(target.np), target)


@table.op(inplace=True)
def lcm(input, other):
    """The least common multiple, elementwise (non-negative)."""
    a, b, target = _integer_pair(input, other, "lcm")
    return new(xp.lcm(a, b).astype(target.np), target)
