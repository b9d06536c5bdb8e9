"""Activations: relu, threshold, hardtanh, leaky_relu, elu, selu, gelu, silu, softplus,
and their ``torch.nn.functional`` forms that take ``inplace=``.

First-order gradients go through PyTorch's backward kernels
(``threshold_backward``, ``softplus_backward``, ...) recorded as one node each
(``ThresholdBackwardBackward0``...), so double backward shows PyTorch's graph."""

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
    backward_kernel,
    not_implemented_for,
    require_tensor,
    values,
    zeros_like_grad,
)
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _f64, _float_input, _rounded, _work, inplace_capable

table = OpTable("activations")


# ============================================================ activations
def threshold_backward(grad: Tensor, x: Tensor, threshold) -> Tensor:
    """PyTorch's ``threshold_backward``: ``grad`` where ``x > threshold``, else 0."""
    return backward_kernel(
        _threshold_double_backward,
        _compute(lambda g, a: xp.where(a <= threshold, 0, g), grad._data, x._data),
        grad._dtype, (grad, x), SavedContext(x, threshold=threshold))


@backward("ThresholdBackwardBackward0")
def _threshold_double_backward(ctx, gg):
    (x,) = ctx.saved_tensors
    return threshold_backward(gg, x, ctx.threshold), zeros_like_grad(gg)


@backward("ReluBackward0")
def _relu_backward(ctx, grad):
    (result,) = ctx.saved_tensors
    return (threshold_backward(grad, result, 0),)


@table.op(inplace=True, backward=(_relu_backward,))
def relu(input):
    """``max(input, 0)`` elementwise (integers stay integers).

    Example:
        >>> relu(tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    require_tensor(input, "relu")
    if input._dtype is dt.bool_:
        raise RuntimeError("relu() is not implemented for tensors of dtype torch.bool")
    data = input._data
    result = new(xp.where(data > 0, data, xp.zeros((), data.dtype)), input._dtype)
    if ag.needs_grad(input):
        ag.record(_relu_backward, (input,), result, SavedContext(result))
    return result


@backward("ThresholdBackward0")
def _threshold_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (threshold_backward(grad, x, ctx.threshold),)


@table.op(method=False, backward=(_threshold_backward_rule,))
def threshold(input, threshold, value):
    """``input`` where it is above ``threshold``, else ``value``."""
    require_tensor(input, "threshold")
    data = input._data
    result = new(xp.where(data > threshold, data, values(value, input._dtype)), input._dtype)
    if ag.needs_grad(input):
        ag.record(_threshold_backward_rule, (input,), result,
                  SavedContext(input, threshold=threshold))
    return result


def hardtanh_backward(grad: Tensor, x: Tensor, low, high) -> Tensor:
    """PyTorch's ``hardtanh_backward``: ``grad`` strictly inside ``(low, high)``."""
    return backward_kernel(
        _hardtanh_double_backward,
        _compute(lambda g, a: xp.where((a <= low) | (a >= high), 0, g), grad._data, x._data),
        grad._dtype, (grad, x), SavedContext(x, low=low, high=high))


@backward("HardtanhBackwardBackward0")
def _hardtanh_double_backward(ctx, gg):
    (x,) = ctx.saved_tensors
    return hardtanh_backward(gg, x, ctx.low, ctx.high), zeros_like_grad(gg)


@backward("HardtanhBackward0")
def _hardtanh_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (hardtanh_backward(grad, x, ctx.low, ctx.high),)


@table.op(function=False, method=False, backward=(_hardtanh_backward_rule,))
def hardtanh(input, min_val=-1.0, max_val=1.0):
    """``input`` clipped to ``[min_val, max_val]``; ``relu6`` is ``hardtanh(x, 0, 6)``."""
    require_tensor(input, "hardtanh")
    if input._dtype is dt.bool_:
        raise not_implemented_for("hardtanh()", input._dtype)
    if min_val > max_val:
        raise ValueError(f"hardtanh() needs min_val <= max_val, but got min_val={min_val} and "
                         f"max_val={max_val}")
    data = input._data
    low, high = values(min_val, input._dtype), values(max_val, input._dtype)
    result = new(xp.minimum(xp.maximum(data, low), high), input._dtype)
    if ag.needs_grad(input):
        ag.record(_hardtanh_backward_rule, (input,), result,
                  SavedContext(input, low=min_val, high=max_val))
    return result


def leaky_relu_backward(grad: Tensor, x: Tensor, slope) -> Tensor:
    """PyTorch's ``leaky_relu_backward``: ``grad`` where ``x > 0``, else ``grad * slope``."""
    return backward_kernel(
        _leaky_relu_double_backward,
        _compute(lambda g, a: xp.where(a > 0, g, g * g.dtype.type(slope)), grad._data, x._data),
        grad._dtype, (grad, x), SavedContext(x, slope=slope))


