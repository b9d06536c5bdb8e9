"""``torch.nn.functional``: activations, softmax, losses, linear, dropout, one_hot.

Ops that PyTorch also has as ``torch.NAME`` / ``Tensor.NAME`` (``relu``,
``softmax``, ``log_softmax``, ``threshold``, ``dropout``, ``selu``,
``binary_cross_entropy_with_logits``) are declared with those forms; the
others exist only in :data:`FUNCTIONAL`, the namespace of
``torch.nn.functional``, which also holds the ``F.``-flavoured wrappers that
take ``inplace=`` or legacy reduction arguments.

First-order gradients go through PyTorch's backward kernels
(``threshold_backward``, ``softplus_backward``, ...) recorded as one node each
(``ThresholdBackwardBackward0``...), so double backward shows PyTorch's graph.
"""

from __future__ import annotations

import math

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..namespace import ops
from ..node import SavedContext, backward
from ..tensor import Tensor, wrap_dim
from .common import (
    _compute,
    backward_kernel,
    broadcast_shapes,
    not_implemented_for,
    plural,
    require_tensor,
    values,
    zeros_like_grad,
)
from .common import new_quiet as new
from .registry import OpTable

table = OpTable("nn")


def _f64(data):
    """float16/float32 values computed in float64 (the result is rounded once)."""
    return data.astype(xp.float64) if data.dtype.itemsize < 8 else data


def _work(data):
    """The values in the type PyTorch's kernels compute in (float32 for float16)."""
    return data.astype(xp.float32) if data.dtype == xp.float16 else data


def _rounded(fn, a):
    """``fn(a)`` correctly rounded to ``a``'s type, as PyTorch's vectorized math is
    (nearly always); the arithmetic around it stays in ``a``'s type."""
    return fn(a.astype(xp.float64)).astype(a.dtype) if a.dtype.itemsize < 8 else fn(a)


def _float_input(input, op: str) -> Tensor:
    require_tensor(input, op)
    if input._dtype.category != dt.FLOAT:
        raise not_implemented_for(f"{op}()", input._dtype)
    return input


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


@table.op(function=False, method=False, backward=(_gelu_backward_rule,))
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
    grad_x = ops.mul_scalar(ops.sigmoid_backward(gg * grad, scaled.sigmoid()) * (scaled < limit), beta)
    return softplus_backward(gg, x, beta, limit), grad_x


@backward("SoftplusBackward0")
def _softplus_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (softplus_backward(grad, x, ctx.beta, ctx.threshold),)


@table.op(function=False, method=False, backward=(_softplus_backward_rule,))
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


# ================================================================ softmax
def _softmax_dim(input: Tensor, dim) -> int:
    if dim is None:  # PyTorch's legacy implicit choice (it warns)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return wrap_dim(dim, input.ndim)


def _softmax_input(input, dim, dtype, op: str):
    require_tensor(input, op)
    if dtype is not None:
        input = ops.to_dtype(input, dtype)
    if input._dtype.category != dt.FLOAT:
        raise not_implemented_for(f"{op}()", input._dtype)
    return input, _softmax_dim(input, dim)


def _sequential_sum(e, axis: int):
    """The sum over ``axis`` added in order (NumPy adds in order along any axis but
    the innermost one, where it sums pairwise)."""
    if axis < e.ndim - 1:
        return e.sum(axis=axis, keepdims=True)
    total = e[..., :1].copy()
    for i in range(1, e.shape[-1]):
        total = total + e[..., i:i + 1]
    return total


