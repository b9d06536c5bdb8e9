"""Arithmetic: add, sub, mul, div (and the Scalar overloads PyTorch's formulas record),
floor division, remainder, fmod, neg and positive."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...kernels import pointwise as pw
from ...namespace import ops
from ...node import Backward, SavedContext, backward
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
from ._helpers import _binary, _dtype_of, _edges, _requires, _true_div_dtype

table = OpTable("arithmetic")


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


@table.internal
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


@table.internal
def scalar_minus(scalar, input: Tensor) -> Tensor:
    """``scalar - input`` as PyTorch's C++ formulas compute it (a filled tensor minus
    ``input``): recorded as ``SubBackward0`` with no edge for the scalar."""
    return sub(ops.full_like(input, scalar), input)


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
    if alpha != 1 and target in (dt.float32, dt.float64):
        # ATen's kernel fuses alpha * other + input into one multiply-add (sub negates
        # alpha), as the compiler contracts it (float16 keeps its own rounding).
        sign = 1 if np_fn is xp.add else -1
        a, b = values(input, target), values(other, target)
        return new(_compute(lambda: pw.fma(b, pw.scalar(sign * alpha, a), a)), target)
    return new(_compute(np_fn, values(input, target), _scaled(other, alpha, target)), target)


@table.op(operators=("__add__", "__radd__"), inplace=True,
          inplace_operators=("__iadd__",), backward=(_add_backward,),
          domain=((-2.0, 2.0), (-2.0, 2.0)))
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
          backward=(_sub_backward,), domain=((-2.0, 2.0), (-2.0, 2.0)))
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
          backward=(_mul_backward,), domain=((-2.0, 2.0), (-2.0, 2.0)))
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
          backward=(_div_backward, _zeros_backward), domain=((-2.0, 2.0), (0.5, 2.0)))
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
    return mul(ops.reciprocal(input), check_operand(other, "div"))


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