@backward("LeakyReluBackwardBackward0")
def _leaky_relu_double_backward(ctx, gg):
    (x,) = ctx.saved_tensors
    return leaky_relu_backward(gg, x, ctx.slope), zeros_like_grad(gg)


@backward("LeakyReluBackward0")
def _leaky_relu_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (leaky_relu_backward(grad, x, ctx.slope),)


@table.op(function=False, method=False, backward=(_leaky_relu_backward_rule,))
def leaky_relu(input, negative_slope=0.01):
    """``input`` where positive, else ``negative_slope * input``."""
    _float_input(input, "leaky_relu")
    data = input._data
    result = new(_compute(lambda a: xp.where(a > 0, a, a * a.dtype.type(negative_slope)), data),
                 input._dtype)
    if ag.needs_grad(input):
        ag.record(_leaky_relu_backward_rule, (input,), result,
                  SavedContext(input, slope=negative_slope))
    return result


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def elu_backward(grad: Tensor, x: Tensor, alpha, scale, input_scale) -> Tensor:
    """PyTorch's ``elu_backward`` (on the input): the ELU slope times ``grad``."""

    def kernel(g, a):
        a64 = _f64(a)
        negative = g * (input_scale * scale * alpha * xp.exp(a64 * input_scale))
        return xp.where(a64 <= 0, negative, g * _f64(xp.asarray(scale, a.dtype)))

    return backward_kernel(
        _elu_double_backward, _compute(kernel, grad._data, x._data), grad._dtype, (grad, x), SavedContext(grad, x, alpha=alpha, scale=scale, input_scale=input_scale))


@backward("EluBackwardBackward0")
def _elu_double_backward(ctx, gg):
    grad, x = ctx.saved_tensors
    a, s, i = ctx.alpha, ctx.scale, ctx.input_scale
    grad_x = elu_backward(ops.mul_scalar(gg * grad, i), x, a, s, i) * (x < 0)
    return elu_backward(gg, x, a, s, i), grad_x


@backward("EluBackward0")
def _elu_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (elu_backward(grad, x, ctx.alpha, ctx.scale, ctx.input_scale),)


def _elu(input, alpha, scale, input_scale, op: str) -> Tensor:
    _float_input(input, op)

    def kernel(a):
        a64 = _f64(a)
        return xp.where(a64 <= 0, (xp.exp(a64 * input_scale) - 1) * (alpha * scale), a64 * scale)

    result = new(_compute(kernel, input._data), input._dtype)
    if ag.needs_grad(input):
        ag.record(_elu_backward_rule, (input,), result,
                  SavedContext(input, alpha=alpha, scale=scale, input_scale=input_scale))
    return result


@table.op(function=False, method=False, backward=(_elu_backward_rule,))
def elu(input, alpha=1.0):
    """``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    return _elu(input, alpha, 1.0, 1.0, "elu")


@table.op(method=False, backward=(_elu_backward_rule,))
def selu(input):
    """Scaled ELU with PyTorch's self-normalizing constants."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, "elu")


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_CUBIC = 0.044715


def _gelu_parts(a, approximate: str):
    """(cdf-like factor, its derivative times x) for GELU, in float64."""
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (a + _GELU_CUBIC * a ** 3)
        t = xp.tanh(inner)
        du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * a * a)
        return 0.5 * (1 + t), 0.5 * a * (1 - t * t) * du
    erf = xp.frompyfunc(math.erf, 1, 1)
    cdf = 0.5 * (1 + xp.asarray(erf(a * math.sqrt(0.5)), dtype=xp.float64))
    pdf = xp.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
    return cdf, a * pdf


def _gelu_curvature(a, approximate: str):
    """The second derivative of GELU, in float64."""
    if approximate == "tanh":
        k, c = _SQRT_2_OVER_PI, _GELU_CUBIC
        t = xp.tanh(k * (a + c * a ** 3))
        du, ddu = k * (1 + 3 * c * a * a), 6 * k * c * a
        sech2 = 1 - t * t
        return sech2 * du + 0.5 * a * sech2 * (ddu - 2 * t * du * du)
    pdf = xp.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
    return pdf * (2 - a * a)


def gelu_backward(grad: Tensor, x: Tensor, approximate: str) -> Tensor:
    """PyTorch's ``gelu_backward``: ``grad`` times the GELU slope at ``x``."""

    def kernel(g, a):
        cdf, x_pdf = _gelu_parts(_f64(a), approximate)
        return g * (cdf + x_pdf)

    return backward_kernel(
        _gelu_double_backward, _compute(kernel, grad._data, x._data), grad._dtype, (grad, x), SavedContext(grad, x, approximate=approximate))


