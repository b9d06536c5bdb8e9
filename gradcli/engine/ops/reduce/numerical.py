"""Numerical reductions written with tensor ops: ``quantile``/``nanquantile``, ``cov``,
``corrcoef``, ``trapezoid``, ``cumulative_trapezoid``, ``gradient`` and ``renorm``.

They follow PyTorch's implementations step by step (sorting then interpolating for
quantiles; the mean-centred product for ``cov``), so values and gradients agree;
``renorm`` records its own node with ``derivatives.yaml``'s formula.
"""

from __future__ import annotations

import numbers

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor, wrap_dim
from ..common import new, require_tensor
from ..registry import OpTable

table = OpTable("reduce.numerical")

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


# ============================================================ quantile
def _quantile(input, q, dim, keepdim, interpolation, ignore_nan: bool, name: str):
    require_tensor(input, name)
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"{name}() works on float tensors, but got {input._dtype!r}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}(): interpolation must be one of "
                           f"{', '.join(_INTERPOLATIONS)}, not {interpolation!r}")
    scalar_q = not isinstance(q, Tensor)
    qs = xp.asarray([q] if scalar_q else q._data, dtype=xp.float64).reshape(-1)
    if not scalar_q and q.ndim > 1:
        raise RuntimeError(f"{name}() takes q as a number or a 1-dimensional tensor")
    if ((qs < 0) | (qs > 1)).any():
        raise RuntimeError(f"{name}(): q values must lie in [0, 1]")
    if input._data.size == 0:
        raise RuntimeError(f"{name}() needs a non-empty input")
    source = ops.flatten(input) if dim is None else input
    d = 0 if dim is None else wrap_dim(dim, max(input.ndim, 1))
    if source.ndim == 0:
        source = ops.reshape(source, (1,))
    ordered = ops.movedim(ops.sort(source, d).values, d, -1)
    if keepdim:  # the reduced dims stay as size 1, ahead of the sorted one
        if dim is None:
            ordered = ops.view(ordered, (1,) * input.ndim + (ordered.shape[-1],))
        else:
            ordered = ops.unsqueeze(ordered, d)
    data = ordered._data
    n = data.shape[-1]
    nan = xp.isnan(data)
    if ignore_nan:
        valid = (~nan).sum(-1, keepdims=True)
        ranks = qs * (valid - 1)
        ranks = xp.where(valid == 0, n - 1, ranks)
    else:
        ranks = xp.broadcast_to(qs * (n - 1), data.shape[:-1] + (qs.size,))
        ranks = xp.where(nan.any(-1, keepdims=True), n - 1, ranks)
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)
    below = xp.floor(ranks).astype(xp.int64)
    values = ops.gather(ordered, -1, new(below, dt.int64))
    if interpolation in ("linear", "midpoint"):
        above = xp.ceil(ranks).astype(xp.int64)
        weights = ranks - below if interpolation == "linear" else xp.full(ranks.shape, 0.5)
        upper = ops.gather(ordered, -1, new(above, dt.int64))
        values = ops.lerp(values, upper, new(weights.astype(data.dtype), input._dtype))
    # q's dim goes first, with in-place squeezes as PyTorch's (SqueezeBackward4 on top).
    # (PyTorch transposes in place; gradcli copies, as its in-place ops on views go
    # through AsStridedBackward0.)
    if not scalar_q:
        values = ops.clone(ops.unsqueeze(ops.movedim(values, -1, 0), -1))
    return values.squeeze_(-1)


@table.op(composes=("sort", "gather", "lerp", "movedim", "clone", "unsqueeze", "flatten", "view"))
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-th quantiles along ``dim`` (of all values by default); a slice with nan
    gives nan."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


