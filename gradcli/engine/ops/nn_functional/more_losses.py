"""More losses: smooth_l1_loss, huber_loss, soft_margin_loss (one node each, as
PyTorch records them) and the losses ATen composes from other ops:
poisson_nll_loss, kl_div, hinge_embedding_loss, cosine_embedding_loss,
margin_ranking_loss, triplet_margin_loss (their graphs show PyTorch's nodes).
"""

from __future__ import annotations

import math

from ... import autograd as ag
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor
from ..common import _compute, require_tensor
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _float_input
from .losses import _reduce_tensor, _reduction

table = OpTable("more_losses")


def _pair(input, target, op: str) -> None:
    _float_input(input, op)
    require_tensor(target, op, "target", 2)
    if input.shape != target.shape:
        raise ValueError(f"{op}() needs the target's size {list(target.shape)} to equal the "
                         f"input's size {list(input.shape)}")


def _reduced_node(rule, input, target, loss_values, reduction: str, **saved) -> Tensor:
    """The loss reduced as PyTorch reduces it, recorded as one node ``rule``."""
    with ag.no_grad():
        loss = _reduce_tensor(new(loss_values, input._dtype), reduction)
    result = new(loss._data, loss._dtype)
    if ag.needs_grad(input, target):
        ag.record(rule, (input, target), result,
                  SavedContext(input, target, reduction=reduction, **saved))
    return result


def _scaled_by_reduction(grad: Tensor, reduction: str, numel: int) -> Tensor:
    return ops.mul_scalar(grad, 1.0 / numel) if reduction == "mean" else grad


# =========================================================== smooth_l1, huber
@backward("SmoothL1LossBackward0")
def _smooth_l1_backward(ctx, grad):
    input, target = ctx.saved_tensors
    diff = input - target
    beta = ctx.beta
    slope = ops.clamp(ops.mul_scalar(diff, 1.0 / beta), -1, 1) if beta else diff.sign()
    g = _scaled_by_reduction(grad, ctx.reduction, input.numel()) * slope
    return g, -g


@table.op(function=False, method=False, functional=("smooth_l1_loss",),
          backward=(_smooth_l1_backward,))
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
                   beta=1.0):
    """``0.5 * z**2 / beta`` where ``z = |input - target| < beta``, else ``z - 0.5 * beta``."""
    _pair(input, target, "smooth_l1_loss")
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss() does not take a negative beta")

    def kernel(a, b):
        z = xp.abs(a - b)
        if beta == 0:
            return z
        t = a.dtype.type
        return xp.where(z < t(beta), t(0.5) * z * z / t(beta), z - t(0.5 * beta))

    values = _compute(kernel, input._data, target._data)
    return _reduced_node(_smooth_l1_backward, input, target, values, reduction, beta=beta)


@backward("HuberLossBackward0")
def _huber_backward(ctx, grad):
    input, target = ctx.saved_tensors
    diff = input - target
    slope = ops.clamp(diff, -ctx.delta, ctx.delta)
    g = _scaled_by_reduction(grad, ctx.reduction, input.numel()) * slope
    return g, -g


@table.op(function=False, method=False, functional=("huber_loss",),
          backward=(_huber_backward,))
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 * z**2`` where ``z = |input - target| < delta``, else ``delta * (z - 0.5 * delta)``."""
    _pair(input, target, "huber_loss")
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss() needs a positive delta")
    if weight is not None:
        raise NotImplementedError("huber_loss() weight= is not available in gradcli")

    def kernel(a, b):
        z = xp.abs(a - b)
        t = a.dtype.type
        return xp.where(z < t(delta), t(0.5) * z * z, t(delta) * (z - t(0.5) * t(delta)))

    values = _compute(kernel, input._data, target._data)
    return _reduced_node(_huber_backward, input, target, values, reduction, delta=delta)


# =============================================================== soft margin
@backward("SoftMarginLossBackward0")
def _soft_margin_backward(ctx, grad):
    input, target = ctx.saved_tensors
    z = (-target * input).exp()
    g = _scaled_by_reduction(grad, ctx.reduction, input.numel())
    return g * -target * z / ops.add_scalar(z, 1), None


@table.op(function=False, method=False, functional=("soft_margin_loss",),
          backward=(_soft_margin_backward,))
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(-target * input))``."""
    _pair(input, target, "soft_margin_loss")
    reduction = _reduction(reduction, size_average, reduce)
    values = _compute(lambda a, b: xp.log1p(xp.exp(-b * a)), input._data, target._data)
    with ag.no_grad():
        loss = _reduce_tensor(new(values, input._dtype), reduction)
    result = new(loss._data, loss._dtype)
    if ag.needs_grad(input):
        ag.record(_soft_margin_backward, (input,), result,
                  SavedContext(input, target, reduction=reduction))
    return result


