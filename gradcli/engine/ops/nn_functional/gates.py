"""More activations: hardsigmoid, hardswish, mish, celu, hardshrink, softshrink,
logsigmoid, glu, prelu, and the compositions ``torch.nn.functional`` writes in
Python (softsign, tanhshrink, softmin).

Forward values are computed in the input's precision step by step as ATen's CPU
kernels do (transcendental steps correctly rounded); the first-order gradients
record PyTorch's node names (``HardshrinkBackward0``...), and where PyTorch's
backward is itself one kernel (``hardswish_backward``, ``log_sigmoid_backward``,
the shrinks) its gradient is one node too, so double backward shows PyTorch's graph.
"""

from __future__ import annotations

from ... import autograd as ag
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor, wrap_dim
from ..common import _compute, backward_kernel, require_tensor, zeros_like_grad
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _float_input, _rounded, _work, inplace_capable
from .activations import _elu, elu_backward

table = OpTable("gates")


def _unary(input, op: str, kernel, rule=None, **saved) -> Tensor:
    """A float activation: ``kernel(values)`` in the input's precision, ``rule`` recorded."""
    _float_input(input, op)
    data = input._data
    result = new(_compute(lambda a: kernel(_work(a)).astype(a.dtype), data), input._dtype)
    if rule is not None and ag.needs_grad(input):
        ag.record(rule, (input,), result, SavedContext(input, **saved))
    return result




# ============================================================ hardsigmoid
@backward("NotImplemented")
def _no_double_backward(ctx, *grads):
    raise RuntimeError(f"the derivative of {ctx.op}'s gradient is not implemented (as in "
                       "PyTorch): it cannot be differentiated twice")


@backward("HardsigmoidBackward0")
def _hardsigmoid_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    inside = (x._data > -3) & (x._data < 3)
    slope = _compute(lambda g: xp.where(inside, g * g.dtype.type(1 / 6), g.dtype.type(0)),
                     grad._data)
    return (backward_kernel(_no_double_backward, slope, grad._dtype, (grad, x),
                            SavedContext(op="hardsigmoid_backward")),)


def _hardsigmoid_values(a):
    t = a.dtype.type
    return xp.minimum(xp.maximum(a + t(3), t(0)), t(6)) / t(6)


@table.op(function=False, method=False, backward=(_hardsigmoid_backward,))
def hardsigmoid(input):
    """``relu6(x + 3) / 6``."""
    return _unary(input, "hardsigmoid", _hardsigmoid_values, _hardsigmoid_backward)


# ============================================================== hardswish
def _hardswish_slope(a):
    t = a.dtype.type
    return xp.where(a < -3, t(0), xp.where(a <= 3, a / t(3) + t(0.5), t(1)))


def hardswish_backward(grad: Tensor, x: Tensor) -> Tensor:
    """PyTorch's ``hardswish_backward``: ``grad`` times the hardswish slope."""
    return backward_kernel(_hardswish_double_backward,
                           _compute(lambda g, a: g * _hardswish_slope(a), grad._data, x._data),
                           grad._dtype, (grad, x), SavedContext(grad, x))


@backward("HardswishBackwardBackward0")
def _hardswish_double_backward(ctx, gg):
    grad, x = ctx.saved_tensors
    curvature = ops.mul_scalar((x > -3) & (x < 3), 1 / 3)
    return hardswish_backward(gg, x), gg * grad * curvature


@backward("HardswishBackward0")
def _hardswish_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (hardswish_backward(grad, x),)


@table.op(function=False, method=False, backward=(_hardswish_backward_rule,))
def hardswish(input):
    """``x * relu6(x + 3) / 6``."""

    def kernel(a):
        t = a.dtype.type
        return a * xp.minimum(xp.maximum(a + t(3), t(0)), t(6)) / t(6)

    return _unary(input, "hardswish", kernel, _hardswish_backward_rule)


# =================================================================== mish
@backward("MishBackward0")
def _mish_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    s = x.sigmoid()
    t = ops.softplus(x).tanh()
    return (grad * (t + x * s * ops.scalar_minus(1, t * t)),)


@table.op(function=False, method=False, functional=("mish",), backward=(_mish_backward,))
def mish(input):
    """``x * tanh(softplus(x))``."""
    return _unary(input, "mish", lambda a: a * _rounded(
        xp.tanh, _rounded(xp.log1p, _rounded(xp.exp, a))), _mish_backward)


# =================================================================== celu
@backward("CeluBackward0")
def _celu_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return (elu_backward(grad, x, ctx.alpha, 1.0, 1.0 / ctx.alpha),)


