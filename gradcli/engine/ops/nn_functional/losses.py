"""Losses: mse_loss, l1_loss, binary_cross_entropy (with logits), nll_loss, cross_entropy."""

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
    broadcast_shapes,
    plural,
    require_tensor,
    zeros_like_grad,
)
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _rounded, _work
from .activations import softplus
from .softmax import log_softmax

table = OpTable("losses")


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


@table.op(function=False, method=False, functional=("mse_loss",), backward=(_mse_rule,))
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


@table.op(function=False, method=False, functional=("l1_loss",))
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


@table.op(function=False, method=False, functional=("binary_cross_entropy",),
          backward=(_bce_rule,))
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


@table.op(function=False, method=False, functional=("binary_cross_entropy_with_logits",))
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


@table.op(function=False, method=False, functional=("nll_loss",), backward=(_nll_rule,))
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


@table.op(function=False, method=False, functional=("cross_entropy",))
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
    return ops.mul_scalar(loss, 1 - label_smoothing) + ops.mul_scalar(smooth,
                                                                      label_smoothing / n_classes)


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
        target = ops.add_scalar(ops.mul_scalar(target, 1 - label_smoothing),
                                label_smoothing / n_classes)
    product = logp * target
    if weight is not None:
        product = product * _class_view(weight, logp.ndim, class_dim)
    if reduction == "none":
        return -product.sum(class_dim)
    total = -product.sum()
    return ops.div_scalar(total, logp._data.size // n_classes) if reduction == "mean" else total