@backward("GeluBackwardBackward0")
def _gelu_double_backward(ctx, gg):
    grad, x = ctx.saved_tensors
    curvature = new(_compute(_gelu_curvature, _f64(x._data), ctx.approximate), x._dtype)
    return gelu_backward(gg, x, ctx.approximate), gg * grad * curvature


@backward("GeluBackward0")
def _gelu_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (gelu_backward(grad, x, ctx.approximate),)


@table.op(function=False, method=False, functional=("gelu",), backward=(_gelu_backward_rule,))
def gelu(input, approximate="none"):
    """``x * Phi(x)`` (``approximate='tanh'``: PyTorch's tanh approximation)."""
    _float_input(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu() approximate must be 'none' or 'tanh', not "
                           f"{approximate!r}")

    def kernel(a):
        a = _work(a)
        if approximate == "tanh":
            inner = a.dtype.type(_SQRT_2_OVER_PI) * (a + a.dtype.type(_GELU_CUBIC) * (a * a * a))
            return a * 0.5 * (1 + _rounded(xp.tanh, inner))
        erf = xp.frompyfunc(math.erf, 1, 1)
        cdf = _rounded(lambda v: xp.asarray(erf(v), dtype=xp.float64),
                       a * a.dtype.type(math.sqrt(0.5)))
        return a * 0.5 * (1 + cdf)

    result = new(_compute(kernel, input._data), input._dtype)
    if ag.needs_grad(input):
        ag.record(_gelu_backward_rule, (input,), result,
                  SavedContext(input, approximate=approximate))
    return result


@backward("SiluBackward0")
def _silu_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    s = x.sigmoid()
    return (grad * s * ops.add_scalar(x * ops.scalar_minus(1.0, s), 1.0),)


@table.op(function=False, method=False, backward=(_silu_backward,))
def silu(input):
    """``x * sigmoid(x)``."""
    _float_input(input, "silu")

    def kernel(a):
        a = _work(a)
        return a / (1 + _rounded(xp.exp, -a))

    result = new(_compute(kernel, input._data), input._dtype)
    if ag.needs_grad(input):
        ag.record(_silu_backward, (input,), result, SavedContext(input))
    return result


def softplus_backward(grad: Tensor, x: Tensor, beta, threshold) -> Tensor:
    """PyTorch's ``softplus_backward``: ``grad * sigmoid(beta * x)`` below the threshold."""

    def kernel(g, a):
        z = xp.exp(_f64(a) * beta)
        return xp.where(_f64(a) * beta > threshold, g, g * (z / (z + 1)))

    return backward_kernel(
        _softplus_double_backward, _compute(kernel, grad._data, x._data), grad._dtype,
        (grad, x), SavedContext(grad, x, beta=beta, threshold=threshold))


@backward("SoftplusBackwardBackward0")
def _softplus_double_backward(ctx, gg):
    grad, x = ctx.saved_tensors
    beta, limit = ctx.beta, ctx.threshold
    scaled = ops.mul_scalar(x, beta)
    grad_x = ops.mul_scalar(ops.sigmoid_backward(gg * grad, scaled.sigmoid()) * (scaled < limit),
                            beta)
    return softplus_backward(gg, x, beta, limit), grad_x


@backward("SoftplusBackward0")
def _softplus_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (softplus_backward(grad, x, ctx.beta, ctx.threshold),)


@table.op(function=False, method=False, functional=("softplus",),
          backward=(_softplus_backward_rule,))
def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold``."""
    _float_input(input, "softplus")

    def kernel(a):
        a = _work(a)
        scaled = a * a.dtype.type(beta)
        smooth = _rounded(xp.log1p, _rounded(xp.exp, scaled)) / a.dtype.type(beta)
        return xp.where(scaled > threshold, a, smooth)

    result = new(_compute(kernel, input._data), input._dtype)
    if ag.needs_grad(input):
        ag.record(_softplus_backward_rule, (input,), result,
                  SavedContext(input, beta=beta, threshold=threshold))
    return result


# ================================================== torch.nn.functional


@table.op(function=False, method=False, functional=("relu6",))
def _relu6(input, inplace=False):
    return inplace_capable(hardtanh, "relu6")(input, 0.0, 6.0, inplace=inplace)


@table.op(function=False, method=False, functional=("threshold",))
def _functional_threshold(input, threshold_value, value, inplace=False):
    return inplace_capable(threshold, "threshold")(input, threshold_value, value,
                                                    inplace=inplace)


for _op in (relu, hardtanh, leaky_relu, elu, selu, silu):
    table.op(function=False, method=False, name="_functional_" + _op.__name__,
             functional=(_op.__name__,))(inplace_capable(_op, _op.__name__))

del _op
