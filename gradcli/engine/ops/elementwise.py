"""Elementwise ops: arithmetic, comparisons, logic and the math functions.

Binary ops follow PyTorch's type promotion (``dtypes.result_type``) and
broadcasting; each records its PyTorch node with a backward rule written in
tensor ops, so gradients are themselves differentiable (``create_graph``).
Rules mirror PyTorch's ``derivatives.yaml``: where PyTorch's formula multiplies
by a C++ number the graph shows the Scalar overload (``MulBackward1``,
``AddBackward1``...), produced here by :func:`mul_scalar` and friends; where it
calls a backward kernel (``tanh_backward``) the gradient is one node named
after it (``TanhBackwardBackward0``), made by :func:`backward_kernel`.

Precision: PyTorch computes float32 transcendentals with vectorized kernels
that are almost always correctly rounded; NumPy's float32 versions are not, so
float16/float32 math runs in float64 and is rounded once (and a few float64
functions run in long double). The choice per function was measured against
PyTorch on ~60,000 values each.
"""

from __future__ import annotations

import builtins
import math

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..node import Backward, SavedContext, backward
from ..tensor import Tensor
from .common import broadcast_shapes, check_broadcast, float_dtype_of, is_number, tensor_or_none
from .common import new as _new
from .registry import OpTable
from ..namespace import ops

table = OpTable("elementwise")


# ================================================================ helpers
def new(array, dtype: dt.DType) -> Tensor:
    """A tensor of ``array`` converted to ``dtype``, silently: a float32 ``exp(100)``
    is inf, as in PyTorch, without NumPy's overflow warning."""
    with xp.errstate(all="ignore"):
        return _new(array, dtype)