# =========================================================== composed losses
@table.op(function=False, method=False, functional=("poisson_nll_loss",),
          composes=("exp", "sub", "mul", "log", "mean"))
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """``exp(input) - target * input`` (``log_input``), else
    ``input - target * log(input + eps)``; ``full`` adds Stirling's term."""
    _pair(input, target, "poisson_nll_loss")
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * ops.add_scalar(input, eps).log()
    if full:
        stirling = (target * target.log() - target
                    + ops.mul_scalar(ops.mul_scalar(target, 2 * math.pi).log(), 0.5))
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce_tensor(loss, reduction)


def _xlogy_self(t: Tensor) -> Tensor:
    """``xlogy(t, t)``: ``t * log(t)``, 0 where ``t`` is 0."""
    return ops.where(t == 0, ops.zeros_like(t), t * t.log())


@table.op(function=False, method=False, functional=("kl_div",),
          composes=("sub", "mul", "exp", "mean", "sum", "div"))
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise ``target * (log(target) - input)`` (``input`` holds log-probabilities);
    ``reduction='batchmean'`` divides the sum by the batch size."""
    _float_input(input, "kl_div")
    require_tensor(target, "kl_div", "target", 2)
    if reduction == "batchmean" and size_average is None and reduce is None:
        mode = "batchmean"
    else:
        mode = _reduction(reduction, size_average, reduce)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _xlogy_self(target) - target * input
    if mode == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce_tensor(loss, mode)


@table.op(function=False, method=False, functional=("hinge_embedding_loss",),
          composes=("clamp_min", "where", "add", "mean"))
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1."""
    _float_input(input, "hinge_embedding_loss")
    require_tensor(target, "hinge_embedding_loss", "target", 2)
    reduction = _reduction(reduction, size_average, reduce)
    zeros = ops.zeros_like(input)
    margin_clamp = ops.clamp_min(ops.rsub(input, margin), 0)
    output_margin = ops.where(target != 1, margin_clamp, zeros)
    output_self = ops.where(target != -1, input, zeros)
    return _reduce_tensor(output_margin + output_self, reduction)


@table.op(function=False, method=False, functional=("cosine_embedding_loss",),
          composes=("sum", "mul", "div", "sqrt", "clamp_min", "where", "add", "mean"))
def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos - margin)`` where it is -1."""
    _float_input(input1, "cosine_embedding_loss")
    require_tensor(input2, "cosine_embedding_loss", "input2", 2)
    require_tensor(target, "cosine_embedding_loss", "target", 3)
    reduction = _reduction(reduction, size_average, reduce)
    if input1.shape != input2.shape:
        raise RuntimeError(f"cosine_embedding_loss() needs inputs of one size, not "
                           f"{list(input1.shape)} and {list(input2.shape)}")
    dim = 1 if input1.ndim == 2 else 0
    epsilon = 1e-12
    prod_sum = (input1 * input2).sum(dim)
    mag_square1 = ops.add_scalar((input1 * input1).sum(dim), epsilon)
    mag_square2 = ops.add_scalar((input2 * input2).sum(dim), epsilon)
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = ops.zeros_like(cos)
    pos = ops.rsub(cos, 1)
    neg = ops.clamp_min(ops.sub(cos, margin), 0)
    output = ops.where(target == 1, pos, zeros) + ops.where(target == -1, neg, zeros)
    return _reduce_tensor(output, reduction)


@table.op(function=False, method=False, functional=("margin_ranking_loss",),
          composes=("sub", "mul", "add", "clamp_min", "mean"))
def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``."""
    _float_input(input1, "margin_ranking_loss")
    require_tensor(input2, "margin_ranking_loss", "input2", 2)
    require_tensor(target, "margin_ranking_loss", "target", 3)
    reduction = _reduction(reduction, size_average, reduce)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError("margin_ranking_loss() needs input1, input2 and target of the same "
                           "number of dimensions")
    loss = ops.clamp_min(ops.add_scalar(-target * (input1 - input2), margin), 0)
    return _reduce_tensor(loss, reduction)


@table.op(function=False, method=False, functional=("triplet_margin_loss",),
          composes=("pairwise_distance", "clamp_min", "mean"))
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with ``d`` the
    pairwise ``p``-distance (``swap``: the smaller of the two negative distances)."""
    _float_input(anchor, "triplet_margin_loss")
    require_tensor(positive, "triplet_margin_loss", "positive", 2)
    require_tensor(negative, "triplet_margin_loss", "negative", 3)
    reduction = _reduction(reduction, size_average, reduce)
    dist_pos = ops.pairwise_distance(anchor, positive, p, eps)
    dist_neg = ops.pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = ops.minimum(dist_neg, ops.pairwise_distance(positive, negative, p, eps))
    loss = ops.clamp_min(ops.add_scalar(dist_pos, margin) - dist_neg, 0)
    return _reduce_tensor(loss, reduction)