@table.op(composes=("sort", "gather", "lerp", "movedim", "clone", "unsqueeze", "flatten", "view"))
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` that leaves nan out (a slice of nan only gives nan)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


# ========================================================== cov, corrcoef
@table.op(composes=("mean", "sum", "sub", "mm", "div", "squeeze", "mul"), out=False)
def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (observations in
    columns), with optional frequency and importance weights."""
    require_tensor(input, "cov")
    if input.ndim > 2:
        raise RuntimeError(f"cov() takes at most 2 dimensions, but the input has {input.ndim}")
    x = ops.view(input, (1, -1)) if input.ndim < 2 else input
    if x._dtype.category != dt.FLOAT:
        x = ops.to_dtype(x, dt.get_default_dtype())
    observations = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        avg = ops.mean(x, 1)
        norm_factor = observations - correction
    else:
        w_sum = ops.sum(w)
        avg = ops.sum(x * w, 1) / w_sum
        if aweights is None:
            norm_factor = w_sum - correction
        else:
            norm_factor = w_sum - ops.sum(w * aweights) / w_sum * correction
    if isinstance(norm_factor, Tensor):
        if (norm_factor._data <= 0).any():
            norm_factor = ops.zeros_like(norm_factor)
    elif norm_factor <= 0:
        norm_factor = 0
    xm = x - ops.unsqueeze(avg, 1)
    product = ops.mm(xm, ops.t(xm if w is None else xm * w))
    with xp.errstate(divide="ignore", invalid="ignore"):
        return ops.squeeze(product / norm_factor)


@table.op(composes=("cov", "diagonal", "sqrt", "view", "div", "clamp"), out=False)
def corrcoef(input):
    """The Pearson correlation coefficients of the variables in the rows of ``input``."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    stddev = ops.sqrt(ops.diagonal(c))
    c = c / ops.view(stddev, (-1, 1))
    c = c / ops.view(stddev, (1, -1))
    return ops.clamp(c, -1, 1)


# =========================================================== trapezoid
def _ends(y, d):
    n = y.shape[d]
    return ops.narrow(y, d, 1, n - 1), ops.narrow(y, d, 0, n - 1)


def _spacing(y, x, d, name):
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{name}(): x has {x.shape[0]} points but y has {y.shape[d]} "
                               f"along dim {d}")
        spacing = ops.diff(x)
        shape = [1] * y.ndim
        shape[d] = spacing.shape[0]
        return ops.view(spacing, shape)
    return ops.diff(x, dim=d)


@table.op(method=False, composes=("sum", "select", "add", "mul", "diff", "div", "narrow",
                                  "view"))
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along ``dim``: samples ``y`` at points ``x`` (or ``dx`` apart,
    1 by default)."""
    require_tensor(y, "trapezoid", "y")
    d = wrap_dim(dim, y.ndim)
    if x is not None and dx is not None:
        raise TypeError("trapezoid() takes x or dx, not both")
    if y.shape[d] == 0:
        return ops.sum(y, d)
    if isinstance(x, Tensor):
        right, left = _ends(y, d)
        return ops.div_scalar(ops.sum(_spacing(y, x, d, "trapezoid") * (right + left), d), 2.0)
    step = 1 if dx is None else dx
    if isinstance(x, numbers.Number):
        step = x
    ends = ops.select(y, d, 0) + ops.select(y, d, -1)
    return ops.mul_scalar(ops.sum(y, d) - ops.mul_scalar(ends, 0.5), step)


@table.op(method=False, composes=("cumsum", "add", "mul", "diff", "div", "narrow", "view"))
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal rule along ``dim`` (one value fewer than ``y``)."""
    require_tensor(y, "cumulative_trapezoid", "y")
    d = wrap_dim(dim, y.ndim)
    if x is not None and dx is not None:
        raise TypeError("cumulative_trapezoid() takes x or dx, not both")
    right, left = _ends(y, d)
    if isinstance(x, Tensor):
        spacing = _spacing(y, x, d, "cumulative_trapezoid")
        return ops.div_scalar(ops.cumsum(spacing * (right + left), d), 2.0)
    step = 1 if dx is None else dx
    if isinstance(x, numbers.Number):
        step = x
    return ops.cumsum(ops.mul_scalar(right + left, step / 2.0), d)


# ============================================================ gradient
@table.op(method=False, composes=("narrow", "sub", "div", "cat"), out=False)
def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimates the derivative along each of ``dim`` (all by default) by central
    differences inside and one-sided ones at the edges; ``spacing`` is a number, one
    number per dim, or the coordinates of the samples (one tensor per dim). A tuple,
    one tensor per dim."""
    require_tensor(input, "gradient")
    if edge_order != 1:
        raise NotImplementedError("gradient() supports edge_order=1 only in gradcli")
    dims = tuple(range(input.ndim)) if dim is None else \
        ((dim,) if isinstance(dim, numbers.Integral) else tuple(dim))
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    steps = list(spacing) if isinstance(spacing, (list, tuple)) else [spacing] * len(dims)
    if len(steps) != len(dims):
        raise RuntimeError(f"gradient(): {len(steps)} spacings for {len(dims)} dims")
    source = input if input._dtype.category == dt.FLOAT else \
        ops.to_dtype(input, dt.get_default_dtype())
    results = []
    for d, h in zip(dims, steps):
        n = source.shape[d]
        if n < 2:
            raise RuntimeError(f"gradient() needs at least 2 points along dim {d}, but it "
                               f"has {n}")
        if isinstance(h, Tensor):
            results.append(_gradient_at(source, h, d))
            continue
        first = ops.div_scalar(ops.narrow(source, d, 1, 1) - ops.narrow(source, d, 0, 1), h)
        last = ops.div_scalar(ops.narrow(source, d, n - 1, 1) - ops.narrow(source, d, n - 2, 1),
                              h)
        inner = ops.div_scalar(ops.narrow(source, d, 2, n - 2) - ops.narrow(source, d, 0, n - 2),
                               2 * h)
        results.append(ops.cat([first, inner, last], d))
    return tuple(results)


def _gradient_at(source, coordinates, d: int):
    """One dim of ``gradient`` at the given coordinates (PyTorch's non-uniform stencil)."""
    n = source.shape[d]
    if coordinates.ndim != 1 or coordinates.shape[0] != n:
        raise RuntimeError(f"gradient(): the coordinates along dim {d} must be a 1-dimensional "
                           f"tensor of {n} values")
    steps = ops.diff(coordinates)
    shape = [1] * source.ndim
    shape[d] = n - 2
    dx1, dx2 = ops.narrow(steps, 0, 0, n - 2), ops.narrow(steps, 0, 1, n - 2)
    a = ops.reshape(-dx2 / (dx1 * (dx1 + dx2)), shape)
    b = ops.reshape((dx2 - dx1) / (dx1 * dx2), shape)
    c = ops.reshape(dx1 / (dx2 * (dx1 + dx2)), shape)
    center = (a * ops.narrow(source, d, 0, n - 2) + b * ops.narrow(source, d, 1, n - 2)
              + c * ops.narrow(source, d, 2, n - 2))
    first = (ops.narrow(source, d, 1, 1) - ops.narrow(source, d, 0, 1)) / ops.select(steps, 0, 0)
    last = (ops.narrow(source, d, n - 1, 1) - ops.narrow(source, d, n - 2, 1)) / \
        ops.select(steps, 0, n - 2)
    return ops.cat([first, center, last], d)


# ============================================================== renorm
@backward("RenormBackward0")
def _renorm_backward(ctx, grad):
    (input,) = ctx.saved_tensors
    dims, p, maxnorm = ctx.dims, ctx.p, ctx.maxnorm
    norm = ops.vector_norm(input, p, dims, True)
    grad_output = ops.sum(input * grad, dims, True)
    nb = ops.norm_backward(grad_output, input, p, norm, dims, dims, True)
    invnorm = ops.add_scalar(norm, 1e-7).reciprocal()
    factor = ops.mul_scalar(invnorm, maxnorm)
    return (ops.where(norm > maxnorm, factor * grad - (factor * invnorm) * nb, grad),)


@table.op(inplace=True, backward=(_renorm_backward,))
def renorm(input, p, dim, maxnorm):
    """Rescales each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` to that norm."""
    require_tensor(input, "renorm")
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"renorm() works on float tensors, but got {input._dtype!r}")
    if p <= 0 or maxnorm < 0:
        raise RuntimeError(f"renorm() needs p > 0 and maxnorm >= 0, but got p={p}, "
                           f"maxnorm={maxnorm}")
    d = wrap_dim(dim, input.ndim)
    dims = tuple(i for i in range(input.ndim) if i != d)
    with ag.no_grad():
        norm = ops.vector_norm(input, float(p), dims, True)._data
    data = input._data
    wide = xp.float64
    factor = xp.where(norm > maxnorm, maxnorm / (norm.astype(wide) + 1e-7), 1.0)
    value = (data.astype(wide) * factor).astype(data.dtype) if data.dtype != wide else \
        data * factor
    result = new(xp.ascontiguousarray(value), input._dtype)
    if ag.needs_grad(input):
        ag.record(_renorm_backward, (input,), result,
                  SavedContext(input, dims=dims, p=float(p), maxnorm=maxnorm))
    return result



