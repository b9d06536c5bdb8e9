"""embedding, layer_norm, pad (constant, reflect, replicate), cosine_similarity, pairwise_distance and
gumbel_softmax.

``embedding`` and ``layer_norm`` record PyTorch's single nodes
(``EmbeddingBackward0``, ``NativeLayerNormBackward0``) with backward rules
written in tensor ops (so ``create_graph=True`` works); the others are the
compositions PyTorch's own code makes, so their graphs show PyTorch's nodes.
"""

from __future__ import annotations

import math

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...kernels.moments import rowwise_moments
from ...kernels.pointwise import fma
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor, wrap_dim
from ..common import new_quiet as new
from ..common import require_tensor
from ..registry import OpTable
from ._helpers import _float_input

table = OpTable("normalization")


# ============================================================== embedding
@backward("EmbeddingBackward0")
def _embedding_backward(ctx, grad):
    (indices,) = ctx.saved_tensors
    rows, dim = ctx.weight_shape
    flat = ops.reshape(indices, -1)
    grads = ops.reshape(grad, -1, dim)
    if ctx.padding_idx is not None:
        keep = ops.unsqueeze(flat != ctx.padding_idx, 1)
        grads = grads * keep
    if ctx.scale_grad_by_freq:  # each row's gradient divided by how often it was looked up
        counts = xp.bincount(flat._data, minlength=rows)[flat._data].astype(grad._data.dtype)
        grads = grads / ops.unsqueeze(new(counts, grad._dtype), 1)
    zeros = ops.zeros((rows, dim), dtype=grad.dtype)
    return (ops.index_add(zeros, 0, flat, grads),)


def _renorm_rows(weight: Tensor, indices: Tensor, max_norm, norm_type) -> None:
    """``embedding_renorm_``: rows looked up with a norm above ``max_norm`` are scaled down,
    in place and outside the graph."""
    data = weight._data
    for row in sorted(set(indices._data.reshape(-1).tolist())):
        values = data[row].astype(xp.float64)
        norm = float(xp.sum(xp.abs(values) ** norm_type) ** (1.0 / norm_type))
        if norm > max_norm:
            data[row] = (data[row] * data.dtype.type(max_norm / (norm + 1e-7))).astype(data.dtype)
    weight._counter.value += 1


@table.op(function=False, method=False, out=False, functional=("embedding",),
          backward=(_embedding_backward,))
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """``weight[input]``: the rows of ``weight`` at the (integer) indices ``input``."""
    require_tensor(input, "embedding")
    require_tensor(weight, "embedding", "weight", 2)
    if input._dtype not in (dt.int64, dt.int32):
        raise RuntimeError(f"embedding() looks rows up with integer indices (int64 or int32), "
                           f"not {input._dtype!r}")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding() needs a 2-D weight, not a {weight.ndim}-D one")
    rows = weight._data.shape[0]
    index = input._data
    if index.size and (index.min() < 0 or index.max() >= rows):
        raise IndexError(f"embedding() index out of range: the table has {rows} rows")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    result = new(weight._data[index], weight._dtype)
    if ag.needs_grad(weight):
        ag.record(_embedding_backward, (weight,), result,
                  SavedContext(input, weight_shape=weight._data.shape, padding_idx=padding_idx,
                               scale_grad_by_freq=scale_grad_by_freq))
    return result


# ============================================================= layer_norm
def _norm_dims(input: Tensor, shape) -> tuple:
    count = len(shape)
    return tuple(range(input.ndim - count, input.ndim))


@backward("NativeLayerNormBackward0")
def _layer_norm_backward(ctx, grad):
    input, weight, bias = ctx.saved_tensors
    dims = ctx.dims
    n = ctx.count
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    rstd = ops.rsqrt(ops.add_scalar(var, ctx.eps))
    xhat = centered * rstd
    g = grad * weight if weight is not None else grad
    grad_input = ops.mul_scalar(
        rstd * (ops.mul_scalar(g, n) - g.sum(dims, keepdim=True)
                - xhat * (g * xhat).sum(dims, keepdim=True)), 1.0 / n)
    batch = tuple(range(input.ndim - len(dims)))
    grad_weight = grad_bias = None
    if weight is not None:
        grad_weight = (grad * xhat).sum(batch) if batch else grad * xhat
    if bias is not None:
        grad_bias = grad.sum(batch) if batch else grad
    return grad_input, grad_weight, grad_bias