@table.op(method=False, backward=(_celu_backward,))
def celu(input, alpha=1.0):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("celu() needs a nonzero alpha: it divides by alpha")
    with ag.no_grad():
        result = _elu(input.detach() if isinstance(input, Tensor) else input, alpha, 1.0,
                      1.0 / alpha, "celu")
    if ag.needs_grad(input):
        ag.record(_celu_backward, (input,), result, SavedContext(input, alpha=alpha))
    return result


# ================================================================ shrinks
def _shrink_backward(rule, grad: Tensor, x: Tensor, lambd) -> Tensor:
    mask = (x._data >= -lambd) & (x._data <= lambd)
    return backward_kernel(rule, _compute(lambda g: xp.where(mask, 0, g), grad._data),
                           grad._dtype, (grad, x), SavedContext(x, lambd=lambd))


@backward("HardshrinkBackwardBackward0")
def _hardshrink_double_backward(ctx, gg):
    (x,) = ctx.saved_tensors
    return _shrink_backward(_hardshrink_double_backward, gg, x, ctx.lambd), zeros_like_grad(gg)


@backward("HardshrinkBackward0")
def _hardshrink_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return (_shrink_backward(_hardshrink_double_backward, grad, x, ctx.lambd),)


@table.op(functional=("hardshrink",), backward=(_hardshrink_backward,))
def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, else 0."""

    def kernel(a):
        t = a.dtype.type(lambd)
        return xp.where((a >= -t) & (a <= t), a.dtype.type(0), a)

    return _unary(input, "hardshrink", kernel, _hardshrink_backward, lambd=lambd)


@backward("SoftshrinkBackwardBackward0")
def _softshrink_double_backward(ctx, gg):
    (x,) = ctx.saved_tensors
    return _shrink_backward(_softshrink_double_backward, gg, x, ctx.lambd), zeros_like_grad(gg)


@backward("SoftshrinkBackward0")
def _softshrink_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return (_shrink_backward(_softshrink_double_backward, grad, x, ctx.lambd),)


@table.op(function=False, method=False, functional=("softshrink",),
          backward=(_softshrink_backward,))
def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    if lambd < 0:
        raise RuntimeError(f"softshrink() needs lambd >= 0, but got {lambd}")

    def kernel(a):
        t = a.dtype.type(lambd)
        zero = a * a.dtype.type(0)
        # ATen's vectorised loop (whole blocks of 2 x 512 bits) blends in +0 where its
        # scalar tail computes x * 0 (-0 for a negative x).
        block = 2 * 64 // a.dtype.itemsize
        flat = zero.reshape(-1)
        flat[:flat.size - flat.size % block] = 0
        zero = flat.reshape(a.shape)
        return xp.where(a > t, a - t, xp.where(a < -t, a + t, zero))

    return _unary(input, "softshrink", kernel, _softshrink_backward, lambd=lambd)


# ============================================================= logsigmoid
def log_sigmoid_backward(grad: Tensor, x: Tensor) -> Tensor:
    """PyTorch's ``log_sigmoid_backward``: ``grad * sigmoid(-x)``."""

    def kernel(g, a):
        a = _work(a)
        z = _rounded(xp.exp, -xp.abs(a))
        share = z / (1 + z)
        return (g * xp.where(a < 0, 1 - share, share)).astype(g.dtype)

    return backward_kernel(_log_sigmoid_double_backward,
                           _compute(kernel, grad._data, x._data), grad._dtype, (grad, x),
                           SavedContext(grad, x))


@backward("LogSigmoidBackwardBackward0")
def _log_sigmoid_double_backward(ctx, gg):
    grad, x = ctx.saved_tensors
    s = x.sigmoid()
    return log_sigmoid_backward(gg, x), -(gg * grad * s * ops.scalar_minus(1, s))


@backward("LogSigmoidBackward0")
def _log_sigmoid_backward_rule(ctx, grad):
    (x,) = ctx.saved_tensors
    return (log_sigmoid_backward(grad, x),)


@table.op(function=False, method=False, functional=("logsigmoid",),
          backward=(_log_sigmoid_backward_rule,))
def logsigmoid(input):
    """``log(sigmoid(x))``, computed as ``min(x, 0) - log1p(exp(-|x|))``."""

    def kernel(a):
        return xp.minimum(a, a.dtype.type(0)) - _rounded(xp.log1p, _rounded(xp.exp, -xp.abs(a)))

    return _unary(input, "log_sigmoid", kernel, _log_sigmoid_backward_rule)