def require_tensor(value, op: str, arg: str = "input", position: int = 1) -> Tensor:
    """``value`` if it is a tensor, else a TypeError (PyTorch's class)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}() expects a tensor for argument '{arg}' (position {position}), "
                        f"not a value of type {type(value).__name__}")
    return value


def check_operand(value, op: str, arg: str = "other", position: int = 2):
    """A tensor or a Python number; anything else is a TypeError (PyTorch's class)."""
    if isinstance(value, Tensor) or is_number(value):
        return value
    raise TypeError(f"{op}() expects a tensor or a number for argument '{arg}' (position "
                    f"{position}), not a value of type {type(value).__name__}")


def not_implemented_for(op: str, dtype: dt.DType):
    """The error for an op (``'remainder()'``) that has no version for ``dtype``."""
    return NotImplementedError(f"{op} is not implemented for tensors of dtype {dtype!r}")


def values(value, dtype: dt.DType):
    """The values of a tensor or Python number as an array of ``dtype``.

    A Python int wraps into a narrower integer type as a C cast does
    (``uint8_tensor + 300`` adds 44), which NumPy refuses to do for scalars.
    """
    if isinstance(value, Tensor):
        data = value._data
        return data if data.dtype == dtype.np else data.astype(dtype.np)
    if dtype.category == dt.FLOAT:
        return xp.asarray(float(value), dtype=dtype.np)
    if dtype.category == dt.BOOL:
        return xp.asarray(bool(value))
    if isinstance(value, float):
        value = int(value)  # truncates toward zero, like PyTorch's casts
    return xp.asarray(int(value) % (1 << 64), dtype=xp.uint64).astype(dtype.np)


def _dtype_of(value) -> dt.DType:
    return value._dtype if isinstance(value, Tensor) else dt.scalar_dtype(value)


def _compute(fn, *arrays):
    with xp.errstate(all="ignore"):
        return fn(*arrays)


def _binary(input, other, fn, op: str, dtype: dt.DType | None = None) -> Tensor:
    """``fn`` on both operands, converted to their promoted dtype (or ``dtype``)."""
    check_operand(input, op, "input", 1)
    check_operand(other, op)
    check_broadcast(input, other)
    target = dtype or dt.result_type(input, other)
    return new(_compute(fn, values(input, target), values(other, target)), target)


def _requires(value) -> bool:
    return isinstance(value, Tensor) and value._requires_grad


def _edges(*operands) -> tuple:
    return tuple(tensor_or_none(v) for v in operands)


# Wider float types to compute in, so that the one rounding is the final one.
_F64 = xp.float64
_LONG = xp.longdouble


def _precise(fn, array, mode: str):
    """``fn(array)`` with float16/float32 computed in float64 ("f64"), and also
    float64 in long double ("long"); "" computes in the array's own type, float16
    in float32 as PyTorch does."""
    if array.dtype.kind == "f":
        if mode and array.dtype.itemsize < 8:
            return _compute(fn, array.astype(_F64))
        if mode == "long":
            return _compute(lambda a: fn(a).astype(_F64), array.astype(_LONG))
        if array.dtype == xp.float16:
            return _compute(fn, array.astype(xp.float32))
    return _compute(fn, array)



# ===================================================== ops with a number
# What PyTorch's C++ backward formulas record when they combine a tensor with
# a C++ number: the Scalar overloads, whose node has a single edge.
@backward("MulBackward1")
def _mul_scalar_backward(ctx, grad):
    return (mul_scalar(grad, ctx.scalar),)


@table.internal
def mul_scalar(input: Tensor, scalar) -> Tensor:
    """``input * scalar`` recorded as ``MulBackward1`` (PyTorch's mul.Scalar)."""
    target = dt.result_type(input, scalar)
    result = new(_compute(xp.multiply, values(input, target), values(scalar, target)), target)
    if ag.needs_grad(input):
        ag.record(_mul_scalar_backward, (input,), result, SavedContext(scalar=scalar))
    return result


@backward("DivBackward1")
def _div_scalar_backward(ctx, grad):
    return (div_scalar(grad, ctx.scalar),)


@table.internal
def div_scalar(input: Tensor, scalar) -> Tensor:
    """``input / scalar`` recorded as ``DivBackward1`` (PyTorch's div.Scalar)."""
    target = _true_div_dtype(input, scalar)
    result = new(_compute(xp.true_divide, values(input, target), values(scalar, target)), target)
    if ag.needs_grad(input):
        ag.record(_div_scalar_backward, (input,), result, SavedContext(scalar=scalar))
    return result


def _pass_backward(ctx, grad):
    return (grad,)


add_backward1 = Backward("AddBackward1", _pass_backward)
sub_backward1 = Backward("SubBackward1", _pass_backward)


def add_scalar(input: Tensor, scalar) -> Tensor:
    """``input + scalar`` recorded as ``AddBackward1``."""
    target = dt.result_type(input, scalar)
    result = new(_compute(xp.add, values(input, target), values(scalar, target)), target)
    if ag.needs_grad(input):
        ag.record(add_backward1, (input,), result)
    return result


def sub_scalar(input: Tensor, scalar) -> Tensor:
    """``input - scalar`` recorded as ``SubBackward1``."""
    target = dt.result_type(input, scalar)
    result = new(_compute(xp.subtract, values(input, target), values(scalar, target)), target)
    if ag.needs_grad(input):
        ag.record(sub_backward1, (input,), result)
    return result


@backward("RsubBackward1")
def _rsub_scalar_backward(ctx, grad):
    return (_alpha_grad(neg(grad), ctx.alpha),)


def rsub_scalar(input: Tensor, scalar, alpha=1) -> Tensor:
    """``scalar - alpha * input`` recorded as ``RsubBackward1`` (what ``2 - x`` records)."""
    _check_sub_bool(input, scalar)
    _check_alpha(alpha, input, scalar)
    target = dt.result_type(input, scalar)
    scaled = values(input, target) if alpha == 1 else \
        _compute(xp.multiply, values(input, target), values(alpha, target))
    result = new(_compute(xp.subtract, values(scalar, target), scaled), target)
    if ag.needs_grad(input):
        ag.record(_rsub_scalar_backward, (input,), result, SavedContext(alpha=alpha))
    return result


def scalar_minus(scalar, input: Tensor) -> Tensor:
    """``scalar - input`` as PyTorch's C++ formulas compute it (a filled tensor minus
    ``input``): recorded as ``SubBackward0`` with no edge for the scalar."""
    return sub(ops.full_like(input, scalar), input)


def zeros_like_grad(grad: Tensor) -> Tensor:
    """A zero gradient with no history, as PyTorch's ``zeros_like(grad)`` in formulas."""
    return new(xp.zeros_like(grad._data), grad._dtype)


def backward_kernel(rule: Backward, array, dtype: dt.DType, inputs: tuple,
                    ctx: SavedContext | None = None) -> Tensor:
    """A gradient computed by one of PyTorch's backward kernels, as one node.

    PyTorch's first-order gradient of ``tanh`` is ``tanh_backward(grad, result)``,
    whose own node is ``TanhBackwardBackward0``; computing such a gradient here
    with this helper gives double backward the same graph.
    """
    result = new(array, dtype)
    if ag.needs_grad(*inputs):
        ag.record(rule, inputs, result, ctx)
    return result


@backward("NotImplemented")
def _not_implemented_backward(ctx, *grads):
    raise RuntimeError(f"backward cannot pass through {ctx.op}(): it has no derivative "
                       "formula")


def record_not_implemented(op: str, inputs: tuple, result: Tensor) -> Tensor:
    """Records PyTorch's ``NotImplemented`` node: backward through it is an error."""
    tensors = tuple(t for t in inputs if isinstance(t, Tensor))
    if ag.needs_grad(*tensors):
        ag.record(_not_implemented_backward, tensors, result,
                  SavedContext(op=op))
    return result


# =============================================================== add, sub
def _check_alpha(alpha, input, other) -> None:
    target = dt.result_type(input, other)
    if isinstance(alpha, bool):
        if target is not dt.bool_:
            raise RuntimeError(f"alpha can only be a bool when the result is bool, but the "
                               f"result has dtype {target!r}")
    elif isinstance(alpha, float) and target.category != dt.FLOAT:
        raise RuntimeError(f"alpha must be an integer when the result has dtype {target!r}, "
                           f"but got {alpha}")


def _scaled(other, alpha, target: dt.DType):
    data = values(other, target)
    return data if alpha == 1 else _compute(xp.multiply, data, values(alpha, target))


def _alpha_grad(grad, alpha):
    return grad if alpha == 1 else mul_scalar(grad, alpha)


@backward("AddBackward0")
def _add_backward(ctx, grad):
    return grad, _alpha_grad(grad, ctx.alpha)


def _plus(input, other, alpha, op: str, np_fn) -> Tensor:
    check_operand(input, op, "input", 1)
    check_operand(other, op)
    _check_alpha(alpha, input, other)
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    return new(_compute(np_fn, values(input, target), _scaled(other, alpha, target)), target)


@table.op(operators=("__add__", "__radd__"), inplace=True,
          inplace_operators=("__iadd__",), backward=(_add_backward,))
def add(input, other, *, alpha=1):
    """``input + alpha * other``; bool + bool is logical or, as in PyTorch.

    Example:
        >>> add(tensor([1.0, 2.0]), tensor([10.0, 20.0]), alpha=2)
        tensor([21., 42.])
    """
    result = _plus(input, other, alpha, "add", xp.add)
    if ag.needs_grad(input, other):
        ag.record(_add_backward, _edges(input, other), result, SavedContext(alpha=alpha))
    return result


@backward("SubBackward0")
def _sub_backward(ctx, grad):
    return grad, _alpha_grad(neg(grad), ctx.alpha)


def _check_sub_bool(input, other) -> None:
    a, b = _dtype_of(input), _dtype_of(other)
    if a is dt.bool_ and b is dt.bool_:
        raise RuntimeError("cannot subtract two bool tensors; to compare two masks, use `^` "
                           "or logical_xor()")
    if a is dt.bool_ or b is dt.bool_:
        raise RuntimeError("cannot subtract with a bool tensor; to invert a mask, use `~` or "
                           "logical_not()")


@table.op(operators=("__sub__",), inplace=True,
          inplace_operators=("__isub__",), aliases=("subtract",),
          backward=(_sub_backward,))
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    _check_sub_bool(check_operand(input, "sub", "input", 1), check_operand(other, "sub"))
    result = _plus(input, other, alpha, "sub", xp.subtract)
    if ag.needs_grad(input, other):
        ag.record(_sub_backward, _edges(input, other), result, SavedContext(alpha=alpha))
    return result


@backward("RsubBackward0")
def _rsub_backward(ctx, grad):
    return _sub_backward(ctx, grad)[::-1]


@table.op(method=False, operators=("__rsub__",), backward=(_rsub_backward, _rsub_scalar_backward))
def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (what ``2 - x`` computes, recording RsubBackward1)."""
    require_tensor(input, "rsub")
    if not isinstance(other, Tensor):
        return rsub_scalar(input, check_operand(other, "rsub"), alpha)
    _check_sub_bool(input, other)
    result = _plus(other, input, alpha, "rsub", xp.subtract)
    if ag.needs_grad(input, other):
        ag.record(_rsub_backward, (input, other), result, SavedContext(alpha=alpha))
    return result


# ==================================================================== mul
@backward("MulBackward0")
def _mul_backward(ctx, grad):
    a, b = ctx.saved_tensors
    return (grad * b if ctx.need_a else None), (grad * a if ctx.need_b else None)


def _half_scalar(input, other, target):
    """Float16 products take a Python number in float32, as PyTorch's kernel does."""
    if target is dt.float16 and not isinstance(other, Tensor):
        return values(input, target), values(other, dt.float32)
    return values(input, target), values(other, target)


@table.op(operators=("__mul__", "__rmul__"), inplace=True,
          inplace_operators=("__imul__",), aliases=("multiply",),
          backward=(_mul_backward,))
def mul(input, other):
    """Elementwise product; bool * bool is logical and."""
    check_operand(input, "mul", "input", 1)
    check_operand(other, "mul")
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    result = new(_compute(xp.multiply, *_half_scalar(input, other, target)), target)
    if ag.needs_grad(input, other):
        need_a, need_b = _requires(input), _requires(other)
        # Each side's gradient reads the other side: save only what is read (a
        # number is saved too, as PyTorch saves it as a tensor that backward frees).
        ctx = SavedContext(input if need_b else None, other if need_a else None,
                   need_a=need_a, need_b=need_b)
        ag.record(_mul_backward, _edges(input, other), result, ctx)
    return result


# ==================================================================== div
def _true_div_dtype(input, other) -> dt.DType:
    target = dt.result_type(input, other)
    return target if target.category == dt.FLOAT else dt.get_default_dtype()


@backward("DivBackward0")
def _div_backward(ctx, grad):
    a, b = ctx.saved_tensors
    grad_a = grad / b if ctx.need_a else None
    grad_b = -grad * ((a / b) / b) if ctx.need_b else None
    return grad_a, grad_b


@backward("DivBackward2")
def _zeros_backward(ctx, grad):
    return (zeros_like_grad(grad),) * ctx.n


def _int_division(np_fn, kind: str):
    """Integer floor/trunc division or modulus; dividing by zero is an error."""

    def compute(a, b):
        if a.dtype.kind in "iub" and xp.any(b == 0):
            raise RuntimeError("cannot divide an integer tensor by zero (only floating-point "
                               "division gives inf or nan)")
        return np_fn(a, b)

    compute.__name__ = kind
    return compute


def _trunc_divide(a, b):
    if a.dtype.kind in "iu":
        q = xp.floor_divide(a, b)
        return q + ((q < 0) & (q * b != a))
    return xp.trunc(xp.true_divide(a, b))


_ROUNDED_DIVISION = {"floor": _int_division(xp.floor_divide, "div_floor"),
                     "trunc": _int_division(_trunc_divide, "div_trunc")}


def _rounded_div(input, other, rounding_mode: str) -> Tensor:
    fn = _ROUNDED_DIVISION.get(rounding_mode)
    if fn is None:
        raise RuntimeError(f"div() rounding_mode must be None, 'trunc' or 'floor', not "
                           f"{rounding_mode!r}")
    target = dt.result_type(check_operand(input, "div", "input", 1), check_operand(other, "div"))
    if target is dt.bool_:
        raise not_implemented_for(f"div() with rounding_mode={rounding_mode!r}", target)
    return _binary(input, other, fn, "div")


@table.op(operators=("__truediv__",), inplace=True,
          inplace_operators=("__itruediv__",), aliases=("divide",),
          backward=(_div_backward, _zeros_backward))
def div(input, other, *, rounding_mode=None):
    """Division; integers divide to the default float dtype. ``rounding_mode``
    'trunc' or 'floor' rounds the quotient and keeps integer dtypes."""
    if rounding_mode is not None:
        result = _rounded_div(input, other, rounding_mode)
        if ag.needs_grad(input, other):
            ag.record(_zeros_backward, _edges(input, other), result, SavedContext(n=2))
        return result
    result = _binary(input, other, xp.true_divide, "div", _true_div_dtype(input, other))
    if ag.needs_grad(input, other):
        need_a, need_b = _requires(input), _requires(other)
        ctx = SavedContext(input if need_b else None, other, need_a=need_a, need_b=need_b)
        ag.record(_div_backward, _edges(input, other), result, ctx)
    return result


@table.op(inplace=True, backward=(_div_backward,))
def true_divide(input, other):
    """``div`` without rounding: always a float result."""
    return div(input, other)


@table.op(method=False, function=False, operators=("__rtruediv__",),
          backward=(_mul_backward,), composes=("reciprocal",))
def rtruediv(input, other):
    """``other / input`` for a number ``other``: PyTorch computes ``reciprocal(x) * other``."""
    return mul(reciprocal(input), check_operand(other, "div"))


@table.op(operators=("__floordiv__",), inplace=True,
          inplace_operators=("__ifloordiv__",),
          backward=(_not_implemented_backward,))
def floor_divide(input, other):
    """Division rounded toward negative infinity (``//``); not differentiable."""
    result = _rounded_div(input, other, "floor")
    return record_not_implemented("floor_divide", (input, other), result)


@table.op(method=False, function=False, operators=("__rfloordiv__",),
          backward=(_not_implemented_backward,))
def rfloordiv(input, other):
    """``other // input`` for a number ``other``."""
    result = _rounded_div(check_operand(other, "floor_divide"), input, "floor")
    return record_not_implemented("floor_divide", (input,), result)


# ======================================================= remainder, fmod
def _remainder_backward(ctx, grad):
    a, b = ctx.saved_tensors
    grad_b = -grad * a.div(b, rounding_mode=ctx.rounding) if ctx.need_b else None
    return (grad, grad_b) if ctx.two else (grad,)


remainder_backward0 = Backward("RemainderBackward0", _remainder_backward)
remainder_backward1 = Backward("RemainderBackward1", _remainder_backward)
fmod_backward0 = Backward("FmodBackward0", _remainder_backward)
fmod_backward1 = Backward("FmodBackward1", _remainder_backward)


def _modulus(input, other, op: str, np_fn, kernel: str, rules: tuple, rounding: str) -> Tensor:
    """``rules``: the backward of (tensor % number, tensor % tensor)."""
    require_tensor(input, op)
    check_operand(other, op)
    target = dt.result_type(input, other)
    if target is dt.bool_:
        raise not_implemented_for(f"{op}()", target)
    result = _binary(input, other, _int_division(np_fn, kernel), op)
    if ag.needs_grad(input, other):
        two = isinstance(other, Tensor)
        ctx = SavedContext(input, other if two else None, two=two, need_b=_requires(other),
                   rounding=rounding)
        ag.record(rules[two], (input, other) if two else (input,), result, ctx)
    return result


@table.op(operators=("__mod__",), inplace=True,
          inplace_operators=("__imod__",),
          backward=(remainder_backward0, remainder_backward1))
def remainder(input, other):
    """Python-style modulus: the result has the sign of ``other``."""
    if not isinstance(input, Tensor) and is_number(input):
        return rmod(require_tensor(other, "remainder", "other", 2), input)
    return _modulus(input, other, "remainder", _python_remainder, "remainder",
                    (remainder_backward0, remainder_backward1), "floor")


def _python_remainder(a, b):
    """Python's ``%`` as PyTorch computes floats: fmod, shifted by ``b`` when signs differ.

    Unlike NumPy's remainder, this keeps the sign of a zero result (-2. % 2 is -0.).
    """
    if a.dtype.kind != "f":
        return xp.remainder(a, b)
    mod = xp.fmod(a, b)
    shift = (mod != 0) & ((b < 0) != (mod < 0))
    return xp.where(shift, mod + b, mod)


@table.op(method=False, function=False, operators=("__rmod__",), backward=(_not_implemented_backward,))
def rmod(input, other):
    """``other % input`` for a number ``other`` (not differentiable in PyTorch)."""
    target = dt.result_type(input, check_operand(other, "remainder"))
    if target is dt.bool_:
        raise not_implemented_for("remainder()", target)
    result = _binary(other, input, _int_division(_python_remainder, "remainder"), "remainder")
    return record_not_implemented("remainder", (input,), result)


@table.op(inplace=True, backward=(fmod_backward0, fmod_backward1))
def fmod(input, other):
    """C-style modulus: the result has the sign of ``input``."""
    return _modulus(input, other, "fmod", xp.fmod, "fmod", (fmod_backward0, fmod_backward1),
                    "trunc")


# ==================================================================== neg
@backward("NegBackward0")
def _neg_backward(ctx, grad):
    return (neg(grad),)


@table.op(operators=("__neg__",), inplace=True, aliases=("negative",),
          backward=(_neg_backward,))
def neg(input):
    """``-input`` (unsigned integers wrap around)."""
    require_tensor(input, "neg")
    if input._dtype is dt.bool_:
        raise RuntimeError("cannot negate a bool tensor; to invert a mask, use `~` or "
                           "logical_not()")
    result = new(_compute(xp.negative, input._data), input._dtype)
    if ag.needs_grad(input):
        ag.record(_neg_backward, (input,), result)
    return result


@table.op(operators=("__pos__",), out=False)
def positive(input):
    """``+input``: the tensor itself."""
    require_tensor(input, "positive")
    if input._dtype is dt.bool_:
        raise RuntimeError("unary `+` does not apply to a bool tensor")
    return input


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
          backward=(_pow_scalar_backward, _pow_tensor_backward, _pow_scalar_base_backward))
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