@table.op(function=False, method=False, out=False, functional=("layer_norm",),
          backward=(_layer_norm_backward,))
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalises over the trailing dimensions ``normalized_shape``:
    ``(x - mean) / sqrt(var + eps) * weight + bias`` (biased variance)."""
    _float_input(input, "layer_norm")
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    shape = tuple(normalized_shape)
    if input._data.shape[input.ndim - len(shape):] != shape or len(shape) > input.ndim:
        raise RuntimeError(f"layer_norm() normalises over the trailing dimensions "
                           f"{list(shape)}, but the input has shape {list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(f"layer_norm()'s {name} must have shape {list(shape)}, not "
                               f"{list(t.shape)}")
    dims = _norm_dims(input, shape)
    data = input._data
    if data.dtype == xp.float32 and data.size:
        # ATen's Welford cascade, rounded as it rounds (see kernels/moments.py).
        rows = data.reshape(-1, math.prod(shape))
        mean32, var32 = rowwise_moments(rows)
        keep = data.shape[:data.ndim - len(shape)] + (1,) * len(shape)
        mean32, var32 = mean32.reshape(keep), var32.reshape(keep)
    else:
        work = data.astype(xp.float64)
        mean = work.mean(axis=dims, keepdims=True)
        var = ((work - mean) ** 2).mean(axis=dims, keepdims=True)
        mean32, var32 = mean.astype(data.dtype), var.astype(data.dtype)
    # PyTorch's kernel: y = (x - mean) * rstd, then fma(y, weight, bias), in the input's
    # type, with rstd = 1 / sqrt(var + eps).
    rstd = data.dtype.type(1) / xp.sqrt(var32 + data.dtype.type(eps))
    with xp.errstate(all="ignore"):
        out = (data - mean32) * rstd
        if weight is not None:
            b = bias._data if bias is not None else xp.zeros_like(weight._data)
            out = fma(out, xp.broadcast_to(weight._data, out.shape),
                      xp.broadcast_to(b, out.shape).astype(out.dtype))
        elif bias is not None:
            out = out + bias._data
    result = new(out.astype(data.dtype), input._dtype)
    if ag.needs_grad(input, weight, bias):
        ag.record(_layer_norm_backward, (input, weight, bias), result,
                  SavedContext(input, weight, bias, dims=dims, eps=eps,
                               count=math.prod(shape)))
    return result


# ==================================================================== pad
def _pad_positions(size: int, before: int, after: int, mode: str):
    """Which input position each padded position reads."""
    positions = xp.arange(-before, size + after)
    if mode == "reflect":
        positions = xp.abs(positions)
        return xp.where(positions > size - 1, 2 * (size - 1) - positions, positions)
    return xp.clip(positions, 0, size - 1)


def _index_pad_backward_rule(name: str):
    @backward(name)
    def rule(ctx, grad):
        for dim, index in reversed(ctx.indices):
            size = ctx.shape[dim]
            shape = list(grad.shape)
            shape[dim] = size
            zeros = ops.zeros(tuple(shape), dtype=grad.dtype)
            grad = ops.index_add(zeros, dim, new(index, dt.int64), grad)
        return (grad,)

    return rule


_PAD_RULES = {(mode, k): _index_pad_backward_rule(f"{label}Pad{k}DBackward0")
              for mode, label in (("reflect", "Reflection"), ("replicate", "Replication"))
              for k in (1, 2, 3)}


def _index_pad(input: Tensor, pad: list, mode: str) -> Tensor:
    """``reflect`` / ``replicate`` padding of the last 1, 2 or 3 dimensions."""
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"pad() mode {mode!r} pads the last 1 to 3 dimensions of a "
                                  f"batched or unbatched input; {len(pad)} widths do not fit a "
                                  f"{input.ndim}-D input")
    data = input._data
    indices = []
    for i in range(k):
        dim = input.ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        size = data.shape[dim]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(f"pad() reflect needs widths smaller than the padded dimension "
                               f"(size {size}), but got ({before}, {after})")
        if mode == "replicate" and size == 0:
            raise RuntimeError("pad() replicate cannot pad an empty dimension")
        index = _pad_positions(size, before, after, mode)
        data = xp.take(data, index, axis=dim)
        indices.append((dim, index))
    result = new(xp.ascontiguousarray(data), input._dtype)
    rule = _PAD_RULES[(mode, k)]
    if ag.needs_grad(input):
        ag.record(rule, (input,), result, SavedContext(indices=indices, shape=input._data.shape))
    return result


@backward("ConstantPadNdBackward0")
def _constant_pad_backward(ctx, grad):
    return (pad(grad, [-width for width in ctx.pad]),)


@table.op(function=False, method=False, out=False, functional=("pad",),
          backward=(_constant_pad_backward, *_PAD_RULES.values()))
def pad(input, pad, mode="constant", value=None):
    """Pads the last ``len(pad) // 2`` dimensions: ``pad`` lists (before, after) widths,
    last dimension first. Only ``mode='constant'`` is available."""
    require_tensor(input, "pad")
    pad = list(pad)
    if len(pad) % 2:
        raise RuntimeError(f"pad() takes pairs of widths, but got {len(pad)} numbers")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"pad() got widths for {len(pad) // 2} dimensions, but the input "
                           f"has only {input.ndim}")
    if mode in ("reflect", "replicate"):
        return _index_pad(input, pad, mode)
    if mode != "constant":
        raise NotImplementedError(f"pad() mode {mode!r} is not available in gradcli; "
                                  "'constant', 'reflect' and 'replicate' are")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        widths[input.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    data = input._data
    # Negative widths crop, as in PyTorch.
    crop = tuple(slice(max(-b, 0), data.shape[d] - max(-a, 0))
                 for d, (b, a) in enumerate(widths))
    cropped = data[crop]
    grow = [(max(b, 0), max(a, 0)) for b, a in widths]
    fill = 0 if value is None else value
    out = xp.pad(cropped, grow, mode="constant",
                 constant_values=xp.asarray(fill).astype(data.dtype))
    result = new(out, input._dtype)
    if ag.needs_grad(input):
        ag.record(_constant_pad_backward, (input,), result, SavedContext(pad=pad))
    return result


# ==================================================== distances and similarities
@table.op(function=False, method=False, out=False, functional=("cosine_similarity",),
          composes=("sum", "mul", "div", "norm", "clone"))
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``sum(x1 * x2) / (max(|x1|, eps) * max(|x2|, eps))`` along ``dim``: each input
    is divided by its (clamped) norm first, then the products are summed."""
    require_tensor(x1, "cosine_similarity")
    require_tensor(x2, "cosine_similarity", "x2", 2)
    ndim = max(x1.ndim, x2.ndim)
    d = wrap_dim(dim, ndim)
    # ATen clamps copies of the norms in place outside the graph (CloneBackward0 edges).
    n1 = x1.norm(2, d, keepdim=True).clone()
    n2 = x2.norm(2, d, keepdim=True).clone()
    with ag.no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(d)


