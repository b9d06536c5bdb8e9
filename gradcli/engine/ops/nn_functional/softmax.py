"""softmax and log_softmax, computed and rounded as PyTorch's CPU kernels do, with their
backward kernels (``_softmax_backward_data``...)."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor, wrap_dim
from ..common import _compute, backward_kernel, not_implemented_for, require_tensor
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _f64

table = OpTable("softmax")


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


@table.op(backward=(_softmax_rule,), qualified=("special.softmax",))
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


@table.op(backward=(_log_softmax_rule,), qualified=("special.log_softmax",))
def log_softmax(input, dim=None, dtype=None):
    """``x - log(sum(exp(x)))`` along ``dim``, computed stably."""
    input, d = _softmax_input(input, dim, dtype, "log_softmax")
    result = new(_compute(_softmax_values, input._data, d, True), input._dtype)
    if ag.needs_grad(input):
        ag.record(_log_softmax_rule, (input,), result,
                  SavedContext(result, dim=d))
    return result


# ================================================== torch.nn.functional
def _functional_softmax(fn):
    def functional(input, dim=None, _stacklevel=3, dtype=None):
        return fn(input, dim, dtype)
    functional.__name__ = fn.__name__
    functional.__doc__ = fn.__doc__
    return functional


for _op in (softmax, log_softmax):
    table.op(function=False, method=False, name="_functional_" + _op.__name__,
             functional=(_op.__name__,))(_functional_softmax(_op))

del _op