# ============================================================ comparisons
def compare(input, other, np_fn, op: str) -> Tensor:
    """A comparison in the operands' promoted dtype: a bool tensor."""
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    return new(_compute(np_fn, values(input, target), values(other, target)), dt.bool_)


def _comparison(name: str, np_fn, dunder: str, aliases: tuple) -> None:
    def op(input, other):
        require_tensor(input, name)
        return compare(input, check_operand(other, name), np_fn, name)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}``: a bool tensor."
    table.op(name=name, aliases=aliases, inplace=True)(op)

    def operator(input, other):
        # A comparison with anything that is not a number falls back to Python
        # (``x == None`` is False), as PyTorch's operators do.
        if not isinstance(other, Tensor) and not is_number(other):
            return NotImplemented
        return compare(input, other, np_fn, name)

    operator.__name__ = dunder
    table.op(name=dunder, function=False, method=False, operators=(dunder,), out=False)(operator)


for _name, _fn, _dunder, _aliases in (
        ("eq", xp.equal, "__eq__", ()), ("ne", xp.not_equal, "__ne__", ("not_equal",)),
        ("lt", xp.less, "__lt__", ("less",)), ("le", xp.less_equal, "__le__", ("less_equal",)),
        ("gt", xp.greater, "__gt__", ("greater",)),
        ("ge", xp.greater_equal, "__ge__", ("greater_equal",))):
    _comparison(_name, _fn, _dunder, _aliases)


