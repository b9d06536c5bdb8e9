"""Special functions of two arguments: the Hurwitz ``zeta`` and the regularized
incomplete gamma functions ``gammainc``/``gammaincc`` (``torch.special`` only).

Forwards are Cephes' (``zeta``, ``igam``, ``igamc``) in float64, rounded once. As
in PyTorch, only the second argument is differentiable: a gradient for the first
is an error at backward time.
"""

from __future__ import annotations

import math

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ..common import not_implemented_for
from ..registry import OpTable
from .arithmetic import sub_scalar
from .special import _float_binary, _lgamma_scalar, _scalar_tensor, _zeta_scalar

table = OpTable("special_binary")

_MACHEP = 1.11022302462515654042E-16
_MAXLOG = 7.09782712893383996843E2
_BIG = 4.503599627370496e15


def _igam_series(a: float, x: float) -> float:
    ax = a * math.log(x) - x - _lgamma_scalar(a)
    if ax < -_MAXLOG:
        return 0.0
    ax = math.exp(ax)
    r, c, total = a, 1.0, 1.0
    while True:
        r += 1
        c *= x / r
        total += c
        if c / total <= _MACHEP:
            return total * ax / a


def _igamc_fraction(a: float, x: float) -> float:
    ax = a * math.log(x) - x - _lgamma_scalar(a)
    if ax < -_MAXLOG:
        return 0.0
    ax = math.exp(ax)
    y, z, c = 1.0 - a, x + 2.0 - a, 0.0
    pkm2, qkm2, pkm1, qkm1 = 1.0, x, x + 1.0, z * x
    total = pkm1 / qkm1
    while True:
        c += 1
        y += 1
        z += 2
        yc = y * c
        pk, qk = pkm1 * z - pkm2 * yc, qkm1 * z - qkm2 * yc
        if qk != 0:
            r = pk / qk
            t = abs((total - r) / r)
            total = r
        else:
            t = 1.0
        pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
        if abs(pk) > _BIG:
            pkm2, pkm1, qkm2, qkm1 = (v / _BIG for v in (pkm2, pkm1, qkm2, qkm1))
        if t <= _MACHEP:
            return total * ax


def _gammainc_scalar(a: float, x: float) -> float:
    if a < 0 or x < 0 or math.isnan(a) or math.isnan(x):
        return math.nan
    if a == 0:
        return 1.0 if x > 0 else math.nan
    if x == 0:
        return 0.0
    if math.isinf(a):
        return math.nan if math.isinf(x) else 0.0
    if math.isinf(x):
        return 1.0
    if x > 1 and x > a:
        return 1.0 - _igamc_fraction(a, x)
    return _igam_series(a, x)


def _gammaincc_scalar(a: float, x: float) -> float:
    if a < 0 or x < 0 or math.isnan(a) or math.isnan(x):
        return math.nan
    if a == 0:
        return 0.0 if x > 0 else math.nan
    if x == 0:
        return 1.0
    if math.isinf(a):
        return math.nan if math.isinf(x) else 1.0
    if math.isinf(x):
        return 0.0
    if x < 1 or x < a:
        return 1.0 - _igam_series(a, x)
    return _igamc_fraction(a, x)


def _pairwise(scalar_fn):
    ufunc = xp.frompyfunc(scalar_fn, 2, 1)
    return lambda a, b: xp.asarray(ufunc(a, b), dtype=xp.float64)


def _first_not_differentiable(name: str):
    raise RuntimeError(f"{name}() is not differentiable with respect to its first argument "
                       "(PyTorch has no formula for it either)")


def _record(input, other, result, nodes, ctx_values):
    tensor_in, tensor_other = hasattr(input, "_dtype"), hasattr(other, "_dtype")
    if tensor_in and tensor_other:
        if ag.needs_grad(input, other):
            ctx = SavedContext(input, other, need_self=input._requires_grad, **ctx_values)
            ag.record(nodes[0], (input, other), result, ctx)
    elif tensor_other:
        if ag.needs_grad(other):
            ag.record(nodes[1], (other,), result, SavedContext(other, scalar=input))
    elif ag.needs_grad(input):
        ag.record(nodes[2], (input,), result, SavedContext(input, scalar=other))


# ================================================================= zeta
def _zeta_grad(grad, x, q):
    return grad * -x * special_zeta(ops.add_scalar(x, 1.0), q)


@backward("SpecialZetaBackward0")
def _zeta_backward(ctx, grad):
    x, q = ctx.saved_tensors
    if ctx.need_self:
        _first_not_differentiable("special.zeta")
    return None, _zeta_grad(grad, x, q)


@backward("SpecialZetaBackward1")
def _zeta_scalar_self_backward(ctx, grad):
    (q,) = ctx.saved_tensors
    return (_zeta_grad(grad, _scalar_tensor(ctx.scalar, q), q),)


@backward("SpecialZetaBackward2")
def _zeta_scalar_other_backward(ctx, grad):
    _first_not_differentiable("special.zeta")


@table.op(function=False, method=False, qualified=("special.zeta",),
          backward=(_zeta_backward, _zeta_scalar_self_backward, _zeta_scalar_other_backward))
def special_zeta(input, other):
    """The Hurwitz zeta function ``sum_k (k + other) ** -input``."""
    result = _float_binary(input, other, _pairwise(_zeta_scalar), "special.zeta")
    _record(input, other, result, (_zeta_backward, _zeta_scalar_self_backward,
                                   _zeta_scalar_other_backward), {})
    return result


# ====================================================== gammainc, gammaincc
def _gammainc_grad(grad, a, x, sign: float):
    density = (sub_scalar(a, 1.0) * x.log() - x - ops.lgamma(a)).exp()
    return grad * density if sign > 0 else -grad * density


def _make_gammainc(name: str, scalar_fn, sign: float, node_name: str):
    # PyTorch has only the Tensor-Tensor overload (a number is a TypeError).

    def rule(ctx, grad):
        a, x = ctx.saved_tensors
        if ctx.need_self:
            _first_not_differentiable(f"special.{name}")
        return None, _gammainc_grad(grad, a, x, sign)

    node = backward(node_name)(rule)

    def op(input, other):
        for arg, value in (("input", input), ("other", other)):
            if not hasattr(value, "_dtype"):
                raise TypeError(f"special.{name}() expects a tensor for argument '{arg}', "
                                f"not a value of type {type(value).__name__}")
        if input._dtype.category != dt.FLOAT and other._dtype.category != dt.FLOAT:
            raise not_implemented_for(f"special.{name}()", dt.result_type(input, other))
        result = _float_binary(input, other, _pairwise(scalar_fn), f"special.{name}")
        a, x = input, other
        if ag.needs_grad(a, x):
            ag.record(node, (a if a._requires_grad else None, x), result,
                      SavedContext(a, x, need_self=a._requires_grad))
        return result

    op.__name__ = f"special_{name}"
    op.__doc__ = (f"The regularized {'lower' if sign > 0 else 'upper'} incomplete gamma "
                  f"function {'P' if sign > 0 else 'Q'}(input, other).")
    return table.op(function=False, method=False, qualified=(f"special.{name}",),
                    backward=(node,))(op)


special_gammainc = _make_gammainc("gammainc", _gammainc_scalar, 1.0, "IgammaBackward0")
special_gammaincc = _make_gammainc("gammaincc", _gammaincc_scalar, -1.0, "IgammacBackward0")
