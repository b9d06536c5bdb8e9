"""Float functions of two tensors: lerp, atan2, hypot, copysign."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...kernels import pointwise as pw
from ...node import Backward, SavedContext, backward
from ...tensor import Tensor
from ..common import (
    _compute,
    broadcast_shapes,
    check_broadcast,
    check_operand,
    not_implemented_for,
    require_tensor,
    values,
    zeros_like_grad,
)
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _F64, _binary, _true_div_dtype
from .arithmetic import add_scalar, mul_scalar, scalar_minus

table = OpTable("binary_math")


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
        if dtype is dt.float16:
            return xp.where(xp.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))
        # ATen's kernel, with each multiply-add fused as the compiler contracts it.
        w = xp.asarray(w, a.dtype)
        return xp.where(xp.abs(w) < 0.5, pw.fma(w, diff, a), pw.fma(-diff, 1 - w, b))

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
    table.op(name=name, aliases=aliases, inplace=True, backward=(node,),
             domain=((-2.0, 2.0), (0.5, 2.0)))(op)
    globals()[name] = op


def _hypot_backward(ctx, grad):
    a, b, result = ctx.saved_tensors
    return grad * a / result, grad * b / result


_float_binary("atan2", xp.arctan2, "Atan2Backward0", _atan2_backward,
              precise=True, ints=True, aliases=("arctan2",))
_float_binary("hypot", xp.hypot, "HypotBackward0", _hypot_backward, precise=False, ints=False)


@backward("LogaddexpBackward0")
def _logaddexp_backward(ctx, grad):
    a, b = ctx.saved_tensors
    return grad / add_scalar((b - a).exp(), 1), grad / add_scalar((a - b).exp(), 1)


def _logaddexp_values(a, b):
    # PyTorch's kernel, step by step in the operands' precision (exp and log1p
    # rounded once each): max + log1p(exp(-|a - b|)); equal infinities stay.
    tail = xp.exp((-xp.abs(a - b)).astype(_F64)).astype(a.dtype)
    tail = xp.log1p(tail.astype(_F64)).astype(a.dtype)
    return xp.where(xp.isinf(a) & (a == b), a, xp.maximum(a, b) + tail)


@table.op(backward=(_logaddexp_backward,), domain=((-2.0, 2.0), (-2.0, 2.0)))
def logaddexp(input, other):
    """``log(exp(input) + exp(other))``, computed without overflow.

    Example:
        >>> logaddexp(tensor([0.0, 1000.0]), tensor([0.0, 1000.0]))
        tensor([6.9315e-01, 1.0007e+03])
    """
    require_tensor(input, "logaddexp")
    require_tensor(other, "logaddexp", "other", 2)
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    if target.category != dt.FLOAT:
        raise not_implemented_for("logaddexp()", target)
    work = xp.float32 if target is dt.float16 else target.np
    a, b = values(input, target).astype(work), values(other, target).astype(work)
    result = new(_compute(_logaddexp_values, a, b), target)
    if ag.needs_grad(input, other):
        ag.record(_logaddexp_backward, (input, other), result, SavedContext(input, other))
    return result


def _copysign_backward(ctx, grad):
    (x, result) = ctx.saved_tensors
    ratio = (result / x).masked_fill(x == 0, 0)
    grads = (grad * ratio,)
    return grads + (zeros_like_grad(grad),) if ctx.two else grads


copysign_backward0 = Backward("CopysignBackward0", _copysign_backward)
copysign_backward1 = Backward("CopysignBackward1", _copysign_backward)


@table.op(inplace=True, backward=(copysign_backward0, copysign_backward1),
          domain=((-2.0, 2.0), (0.5, 2.0)))
def copysign(input, other):
    """``|input|`` with the sign of ``other`` (a float result)."""
    require_tensor(input, "copysign")
    check_operand(other, "copysign")
    result = _binary(input, other, xp.copysign, "copysign", _true_div_dtype(input, other))
    if ag.needs_grad(input, other):
        two = isinstance(other, Tensor)
        ag.record(copysign_backward0 if two else copysign_backward1, (input, other) if two else (input,), result, SavedContext(input, result, two=two))
    return result