def _check_same_dtype(input: Tensor, other: Tensor) -> None:
    if input._dtype is not other._dtype:
        raise RuntimeError(f"isclose() needs both tensors to have the same dtype, but got "
                           f"{input._dtype!r} and {other._dtype!r}")


@table.op(out=False)
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|``, elementwise (a bool tensor)."""
    require_tensor(input, "isclose")
    require_tensor(other, "isclose", "other", 2)
    _check_same_dtype(input, other)
    check_broadcast(input, other)
    a = input._data.astype(_F64)
    b = other._data.astype(_F64)
    with xp.errstate(all="ignore"):
        close = (a == b) | (xp.isfinite(a) & xp.isfinite(b)
                            & (xp.abs(a - b) <= atol + rtol * xp.abs(b)))
    if equal_nan:
        close = close | (xp.isnan(a) & xp.isnan(b))
    return new(close, dt.bool_)


@table.op(out=False)
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True when every element of ``input`` is close to ``other`` (see ``isclose``)."""
    return bool(xp.all(isclose(input, other, rtol, atol, equal_nan)._data))


@table.op(out=False)
def equal(input, other) -> bool:
    """True when both tensors have the same shape and values (dtypes may differ)."""
    require_tensor(input, "equal")
    require_tensor(other, "equal", "other", 2)
    return input._data.shape == other._data.shape and bool(
        xp.array_equal(input._data, other._data))