@backward("NormBackward1")
def _norm_backward(ctx, grad):
    (diff, norm) = ctx.saved_tensors
    p, dim = ctx.p, ctx.dim
    if not ctx.keepdim:
        grad, norm = ops.unsqueeze(grad, dim), ops.unsqueeze(norm, dim)
    if p == 0:
        return (ops.zeros_like(diff),)
    if p == 1:
        return (grad * diff.sign(),)
    if math.isinf(p):
        hit = (diff.abs() == norm)
        count = hit.sum(dim, keepdim=True)
        return (grad * diff.sign() * hit / count,)
    if p == 2:
        scale = ops.masked_fill(grad / norm, norm == 0, 0)
        return (diff * scale,)
    scale = ops.masked_fill(grad / norm.pow(p - 1), norm == 0, 0)
    return (diff * diff.abs().pow(p - 2) * scale,)


@table.op(function=False, method=False, out=False, functional=("pairwise_distance",),
          backward=(_norm_backward,), composes=("sub",))
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``norm(x1 - x2 + eps, p)`` along the last dimension (``NormBackward1``, as ATen's
    ``at::norm`` records it)."""
    require_tensor(x1, "pairwise_distance")
    require_tensor(x2, "pairwise_distance", "x2", 2)
    dim = max(x1.ndim, x2.ndim) - 1
    diff = ops.add_scalar(x1 - x2, eps)
    with ag.no_grad():
        norm = ops.norm(diff.detach(), p, dim, keepdim)
    result = new(norm._data, norm._dtype)
    if ag.needs_grad(diff):
        ag.record(_norm_backward, (diff,), result,
                  SavedContext(diff, result, p=p, dim=dim, keepdim=keepdim))
    return result


@table.op(function=False, method=False, out=False, functional=("gumbel_softmax",),
          composes=("softmax", "div", "add"))
def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A softmax of ``(logits + g) / tau`` with Gumbel noise ``g = -log(Exp(1))`` drawn
    from the generator as PyTorch draws it; ``hard=True`` gives one-hot values whose
    gradient is the soft sample's."""
    require_tensor(logits, "gumbel_softmax")
    with ag.no_grad():
        noise = ops.empty_like(logits)
        noise.exponential_()
        gumbels = -noise.log()
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = ops.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