def _lane_sum(e):
    """Sum over the last axis as PyTorch's vectorized reduction adds: 512-bit lanes
    accumulated block by block, then halved pairwise (short rows add in order)."""
    lanes = 64 // e.itemsize
    n = e.shape[-1]
    if n < lanes:
        return _sequential_sum(e, e.ndim - 1)
    whole = n - n % lanes
    blocks = e[..., :whole].reshape(e.shape[:-1] + (whole // lanes, lanes))
    acc = _sequential_sum(blocks, blocks.ndim - 2)[..., 0, :]
    if whole < n:
        acc[..., :n - whole] = acc[..., :n - whole] + e[..., whole:]
    while lanes > 1:
        lanes //= 2
        acc = acc[..., :lanes] + acc[..., lanes:2 * lanes]
    return acc


def _softmax_values(data, axis: int, log: bool):
    """Softmax as PyTorch's CPU kernels compute it, rounding where they round."""
    work = data.astype(xp.float32) if data.dtype == xp.float16 else data
    if work.size == 0:
        return work.copy()
    if work.ndim == 0:
        return xp.zeros_like(work) if log else xp.ones_like(work)
    shifted = work - xp.max(work, axis=axis, keepdims=True)
    e = xp.exp(_f64(shifted)).astype(work.dtype)
    last = axis == work.ndim - 1
    total = _lane_sum(e) if last else _sequential_sum(e, axis)
    if log:
        return shifted - xp.log(_f64(total)).astype(work.dtype)
    return e * (1 / total) if last else e / total


def softmax_backward_data(grad: Tensor, output: Tensor, dim: int) -> Tensor:
    """PyTorch's ``_softmax_backward_data``: ``y * (grad - sum(grad * y))``."""
    g, y = grad._data, output._data
    value = _compute(lambda: y * (g - xp.sum(g * y, axis=dim, keepdims=True)))
    return backward_kernel(_softmax_double_backward, value, output._dtype, (grad, output), SavedContext(grad, output, dim=dim))


@backward("SoftmaxBackwardDataBackward0")
def _softmax_double_backward(ctx, gg):
    grad, y = ctx.saved_tensors
    d = ctx.dim
    grad_y = gg * grad - (y * grad).sum(d, keepdim=True) * gg \
        - grad * (y * gg).sum(d, keepdim=True)
    return softmax_backward_data(gg, y, d), grad_y


def log_softmax_backward_data(grad: Tensor, output: Tensor, dim: int) -> Tensor:
    """PyTorch's ``_log_softmax_backward_data``: ``grad - exp(y) * sum(grad)``."""
    g, y = grad._data, output._data
    value = _compute(lambda: g - xp.exp(y) * xp.sum(g, axis=dim, keepdims=True))
    return backward_kernel(_log_softmax_double_backward, value, output._dtype,
                           (grad, output),
                           SavedContext(grad, output, dim=dim))


@backward("LogSoftmaxBackwardDataBackward0")
def _log_softmax_double_backward(ctx, gg):
    grad, y = ctx.saved_tensors
    d = ctx.dim
    e = y.exp()
    return gg - (gg * e).sum(d, keepdim=True), -grad.sum(d, keepdim=True) * e * gg


@backward("SoftmaxBackward0")
def _softmax_rule(ctx, grad):
    (y,) = ctx.saved_tensors
    return (softmax_backward_data(grad, y, ctx.dim),)


@backward("LogSoftmaxBackward0")
def _log_softmax_rule(ctx, grad):
    (y,) = ctx.saved_tensors
    return (log_softmax_backward_data(grad, y, ctx.dim),)


@table.op(backward=(_softmax_rule,))
def softmax(input, dim=None, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``.

    Example:
        >>> softmax(tensor([0.0, 0.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    input, d = _softmax_input(input, dim, dtype, "softmax")
    result = new(_compute(_softmax_values, input._data, d, False), input._dtype)
    if ag.needs_grad(input):
        ag.record(_softmax_rule, (input,), result, SavedContext(result, dim=d))
    return result


@table.op(backward=(_log_softmax_rule,))
def log_softmax(input, dim=None, dtype=None):
    """``x - log(sum(exp(x)))`` along ``dim``, computed stably."""
    input, d = _softmax_input(input, dim, dtype, "log_softmax")
    result = new(_compute(_softmax_values, input._data, d, True), input._dtype)
    if ag.needs_grad(input):
        ag.record(_log_softmax_rule, (input,), result,
                  SavedContext(result, dim=d))
    return result


# ================================================================= losses
_REDUCTIONS = ("none", "mean", "sum")


def _reduction(reduction: str, size_average=None, reduce=None) -> str:
    """The reduction, from ``reduction=`` or PyTorch's legacy ``size_average``/``reduce``."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return "none" if not reduce else ("mean" if size_average else "sum")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', not {reduction!r}")
    return reduction


def _reduce_values(data, reduction: str):
    if reduction == "mean":
        return xp.mean(data, dtype=data.dtype) if data.size else xp.asarray(xp.nan, data.dtype)
    if reduction == "sum":
        return xp.sum(data, dtype=data.dtype)
    return data


def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _loss_dtype(input: Tensor, target: Tensor) -> dt.DType:
    target_dtype = dt.result_type(input, target)
    if target_dtype.category != dt.FLOAT:
        raise RuntimeError(f"mse_loss() needs a floating-point input or target, but got "
                           f"{input._dtype!r} and {target._dtype!r}")
    return target_dtype


def mse_loss_backward(grad: Tensor, a: Tensor, b: Tensor, reduction: str) -> Tensor:
    """PyTorch's ``mse_loss_backward``: ``2 * (a - b) * grad`` (over numel for mean)."""
    numel = math.prod(xp.broadcast_shapes(a._data.shape, b._data.shape))
    norm = 2.0 / max(numel, 1) if reduction == "mean" else 2.0
    dtype = dt.result_type(a, b)
    value = _compute(lambda: dtype.np.type(norm) * (a._data.astype(dtype.np) - b._data)
                     * grad._data)
    return backward_kernel(_mse_double_backward, value, dtype, (grad, a, b), SavedContext(grad, a, b, reduction=reduction,
                                                      norm=norm))


@backward("MseLossBackwardBackward0")
def _mse_double_backward(ctx, gg):
    grad, a, b = ctx.saved_tensors
    grad_a = ops.mul_scalar(gg * grad, ctx.norm)
    return mse_loss_backward(gg, a, b, ctx.reduction), grad_a, -grad_a


@backward("MseLossBackward0")
def _mse_rule(ctx, grad):
    a, b = ctx.saved_tensors
    grad_a = mse_loss_backward(grad, a, b, ctx.reduction) if ctx.need[0] else None
    grad_b = mse_loss_backward(grad, b, a, ctx.reduction) if ctx.need[1] else None
    return grad_a, grad_b


@table.op(function=False, method=False, backward=(_mse_rule,))
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or summed) squared error; with ``weight``, PyTorch's weighted form
    ``sum(weight * (input - target) ** 2) / sum(weight)``, built from tensor ops."""
    require_tensor(input, "mse_loss")
    require_tensor(target, "mse_loss", "target", 2)
    reduction = _reduction(reduction, size_average, reduce)
    broadcast_shapes(input._data.shape, target._data.shape)
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError(f"weight must have the input's shape {list(input.shape)}, but it "
                             f"has shape {list(weight.shape)}")
        weighted = (input - target).pow(2) * weight
        return weighted.sum() / weight.sum() if reduction == "mean" else \
            _reduce_tensor(weighted, reduction)
    dtype = _loss_dtype(input, target)
    diff = _compute(xp.subtract, input._data.astype(dtype.np), target._data.astype(dtype.np))
    result = new(_reduce_values(_compute(xp.multiply, diff, diff), reduction), dtype)
    if ag.needs_grad(input, target):
        ctx = SavedContext(input, target, reduction=reduction,
                   need=(input._requires_grad, target._requires_grad))
        ag.record(_mse_rule, (input, target), result, ctx)
    return result


@table.op(function=False, method=False)
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean (or summed) absolute error, recorded as PyTorch records it (sub, abs, mean)."""
    require_tensor(input, "l1_loss")
    require_tensor(target, "l1_loss", "target", 2)
    return _reduce_tensor((input - target).abs(), _reduction(reduction, size_average, reduce))


_BCE_EPS = 1e-12


def _weighted(t: Tensor, weight, reduction: str, numel: int) -> Tensor:
    if weight is not None:
        t = t * weight
    return ops.div_scalar(t, numel) if reduction == "mean" else t


def bce_backward(grad: Tensor, x: Tensor, target: Tensor, weight, reduction: str) -> Tensor:
    """PyTorch's ``binary_cross_entropy_backward``: ``grad * (x - t) / ((1 - x) * x)``."""
    numel = x._data.size

    def kernel():
        a, t = x._data, target._data
        out = grad._data * (a - t) / xp.maximum((1 - a) * a, a.dtype.type(_BCE_EPS))
        if weight is not None:
            out = out * weight._data
        return out / numel if reduction == "mean" else out

    return backward_kernel(_bce_double_backward, _compute(kernel), x._dtype,
                           (grad, x, target),
                           SavedContext(grad, x, target, weight=weight, reduction=reduction,
                                numel=numel))


@backward("BinaryCrossEntropyBackwardBackward0")
def _bce_double_backward(ctx, gg):
    grad, x, t = ctx.saved_tensors
    w, reduction, n = ctx.weight, ctx.reduction, ctx.numel
    clamped = (ops.scalar_minus(1, x) * x).clamp_min(_BCE_EPS)
    grad_grad = _weighted(gg * (x - t) / clamped, w, reduction, n)
    eps_x = ops.add_scalar(x, _BCE_EPS)
    eps_1mx = ops.add_scalar(ops.scalar_minus(1, x), _BCE_EPS)
    curvature = (x * x - ops.mul_scalar(x, 2) * t + t) / (eps_x.pow(2) * eps_1mx.pow(2))
    grad_x = _weighted(curvature * (gg * grad), w, reduction, n)
    grad_t = _weighted(-gg * grad / clamped, w, reduction, n)
    return grad_grad, grad_x, grad_t


@backward("BinaryCrossEntropyBackward0")
def _bce_rule(ctx, grad):
    x, t = ctx.saved_tensors
    w, reduction = ctx.weight, ctx.reduction
    grad_x = bce_backward(grad, x, t, w, reduction) if ctx.need[0] else None
    grad_t = None
    if ctx.need[1]:
        grad_t = _weighted(-x.logit() * grad, w, reduction, x._data.size)
    return grad_x, grad_t


def _check_same_size(input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(f"the target has shape {list(target.shape)} but the input has shape "
                         f"{list(input.shape)}; they must be the same")


@table.op(function=False, method=False, backward=(_bce_rule,))
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-(t * log(x) + (1 - t) * log(1 - x))``, logs clamped at -100 as in PyTorch."""
    require_tensor(input, "binary_cross_entropy")
    require_tensor(target, "binary_cross_entropy", "target", 2)
    reduction = _reduction(reduction, size_average, reduce)
    _check_same_size(input, target)
    a = input._data
    if xp.any((a < 0) | (a > 1)):
        raise RuntimeError("binary_cross_entropy() needs input values between 0 and 1 "
                           "(probabilities); apply sigmoid() first, or use "
                           "binary_cross_entropy_with_logits()")

    def kernel():
        x, t = _work(a), _work(target._data).astype(_work(a).dtype)
        loss = (t - 1) * xp.maximum(_rounded(xp.log1p, -x), -100) \
            - t * xp.maximum(_rounded(xp.log, x), -100)
        return loss if weight is None else loss * weight._data

    result = new(_reduce_values(_compute(kernel), reduction), input._dtype)
    if ag.needs_grad(input, target):
        ctx = SavedContext(input, target, weight=weight, reduction=reduction,
                   need=(input._requires_grad, target._requires_grad))
        ag.record(_bce_rule, (input, target), result, ctx)
    return result


def _log_sigmoid(t: Tensor) -> Tensor:
    return -softplus(-t)


@backward("BinaryCrossEntropyWithLogitsBackward0")
def _bce_logits_rule(ctx, grad):
    x, t = ctx.saved_tensors
    w, pw, reduction, n = ctx.weight, ctx.pos_weight, ctx.reduction, x._data.size
    grad_x = grad_t = None
    if ctx.need[0]:
        if pw is None:
            grad_x = x.sigmoid() - t
        else:
            scaled = pw * t
            grad_x = (ops.add_scalar(scaled, 1) - t) * x.sigmoid() - scaled
        grad_x = _weighted(grad_x * grad, w, reduction, n)
    if ctx.need[1]:
        grad_t = -x if pw is None else _log_sigmoid(-x) - _log_sigmoid(x) * pw
        grad_t = _weighted(grad_t * grad, w, reduction, n)
    return grad_x, grad_t


def _bce_with_logits(input, target, weight, pos_weight, reduction: str) -> Tensor:
    require_tensor(input, "binary_cross_entropy_with_logits")
    require_tensor(target, "binary_cross_entropy_with_logits", "target", 2)
    _check_same_size(input, target)

    def kernel():
        # PyTorch: (1 - t) * x - log_sigmoid(x) * log_weight, in the input's precision.
        x = _work(input._data)
        t = _work(target._data).astype(x.dtype)
        log_sigmoid = xp.minimum(x, 0) - _rounded(xp.log1p, _rounded(xp.exp, -xp.abs(x)))
        if pos_weight is not None:
            log_sigmoid = log_sigmoid * ((pos_weight._data - 1) * t + 1)
        loss = (1 - t) * x - log_sigmoid
        return loss if weight is None else loss * weight._data

    result = new(_reduce_values(_compute(kernel).astype(input._data.dtype), reduction),
                 input._dtype)
    if ag.needs_grad(input, target):
        ctx = SavedContext(input, target, weight=weight, pos_weight=pos_weight, reduction=reduction,
                   need=(input._requires_grad, target._requires_grad))
        ag.record(_bce_logits_rule, (input, target),
                  result, ctx)
    return result


@table.op(method=False, backward=(_bce_logits_rule,))
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """``torch.binary_cross_entropy_with_logits``: the reduction is PyTorch's enum
    (0 none, 1 mean, 2 sum) and defaults to none."""
    return _bce_with_logits(input, target, weight, pos_weight, _REDUCTIONS[reduction])


def _functional_bce_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean", pos_weight=None):
    """Binary cross entropy of ``sigmoid(input)``, computed stably from the logits."""
    return _bce_with_logits(input, target, weight, pos_weight,
                            _reduction(reduction, size_average, reduce))


def _nll_parts(input: Tensor, target: Tensor, weight, ignore_index: int):
    """(rows, classes, per-row weights) for nll_loss, with PyTorch's checks."""
    if target._dtype not in (dt.int64, dt.uint8):
        raise RuntimeError(f"the target must hold class indices of dtype torch.int64 (or "
                           f"torch.uint8), but it has dtype {target._dtype!r}")
    if input.ndim not in (1, 2):
        raise ValueError(f"the input must have 1 or 2 dimensions (classes, or batch by "
                         f"classes), but it has {plural(input.ndim, 'dimension')}")
    scores = input._data.reshape(1, -1) if input.ndim == 1 else input._data
    classes = target._data.reshape(-1).astype(xp.int64)
    if input.ndim == 1 and target.ndim != 0 or input.ndim == 2 and \
            target._data.shape != (scores.shape[0],):
        expected = "a 0-dimensional target" if input.ndim == 1 else \
            f"a target of shape [{scores.shape[0]}]"
        raise ValueError(f"an input of shape {list(input.shape)} needs {expected} (one class "
                         f"index per row), but the target has shape {list(target.shape)}")
    n_classes = scores.shape[1]
    kept = classes != ignore_index
    for c in classes[kept]:
        if not 0 <= c < n_classes:
            raise IndexError(f"target class {c} is out of range for {n_classes} classes "
                             f"(valid: 0 to {n_classes - 1})")
    safe = xp.where(kept, classes, 0)
    w = xp.ones(n_classes, scores.dtype) if weight is None else weight._data.astype(scores.dtype)
    row_weights = xp.where(kept, w[safe], 0).astype(scores.dtype)
    return scores, safe, row_weights


def nll_loss_backward(grad: Tensor, input: Tensor, target: Tensor, weight, reduction: str,
                      ignore_index: int) -> Tensor:
    """PyTorch's ``nll_loss_backward``: ``-weight * grad`` at each row's target class."""
    scores, classes, row_weights = _nll_parts(input, target, weight, ignore_index)
    g = grad._data.reshape(-1) if reduction == "none" else grad._data
    if reduction == "mean":
        g = g / xp.sum(row_weights)
    out = xp.zeros_like(scores)
    out[xp.arange(scores.shape[0]), classes] = -row_weights * g
    return backward_kernel(
        _nll_double_backward, _compute(lambda: out.reshape(input._data.shape)),
        input._dtype, (grad, input),
        SavedContext(target=target, weight=weight, reduction=reduction, ignore_index=ignore_index))


@backward("NllLossBackwardBackward0")
def _nll_double_backward(ctx, gg):
    return (nll_loss(gg, ctx.target, ctx.weight, ignore_index=ctx.ignore_index,
                     reduction=ctx.reduction), zeros_like_grad(gg))


@backward("NllLossBackward0")
def _nll_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (nll_loss_backward(grad, x, ctx.target, ctx.weight, ctx.reduction, ctx.ignore_index),)


@table.op(function=False, method=False, backward=(_nll_rule,))
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood of class-index targets: ``-input[n, target[n]]``."""
    require_tensor(input, "nll_loss")
    require_tensor(target, "nll_loss", "target", 2)
    reduction = _reduction(reduction, size_average, reduce)
    scores, classes, row_weights = _nll_parts(input, target, weight, ignore_index)
    picked = -row_weights * scores[xp.arange(scores.shape[0]), classes]
    if reduction == "none":
        value = picked.reshape(target._data.shape)
    elif reduction == "sum":
        value = xp.sum(picked, dtype=picked.dtype)
    else:
        value = _compute(lambda: xp.sum(picked, dtype=picked.dtype) /
                         xp.sum(row_weights, dtype=picked.dtype))
    result = new(value, input._dtype)
    if ag.needs_grad(input):
        ag.record(_nll_rule, (input,), result,
                  SavedContext(input, target=target, weight=weight, reduction=reduction,
                       ignore_index=ignore_index))
    return result


@table.op(function=False, method=False)
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """``nll_loss(log_softmax(input, 1), target)`` for class indices; for class
    probabilities (a float target of the input's shape) ``-sum(target * log_softmax)``."""
    require_tensor(input, "cross_entropy")
    require_tensor(target, "cross_entropy", "target", 2)
    reduction = _reduction(reduction, size_average, reduce)
    class_dim = 1 if input.ndim >= 2 else 0
    logp = log_softmax(input, class_dim)
    n_classes = input._data.shape[class_dim]
    if target._dtype.category == dt.FLOAT:
        return _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, class_dim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return loss
    ignored = target == ignore_index
    per_class = logp if weight is None else logp * _class_view(weight, input.ndim, class_dim)
    smooth = ops.where(ignored, 0.0, -per_class.sum(class_dim))
    if reduction == "mean":
        kept = target._data[~ignored._data].astype(xp.int64)
        total = weight._data[kept].sum() if weight is not None else kept.size
        smooth = ops.div_scalar(smooth.sum(), float(total))
    elif reduction == "sum":
        smooth = smooth.sum()
    return ops.mul_scalar(loss, 1 - label_smoothing) + ops.mul_scalar(smooth, label_smoothing / n_classes)


def _class_view(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    shape = [1] * ndim
    shape[class_dim] = weight._data.shape[0]
    return weight.reshape(shape)


def _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, class_dim):
    if logp.shape != target.shape:
        raise RuntimeError(f"a target of class probabilities must have the input's shape "
                           f"{list(logp.shape)}, but it has shape {list(target.shape)}")
    n_classes = logp._data.shape[class_dim]
    if label_smoothing:
        target = ops.add_scalar(ops.mul_scalar(target, 1 - label_smoothing), label_smoothing / n_classes)
    product = logp * target
    if weight is not None:
        product = product * _class_view(weight, logp.ndim, class_dim)
    if reduction == "none":
        return -product.sum(class_dim)
    total = -product.sum()
    return ops.div_scalar(total, logp._data.size // n_classes) if reduction == "mean" else total


# ========================================================= linear, dropout
@table.op(function=False, method=False, out=False)
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, recorded as PyTorch records it: ``addmm`` for
    a 2-D input with a bias, ``matmul`` without one."""
    require_tensor(input, "linear")
    require_tensor(weight, "linear", "weight", 2)
    transposed = ops.t(weight)
    if bias is None:
        return ops.matmul(input, transposed)
    if input.ndim == 2:
        return ops.addmm(bias, input, transposed)
    flat = ops.reshape(input, -1, input._data.shape[-1])
    out = ops.addmm(bias, flat, transposed)
    return ops.reshape(out, *input._data.shape[:-1], weight._data.shape[0])


@table.op(method=False, out=False)
def dropout(input, p=0.5, train=True):
    """Zeroes each element with probability ``p`` (from gradcli's generator) and
    scales the rest by ``1 / (1 - p)``; the identity when not training."""
    require_tensor(input, "dropout")
    if not 0 <= p <= 1:
        raise ValueError(f"the dropout probability must be between 0 and 1, but got {p}")
    if not train or p == 0:
        return input
    keep = ops.default_generator.rng.random(input._data.shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1 - p)
    mask = new(keep * input._dtype.np.type(scale), input._dtype)
    return ops.mul(input, mask)


def _functional_dropout(input, p=0.5, training=True, inplace=False):
    if inplace:
        from .inplace import apply_inplace
        return apply_inplace(input, dropout, (p, training), {})
    return dropout(input, p, training)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(norm(input, p, dim), eps)``."""
    require_tensor(input, "normalize")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return ops.div(input, denom) if out is None else ops.div(input, denom, out=out)


def one_hot(tensor, num_classes=-1):
    """A one-hot int64 encoding of class indices, with a new last dimension."""
    require_tensor(tensor, "one_hot", "tensor")
    if tensor._dtype is not dt.int64:
        raise RuntimeError(f"one_hot() needs class indices of dtype torch.int64, but got "
                           f"{tensor._dtype!r}")
    data = tensor._data
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("one_hot() cannot infer the number of classes from an empty "
                               "tensor; pass num_classes")
        num_classes = int(data.max()) + 1
    if data.size and data.min() < 0:
        raise RuntimeError(f"one_hot() needs non-negative class values, but found "
                           f"{int(data.min())}")
    if data.size and data.max() >= num_classes:
        raise RuntimeError(f"one_hot() found class value {int(data.max())}, but "
                           f"num_classes={num_classes} allows only 0 to {num_classes - 1}")
    return new(xp.arange(num_classes) == data[..., None], dt.int64)


# ================================================== torch.nn.functional
def _inplace_capable(fn, name: str):
    """The ``F.`` form of an activation: ``inplace=True`` writes into the input."""

    def functional(input, *args, inplace=False, **kwargs):
        if inplace:
            from .inplace import apply_inplace
            return apply_inplace(input, fn, args, kwargs)
        return fn(input, *args, **kwargs)

    functional.__name__ = name
    functional.__doc__ = fn.__doc__
    return functional


def _relu6(input, inplace=False):
    return _inplace_capable(hardtanh, "relu6")(input, 0.0, 6.0, inplace=inplace)


def _functional_softmax(fn):
    def functional(input, dim=None, _stacklevel=3, dtype=None):
        return fn(input, dim, dtype)
    functional.__name__ = fn.__name__
    functional.__doc__ = fn.__doc__
    return functional


def _functional_threshold(input, threshold_value, value, inplace=False):
    return _inplace_capable(threshold, "threshold")(input, threshold_value, value,
                                                    inplace=inplace)


FUNCTIONAL = {
    "relu": _inplace_capable(relu, "relu"),
    "relu6": _relu6,
    "hardtanh": _inplace_capable(hardtanh, "hardtanh"),
    "leaky_relu": _inplace_capable(leaky_relu, "leaky_relu"),
    "elu": _inplace_capable(elu, "elu"),
    "selu": _inplace_capable(selu, "selu"),
    "gelu": gelu,
    "silu": _inplace_capable(silu, "silu"),
    "sigmoid": ops.sigmoid,
    "tanh": ops.tanh,
    "softplus": softplus,
    "threshold": _functional_threshold,
    "softmax": _functional_softmax(softmax),
    "log_softmax": _functional_softmax(log_softmax),
    "mse_loss": mse_loss,
    "l1_loss": l1_loss,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": _functional_bce_with_logits,
    "nll_loss": nll_loss,
    "cross_entropy": cross_entropy,
    "linear": linear,
    "dropout": _functional_dropout,
    "normalize": normalize,
    "one_hot": one_hot,
}
"""The functions of ``torch.nn.functional``, by name."""