# ================================================================= logic
def _logical(name: str, np_fn) -> None:
    def op(input, other):
        require_tensor(input, name)
        require_tensor(other, name, "other", 2)
        check_broadcast(input, other)
        return new(np_fn(input._data.astype(bool), other._data.astype(bool)), dt.bool_)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` of the truth values (nonzero is True)."
    table.op(name=name, inplace=True)(op)


for _name, _fn in (("logical_and", xp.logical_and), ("logical_or", xp.logical_or),
                   ("logical_xor", xp.logical_xor)):
    _logical(_name, _fn)


@table.op(inplace=True)
def logical_not(input):
    """``not`` of each truth value: a bool tensor."""
    return new(xp.logical_not(require_tensor(input, "logical_not")._data), dt.bool_)


def _bitwise(name: str, np_fn, dunder: str, reflected_dunder: str, inplace_dunder: str) -> None:
    def op(input, other):
        check_operand(input, name, "input", 1)
        check_operand(other, name)
        target = dt.result_type(input, other)
        if target.category == dt.FLOAT:
            raise not_implemented_for(f"{name}()", target)
        return _binary(input, other, np_fn, name, target)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    table.op(name=name, inplace=True, inplace_operators=(inplace_dunder,))(op)

    def operator(input, other):
        if not isinstance(other, Tensor) and not is_number(other):
            return NotImplemented
        return op(input, other)

    def reflected(input, other):
        if not is_number(other):
            return NotImplemented
        return op(other, input)

    for dunder, fn in zip((dunder, reflected_dunder), (operator, reflected)):
        fn.__name__ = dunder
        table.op(name=dunder, function=False, method=False, operators=(dunder,), out=False)(fn)


for _name, _fn, _dunders in (
        ("bitwise_and", xp.bitwise_and, ("__and__", "__rand__", "__iand__")),
        ("bitwise_or", xp.bitwise_or, ("__or__", "__ror__", "__ior__")),
        ("bitwise_xor", xp.bitwise_xor, ("__xor__", "__rxor__", "__ixor__")),
        ("bitwise_left_shift", xp.left_shift, ("__lshift__", "__rlshift__", "__ilshift__")),
        ("bitwise_right_shift", xp.right_shift, ("__rshift__", "__rrshift__", "__irshift__"))):
    _bitwise(_name, _fn, *_dunders)


@table.op(inplace=True, operators=("__invert__",))
def bitwise_not(input):
    """``~input``: bitwise not of integers, logical not of bools."""
    require_tensor(input, "bitwise_not")
    if input._dtype.category == dt.FLOAT:
        raise TypeError(f"`~` (bitwise not) needs an integer or bool tensor, not one of dtype "
                        f"{input._dtype!r}")
    return new(xp.invert(input._data), input._dtype)


# ================================================== maximum, minimum, clamp
def _extremum_backward(ctx, grad):
    a, b = ctx.saved_tensors
    ties = where(a == b, div_scalar(grad, 2), grad)
    if ctx.nan_aware:  # fmax/fmin: the gradient goes to the operand that was picked
        pick_a = (a >= b) | b.isnan() if ctx.bigger else (a <= b) | b.isnan()
        return where(pick_a, grad, 0.0), where(pick_a, 0.0, grad)
    lose_a, lose_b = (a < b, a > b) if ctx.bigger else (a > b, a < b)
    return where(lose_a, 0.0, ties), where(lose_b, 0.0, ties)


def _extremum(name: str, np_fn, node_name: str, bigger: bool, nan_aware: bool) -> None:
    node = Backward(node_name, _extremum_backward)

    def op(input, other):
        require_tensor(input, name)
        require_tensor(other, name, "other", 2)
        result = _binary(input, other, np_fn, name)
        if ag.needs_grad(input, other):
            ag.record(node, (input, other), result,
                      SavedContext(input, other, bigger=bigger, nan_aware=nan_aware))
        return result

    op.__name__ = name
    op.__doc__ = (f"The elementwise {'larger' if bigger else 'smaller'} of two tensors "
                  f"({'ignoring' if nan_aware else 'propagating'} NaN).")
    table.op(name=name, backward=(node,))(op)
    globals()[name] = op


_extremum("maximum", xp.maximum, "MaximumBackward0", True, False)
_extremum("minimum", xp.minimum, "MinimumBackward0", False, False)
_extremum("fmax", xp.fmax, "FmaxBackward0", True, True)
_extremum("fmin", xp.fmin, "FminBackward0", False, True)


def _clamp_values(data, low, high):
    with xp.errstate(invalid="ignore"):
        if low is not None:
            data = xp.where(xp.isnan(low), low, xp.maximum(data, low)) \
                if data.dtype.kind == "f" else xp.maximum(data, low)
        if high is not None:
            data = xp.where(xp.isnan(high), high, xp.minimum(data, high)) \
                if data.dtype.kind == "f" else xp.minimum(data, high)
    return data


def _inside(x, low, high):
    """Where ``low <= x <= high`` (either bound may be None)."""
    mask = None
    if low is not None:
        mask = x >= low
    if high is not None:
        mask = (x <= high) if mask is None else mask.logical_and(x <= high)
    return mask


@backward("ClampBackward1")
def _clamp_scalar_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return (where(_inside(x, ctx.low, ctx.high), grad, 0.0),)


@backward("ClampBackward0")
def _clamp_tensor_backward(ctx, grad):
    x, low, high = ctx.saved_tensors
    grad_x = where(_inside(x, low, high), grad, 0.0) if ctx.need[0] else None
    grad_low = grad_high = None
    if low is not None and high is not None:
        if ctx.need[1]:
            grad_low = where((x < low).logical_and(low < high), grad, 0.0)
        if ctx.need[2]:
            grad_high = where((x > high).logical_or(high < low), grad, 0.0)
    elif low is not None and ctx.need[1]:
        grad_low = where(x < low, grad, 0.0)
    elif high is not None and ctx.need[2]:
        grad_high = where(x > high, grad, 0.0)
    return grad_x, grad_low, grad_high


@table.op(inplace=True, aliases=("clip",), backward=(_clamp_tensor_backward, _clamp_scalar_backward))
def clamp(input, min=None, max=None):
    """Limits every element to ``[min, max]`` (numbers or tensors, not a mix).

    Example:
        >>> clamp(tensor([-3.0, 0.5, 5.0]), min=-1, max=1)
        tensor([-1.0000,  0.5000,  1.0000])
    """
    require_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp() needs at least one of min and max")
    bounds = [b for b in (min, max) if b is not None]
    tensors = [isinstance(b, Tensor) for b in bounds]
    if any(tensors) and not all(tensors):
        raise TypeError("clamp() needs min and max both as numbers or both as tensors, not "
                        "one of each")
    for b in bounds:
        check_operand(b, "clamp", "min")
    if tensors[0]:
        broadcast_shapes(input._data.shape, *(b._data.shape for b in bounds))
    target = dt.result_type(input, *bounds)
    if target is dt.bool_:
        target = dt.int64
    low = None if min is None else values(min, target)
    high = None if max is None else values(max, target)
    result = new(_clamp_values(values(input, target), low, high), target)
    if tensors[0]:
        if ag.needs_grad(input, min, max):
            ctx = SavedContext(input, min, max, need=(_requires(input), _requires(min), _requires(max)))
            ag.record(_clamp_tensor_backward, (input, min, max), result, ctx)
    elif ag.needs_grad(input):
        ag.record(_clamp_scalar_backward, (input,), result,
                  SavedContext(input, low=min, high=max))
    return result


def _clamp_side(name: str, bound_arg: str, node_name: str) -> None:
    """Declares ``clamp_min``/``clamp_max``: ``node_name`` + 0 (number) or 1 (tensor bound)."""
    number_rule = Backward(node_name + "0", _clamp_scalar_backward)
    tensor_rule = Backward(node_name + "1", _clamp_two_backward(bound_arg))

    def op(input, bound):
        require_tensor(input, name)
        check_operand(bound, name, bound_arg)
        kwargs = {bound_arg: bound}
        result = clamp(input.detach(), **kwargs)
        if ag.needs_grad(input, bound):
            if isinstance(bound, Tensor):
                low, high = (bound, None) if bound_arg == "min" else (None, bound)
                ctx = SavedContext(input, low, high,
                           need=(_requires(input), _requires(low), _requires(high)))
                ag.record(tensor_rule, (input, bound), result, ctx)
            else:
                ctx = SavedContext(input, low=kwargs.get("min"), high=kwargs.get("max"))
                ag.record(number_rule, (input,), result, ctx)
        return result

    op.__name__ = name
    op.__doc__ = f"``clamp(input, {bound_arg}={bound_arg})``."
    table.op(name=name, inplace=True, backward=(number_rule, tensor_rule))(op)


def _clamp_two_backward(side: str):
    def rule(ctx, grad):
        grad_x, grad_low, grad_high = _clamp_tensor_backward(ctx, grad)
        return grad_x, (grad_low if side == "min" else grad_high)
    return rule


_clamp_side("clamp_min", "min", "ClampMinBackward")
_clamp_side("clamp_max", "max", "ClampMaxBackward")


# ================================================================== where
@backward("WhereBackward0")
def _where_backward(ctx, grad):
    (cond,) = ctx.saved_tensors
    return (where(cond, grad, 0.0) if ctx.need[0] else None,
            where(cond, 0.0, grad) if ctx.need[1] else None)


@table.op(backward=(_where_backward,))
def where(condition, input=None, other=None):
    """Picks ``input`` where ``condition`` holds, else ``other`` (tensors or numbers).

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.
    """
    require_tensor(condition, "where", "condition")
    if input is None and other is None:
        return ops.nonzero(condition, as_tuple=True)
    if condition._dtype is not dt.bool_:
        raise RuntimeError(f"where() needs a bool condition, but the condition has dtype "
                           f"{condition._dtype!r}")
    check_operand(input, "where", "input")
    check_operand(other, "where", "other", 3)
    broadcast_shapes(condition._data.shape,
                     *(v._data.shape for v in (input, other) if isinstance(v, Tensor)))
    target = dt.result_type(input, other)
    result = new(xp.where(condition._data, values(input, target), values(other, target)),
                 target)
    if ag.needs_grad(input, other):
        ag.record(_where_backward, _edges(input, other), result,
                  SavedContext(condition, need=(_requires(input), _requires(other))))
    return result


# ============================================== lerp, atan2, hypot, copysign
def _lerp_backward(ctx, grad):
    start, end, weight = ctx.saved_tensors
    if weight is None:  # a number
        w = ctx.weight
        return mul_scalar(grad, 1 - w), mul_scalar(grad, w)
    return grad * scalar_minus(1, weight), grad * weight, grad * (end - start)


lerp_backward0 = Backward("LerpBackward0", _lerp_backward)
lerp_backward1 = Backward("LerpBackward1", _lerp_backward)


@table.op(inplace=True, backward=(lerp_backward0, lerp_backward1))
def lerp(input, end, weight):
    """``input + weight * (end - input)``, computed as PyTorch's kernel does."""
    require_tensor(input, "lerp")
    require_tensor(end, "lerp", "end", 2)
    check_operand(weight, "lerp", "weight", 3)
    dtype = input._dtype
    for name, v in (("end", end), ("weight", weight)):
        if isinstance(v, Tensor) and v._dtype is not dtype:
            raise RuntimeError(f"lerp() needs `{name}` to have the input's dtype {dtype!r}, "
                               f"but it has dtype {v._dtype!r}")
    if dtype.category != dt.FLOAT:
        raise not_implemented_for("lerp()", dtype)
    shapes = [t._data.shape for t in (input, end, weight) if isinstance(t, Tensor)]
    broadcast_shapes(*shapes)
    a, b, w = input._data, end._data, values(weight, dtype)

    def kernel(a, b, w):
        diff = b - a
        return xp.where(xp.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))

    if dtype is dt.float16:  # computed in float32, as PyTorch's kernel does
        a, b, w = (v.astype(xp.float32) for v in (a, b, w))
    result = new(_compute(kernel, a, b, w), dtype)
    if isinstance(weight, Tensor):
        if ag.needs_grad(input, end, weight):
            ag.record(lerp_backward1, (input, end, weight), result,
                      SavedContext(input, end, weight))
    elif ag.needs_grad(input, end):
        ag.record(lerp_backward0, (input, end), result,
                  SavedContext(None, None, None, weight=weight))
    return result


def _atan2_backward(ctx, grad):
    a, b, _ = ctx.saved_tensors
    recip = (a * a + b * b).reciprocal()
    recip = recip.masked_fill(recip.isinf(), 0)
    return grad * b * recip, grad * -a * recip


def _float_binary(name: str, np_fn, node_name: str, rule, precise: bool, ints: bool,
                  aliases=()) -> None:
    """Declares a differentiable function of two tensors that gives floats."""
    node = Backward(node_name, rule)

    def op(input, other):
        require_tensor(input, name)
        require_tensor(other, name, "other", 2)
        check_broadcast(input, other)
        target = dt.result_type(input, other)
        if target.category != dt.FLOAT:
            if not ints:
                raise not_implemented_for(f"{name}()", target)
            target = dt.get_default_dtype()
        a, b = values(input, target), values(other, target)
        if precise and target.itemsize < 8:
            a, b = a.astype(_F64), b.astype(_F64)
        result = new(_compute(np_fn, a, b), target)
        if ag.needs_grad(input, other):
            ag.record(node, (input, other), result, SavedContext(input, other, result))
        return result

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` of two tensors."
    table.op(name=name, aliases=aliases, inplace=True, backward=(node,))(op)
    globals()[name] = op