# ==================================================================== glu
def _glu_parts(input: Tensor, dim: int):
    a, b = ops.chunk(input, 2, dim)
    s = b.sigmoid()
    return a, s, s * ops.scalar_minus(1, s)


def glu_backward(grad: Tensor, input: Tensor, dim: int) -> Tensor:
    """PyTorch's ``glu_backward``: ``cat(grad * s, grad * a * s * (1 - s))``, one node."""
    with ag.no_grad():
        a, s, ds = _glu_parts(input.detach(), dim)
        g = grad.detach()
        value = ops.cat([g * s, g * a * ds], dim)
    return backward_kernel(_glu_double_backward, value._data, grad._dtype, (grad, input),
                           SavedContext(grad, input, dim=dim))


@backward("GluBackwardBackward0")
def _glu_double_backward(ctx, gg):
    grad, input = ctx.saved_tensors
    dim = ctx.dim
    a, s, ds = _glu_parts(input, dim)
    gg_a, gg_b = ops.chunk(gg, 2, dim)
    grad_grad = gg_a * s + gg_b * a * ds
    curvature = ds * ops.scalar_minus(1, ops.mul_scalar(s, 2))
    grad_input = ops.cat([gg_b * grad * ds, gg_a * grad * ds + gg_b * grad * a * curvature], dim)
    return grad_grad, grad_input


@backward("GluBackward0")
def _glu_backward(ctx, grad):
    (input,) = ctx.saved_tensors
    return (glu_backward(grad, input, ctx.dim),)


@table.op(function=False, method=False, functional=("glu",), backward=(_glu_backward,))
def glu(input, dim=-1):
    """``a * sigmoid(b)``, with ``a`` and ``b`` the two halves of ``input`` along ``dim``."""
    _float_input(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu() does not take a 0-dim tensor")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if size % 2:
        raise RuntimeError(f"glu() halves dimension {dim}, but its size {size} is odd")
    with ag.no_grad():
        a, b = ops.chunk(input.detach(), 2, d)
        result = new(a._data * b.sigmoid()._data, input._dtype)
    if ag.needs_grad(input):
        ag.record(_glu_backward, (input,), result, SavedContext(input, dim=d))
    return result


# ================================================================== prelu
@backward("PreluKernelBackward0")
def _prelu_backward(ctx, grad):
    input, weight = ctx.saved_tensors
    positive = input > 0
    grad_input = ops.where(positive, grad, grad * weight)
    grad_weight = ops.where(positive, ops.zeros_like(grad), grad * input)
    return grad_input, grad_weight  # summed down to the weight's shape centrally


@table.op(functional=("prelu",), backward=(_prelu_backward,))
def prelu(input, weight):
    """``x`` where positive, else ``weight * x``; ``weight`` has 1 or ``channels`` values
    (dimension 1 holds the channels)."""
    _float_input(input, "prelu")
    require_tensor(weight, "prelu", "weight", 2)
    channels = input._data.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"prelu() has {weight.numel()} weights, but the input has "
                           f"{channels} channels: give one weight or one per channel")
    if weight._dtype is not input._dtype:
        raise RuntimeError(f"prelu() needs a weight of the input's dtype {input._dtype!r}, "
                           f"not {weight._dtype!r}")
    # PyTorch reshapes the weight to broadcast along dimension 1 (a ViewBackward0 edge).
    shape = [1] * input.ndim
    if input.ndim >= 2:
        shape[1] = weight.numel()
    w = ops.reshape(weight, shape)
    result = new(_compute(lambda a, v: xp.where(a > 0, a, v * a), input._data, w._data),
                 input._dtype)
    if ag.needs_grad(input, w):
        ag.record(_prelu_backward, (input, w), result, SavedContext(input, w))
    return result


# ============================================== compositions F writes in Python
@table.op(function=False, method=False, functional=("softsign",), composes=("div", "abs"))
def _softsign(input):
    """``x / (1 + |x|)`` (``DivBackward0``, as PyTorch composes it)."""
    return input / (input.abs() + 1)


@table.op(function=False, method=False, functional=("tanhshrink",), composes=("sub", "tanh"))
def _tanhshrink(input):
    """``x - tanh(x)``."""
    return input - input.tanh()


@table.op(function=False, method=False, functional=("softmin",), composes=("softmax",))
def _softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along ``dim``."""
    require_tensor(input, "softmin")
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return ops.softmax(-input, dim, dtype=dtype)


for _op in (hardsigmoid, hardswish, celu):
    table.op(function=False, method=False, name="_functional_" + _op.__name__,
             functional=(_op.__name__,))(inplace_capable(_op, _op.__name__))

del _op