def _hypot_backward(ctx, grad):
    a, b, result = ctx.saved_tensors
    return grad * a / result, grad * b / result


_float_binary("atan2", xp.arctan2, "Atan2Backward0", _atan2_backward,
              precise=True, ints=True, aliases=("arctan2",))
_float_binary("hypot", xp.hypot, "HypotBackward0", _hypot_backward, precise=False, ints=False)


def _copysign_backward(ctx, grad):
    (x, result) = ctx.saved_tensors
    ratio = (result / x).masked_fill(x == 0, 0)
    grads = (grad * ratio,)
    return grads + (zeros_like_grad(grad),) if ctx.two else grads


copysign_backward0 = Backward("CopysignBackward0", _copysign_backward)
copysign_backward1 = Backward("CopysignBackward1", _copysign_backward)


@table.op(inplace=True, backward=(copysign_backward0, copysign_backward1))
def copysign(input, other):
    """``|input|`` with the sign of ``other`` (a float result)."""
    require_tensor(input, "copysign")
    check_operand(other, "copysign")
    result = _binary(input, other, xp.copysign, "copysign", _true_div_dtype(input, other))
    if ag.needs_grad(input, other):
        two = isinstance(other, Tensor)
        ag.record(copysign_backward0 if two else copysign_backward1, (input, other) if two else (input,), result, SavedContext(input, result, two=two))
    return result


# ============================================================ unary math
class Unary:
    """One unary op: its forward on arrays and its backward in tensor ops.

    Attributes:
        derivative: ``derivative(grad, x, y)`` gets the input ``x`` and the result
            ``y`` (those named in ``saves``; the others are None) and returns
            ``x``'s gradient.
        node: the :class:`Backward` recorded (None for an op without a derivative).
        to_float: int and bool inputs give the default float dtype (``sqrt``);
            otherwise the result keeps the input's dtype (``abs``, ``floor``).
        precise: how float inputs are computed (see :func:`_precise`).
        refuse: dtype categories with no kernel ("b" bool, "i" integers).
    """

    def __init__(self, name, forward, node=None, derivative=None, saves="x", to_float=True,
                 precise="f64", refuse=""):
        self.name, self.forward, self.node, self.derivative = name, forward, node, derivative
        self.saves, self.to_float, self.precise, self.refuse = saves, to_float, precise, refuse

    def __call__(self, input) -> Tensor:
        require_tensor(input, self.name)
        dtype = input._dtype
        if (dtype is dt.bool_ and "b" in self.refuse) or \
                (dtype.category == dt.INT and "i" in self.refuse):
            raise not_implemented_for(f"{self.name}()", dtype)
        if self.to_float:
            dtype = float_dtype_of(input)
        result = new(_precise(self.forward, input._data.astype(dtype.np, copy=False),
                              self.precise), dtype)
        if self.node is not None and ag.needs_grad(input):
            ctx = SavedContext(input if "x" in self.saves else None,
                       result if "y" in self.saves else None, derivative=self.derivative)
            ag.record(self.node, (input,), result, ctx)
        return result


def _unary_backward(ctx, grad):
    x, y = ctx.saved_tensors
    return (ctx.derivative(grad, x, y),)


def unary(forward, node_name: str | None = None, *, aliases=(), operators=(), **options):
    """Declares an elementwise op from its forward and its derivative.

    The decorated ``def NAME(g, x, y)`` is the derivative: given the incoming
    gradient ``g``, the input ``x`` and the result ``y``, it returns the input's
    gradient, written with tensor ops. The decorator returns the op ``NAME``
    itself (with its method, its in-place ``NAME_`` and ``aliases``); the op
    records ``node_name`` (no node when it is None).

    Example:
        >>> @unary(xp.exp, "ExpBackward0", saves="y")
        ... def exp(g, x, y):
        ...     return g * y
    """

    def declare(derivative):
        name = derivative.__name__
        node = Backward(node_name, _unary_backward) if node_name else None
        spec = Unary(name, forward, node, derivative, **options)

        def op(input):
            return spec(input)

        op.__name__ = name
        op.__doc__ = derivative.__doc__ or f"Elementwise ``{name}``."
        return table.op(name=name, aliases=aliases, operators=operators, inplace=True,
                        backward=(node,) if node else ())(op)

    return declare


def _zero_rule(g, x, y):
    return zeros_like_grad(g)


_LN2 = 0.6931471805599453
_LN10 = 2.302585092994046
_erf = xp.frompyfunc(math.erf, 1, 1)
_erfc = xp.frompyfunc(math.erfc, 1, 1)


def _sigmoid_values(a):
    # PyTorch's kernel: 1 / (1 + exp(-x)) in the input's precision, with an
    # exactly rounded exp.
    if a.dtype.itemsize < 8:
        e = xp.exp(-a.astype(_F64)).astype(xp.float32)
        return xp.float32(1) / (xp.float32(1) + e)
    return 1 / (1 + xp.exp(-a))


def _tanh_backward(grad: Tensor, y: Tensor) -> Tensor:
    """PyTorch's ``tanh_backward(grad, result)``: ``grad * (1 - y**2)``, one node."""
    return backward_kernel(
        _tanh_double_backward, _compute(lambda g, t: g * (1 - t * t), grad._data, y._data),
        y._dtype, (grad, y), SavedContext(grad, y))


@backward("TanhBackwardBackward0")
def _tanh_double_backward(ctx, gg):
    grad, y = ctx.saved_tensors
    return _tanh_backward(gg, y), gg * (mul_scalar(y, -2) * grad)


def sigmoid_backward(grad: Tensor, y: Tensor) -> Tensor:
    """PyTorch's ``sigmoid_backward(grad, result)``: ``grad * (1 - y) * y``, one node."""
    return backward_kernel(
        _sigmoid_double_backward, _compute(lambda g, s: g * (1 - s) * s, grad._data, y._data),
        y._dtype, (grad, y), SavedContext(grad, y))


@backward("SigmoidBackwardBackward0")
def _sigmoid_double_backward(ctx, gg):
    grad, y = ctx.saved_tensors
    return sigmoid_backward(gg, y), gg * (grad * add_scalar(mul_scalar(y, -2), 1))


def _sign_values(a):
    # The sign of a bool is the bool itself; NumPy's sign refuses bools.
    return a.copy() if a.dtype.kind == "b" else xp.sign(a)


def _cast(a, like):
    return xp.asarray(a, dtype=_F64).astype(like.dtype) if a.dtype == object else a


@unary(xp.exp, "ExpBackward0", saves="y", precise="long")
def exp(g, x, y):
    return g * y


@unary(xp.exp2, "Exp2Backward0", saves="y", precise="long")
def exp2(g, x, y):
    return mul_scalar(g * y, _LN2)


@unary(xp.expm1, "Expm1Backward0", saves="y")
def expm1(g, x, y):
    return g * add_scalar(y, 1)


@unary(xp.log, "LogBackward0", precise="long")
def log(g, x, y):
    return g.div(x)


@unary(xp.log2, "Log2Backward0")
def log2(g, x, y):
    return g / mul_scalar(x, _LN2)


@unary(xp.log10, "Log10Backward0", precise="long")
def log10(g, x, y):
    return g / mul_scalar(x, _LN10)


@unary(xp.log1p, "Log1PBackward0")
def log1p(g, x, y):
    return g / add_scalar(x, 1)


@unary(xp.sqrt, "SqrtBackward0", saves="y", precise="")
def sqrt(g, x, y):
    return g / mul_scalar(y, 2)


@unary(lambda a: 1 / xp.sqrt(a), "RsqrtBackward0", saves="y", precise="")
def rsqrt(g, x, y):
    return mul_scalar(g, -0.5) * y.pow(3)


@unary(xp.sin, "SinBackward0", precise="long")
def sin(g, x, y):
    return g * x.cos()


@unary(xp.cos, "CosBackward0", precise="long")
def cos(g, x, y):
    return g * -x.sin()


@unary(xp.tan, "TanBackward0", saves="y", precise="long")
def tan(g, x, y):
    return g * add_scalar(y.pow(2), 1)


@unary(xp.arcsin, "AsinBackward0", aliases=("arcsin",))
def asin(g, x, y):
    return g * add_scalar(-x * x, 1).rsqrt()


@unary(xp.arccos, "AcosBackward0", aliases=("arccos",))
def acos(g, x, y):
    return g * -add_scalar(-x * x, 1).rsqrt()


@unary(xp.arctan, "AtanBackward0", aliases=("arctan",))
def atan(g, x, y):
    return g / add_scalar(x * x, 1)


@unary(xp.sinh, "SinhBackward0", precise="long")
def sinh(g, x, y):
    return g * x.cosh()


@unary(xp.cosh, "CoshBackward0", precise="long")
def cosh(g, x, y):
    return g * x.sinh()


@unary(xp.tanh, "TanhBackward0", saves="y", precise="long")
def tanh(g, x, y):
    return _tanh_backward(g, y)


@unary(xp.arcsinh, "AsinhBackward0", aliases=("arcsinh",))
def asinh(g, x, y):
    return g * add_scalar(x.pow(2), 1).rsqrt()


@unary(xp.arccosh, "AcoshBackward0", aliases=("arccosh",))
def acosh(g, x, y):
    return g * sub_scalar(x.pow(2), 1).rsqrt()


@unary(xp.arctanh, "AtanhBackward0", aliases=("arctanh",))
def atanh(g, x, y):
    return mul_scalar(g, 1) / scalar_minus(1, x.pow(2))


@unary(_sigmoid_values, "SigmoidBackward0", saves="y", precise="")
def sigmoid(g, x, y):
    return sigmoid_backward(g, y)


@unary(lambda a: _cast(_erf(a), a), "ErfBackward0")
def erf(g, x, y):
    return mul_scalar((-x.pow(2)).exp(), 2 / math.sqrt(math.pi)) * g


@unary(lambda a: _cast(_erfc(a), a), "ErfcBackward0")
def erfc(g, x, y):
    return mul_scalar((-x.pow(2)).exp(), -2 / math.sqrt(math.pi)) * g


@unary(lambda a: 1 / a, "ReciprocalBackward0", saves="y", precise="")
def reciprocal(g, x, y):
    return -g * (y * y)

# PyTorch multiplies by the constant rounded to the input's type.
@unary(lambda a: a * a.dtype.type(math.pi / 180), "Deg2RadBackward0", precise="")
def deg2rad(g, x, y):
    return mul_scalar(g, math.pi / 180)


@unary(lambda a: a * a.dtype.type(180 / math.pi), "Rad2DegBackward0", precise="")
def rad2deg(g, x, y):
    return mul_scalar(g, 180 / math.pi)


@unary(xp.abs, "AbsBackward0",
       to_float=False, precise="", refuse="b", aliases=("absolute",), operators=("__abs__",))
def abs(g, x, y):
    return g * x.sgn()


@unary(_sign_values, "SignBackward0", to_float=False, precise="")
def sign(g, x, y):
    return _zero_rule(g, x, y)


@unary(_sign_values, "SgnBackward0", to_float=False, precise="")
def sgn(g, x, y):
    return _zero_rule(g, x, y)


@unary(xp.floor, "FloorBackward0", to_float=False, precise="", refuse="b")
def floor(g, x, y):
    return _zero_rule(g, x, y)


@unary(xp.ceil, "CeilBackward0", to_float=False, precise="", refuse="b")
def ceil(g, x, y):
    return _zero_rule(g, x, y)


@unary(xp.trunc, "TruncBackward0", to_float=False, precise="", refuse="b", aliases=("fix",))
def trunc(g, x, y):
    return _zero_rule(g, x, y)


@unary(lambda a: a - xp.trunc(a), "FracBackward0", to_float=False, precise="", refuse="bi")
def frac(g, x, y):
    return g



@backward("LogitBackward0")
def _logit_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    eps = ctx.eps
    if eps is None:
        inside, outside = (x >= 0.0).logical_and(x <= 1.0), math.nan
    else:
        inside, outside = (x >= eps).logical_and(x <= 1.0 - eps), 0.0
    return (where(inside, grad / (x * scalar_minus(1.0, x)), outside),)


@table.op(inplace=True, backward=(_logit_backward,))
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



del _name, _fn, _dunders, _aliases
