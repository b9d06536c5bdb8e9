"""Special functions: the gamma family (lgamma, digamma, polygamma, mvlgamma), erfinv,
xlogy, sinc, the Bessel functions i0/i1 (and their scaled forms), the normal
distribution (ndtr, ndtri, log_ndtr), erfcx and entr.

The forwards follow PyTorch's CPU kernels (``aten/src/ATen/native/Math.h``,
Cephes underneath): ``calc_digamma``, ``calc_trigamma``, ``zeta``,
``calc_erfinv`` with its two Newton steps, computed in float64 and rounded once.
Ops that ``torch`` has bare (``torch.lgamma``) are also methods; those that only
``torch.special`` has are declared with ``function=False, method=False``.
Backward rules are those of ``derivatives.yaml``.
"""

from __future__ import annotations

import math

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ..common import float_dtype_of, require_tensor
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _binary
from .arithmetic import add_scalar, mul_scalar
from .unary import Unary, _unary_backward

table = OpTable("special")


def _vectorized(scalar_fn):
    """A float64 array function from a function of one Python float."""
    ufunc = xp.frompyfunc(scalar_fn, 1, 1)
    return lambda a: xp.asarray(ufunc(a.astype(xp.float64)), dtype=xp.float64).astype(a.dtype)


def special_unary(forward, node_name: str, *, torch_name: bool = False, qualified=(),
                  saves="x", domain=(-2.0, 2.0), name=None, precise="f64"):
    """Declares a float function of one tensor from its forward and its derivative
    ``def NAME(g, x, y)`` (as :func:`~.unary.unary` does), on this module's table.

    ``torch_name`` makes it ``torch.NAME`` and ``Tensor.NAME`` (with ``NAME_``);
    otherwise it is only reachable through ``qualified`` (``"special.ndtr"``).
    """

    def declare(derivative):
        op_name = name or derivative.__name__
        node = Backward(node_name, _unary_backward)
        shown = op_name if torch_name else qualified[0]
        spec = Unary(shown, forward, node, derivative, saves=saves, precise=precise)

        def op(input):
            return spec(input)

        op.__name__ = op_name
        op.__doc__ = derivative.__doc__
        return table.op(name=op_name, inplace=torch_name, function=torch_name,
                        method=torch_name, backward=(node,), domain=(domain,),
                        qualified=qualified)(op)

    return declare


# =============================================================== gamma
_PSI_10 = 2.25175258906672110764
_PSI_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
          -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
          8.33333333333333333333E-2)


def _digamma_scalar(x: float) -> float:
    """PyTorch's ``calc_digamma`` (Cephes ``psi``)."""
    if x == 0:
        return math.copysign(math.inf, -x)
    if math.isnan(x) or x == math.inf:
        return x
    if x < 0:
        if x == math.trunc(x):
            return math.nan
        r = math.modf(x)[0]
        return _digamma_scalar(1 - x) - math.pi / math.tan(math.pi * r)
    result = 0.0
    while x < 10:
        result -= 1 / x
        x += 1
    if x == 10:
        return result + _PSI_10
    y = 0.0
    if x < 1.0e17:
        z = 1.0 / (x * x)
        poly = _PSI_A[0]
        for c in _PSI_A[1:]:
            poly = poly * z + c
        y = z * poly
    return result + math.log(x) - (0.5 / x) - y


def _trigamma_scalar(x: float) -> float:
    """PyTorch's ``calc_trigamma``."""
    sign, result = 1.0, 0.0
    if x < 0.5:
        sign = -1.0
        sin_pi_x = math.sin(math.pi * x)
        if sin_pi_x == 0:
            return math.inf
        result -= (math.pi * math.pi) / (sin_pi_x * sin_pi_x)
        x = 1 - x
    for _ in range(6):
        result += 1 / (x * x)
        x += 1
    ixx = 1 / (x * x)
    result += (1 + 1 / (2 * x) + ixx * (1. / 6 - ixx * (1. / 30 - ixx * (1. / 42)))) / x
    return sign * result


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)
_MACHEP = 1.11022302462515654042E-16


def _zeta_scalar(x: float, q: float) -> float:
    """The Hurwitz zeta function (Cephes ``zeta``, as PyTorch's kernel)."""
    if x == 1:
        return math.inf
    if x < 1:
        return math.nan
    if q <= 0:
        if q == math.floor(q):
            return math.inf
        if x != math.floor(x):
            return math.nan
    s = q ** -x
    a, i, b = q, 0, 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1
        b = a ** -x
        s += b
        if -_MACHEP * s < b < _MACHEP * s:
            return s
    w = a
    s += b * w / (x - 1)
    s -= 0.5 * b
    a, k = 1.0, 0.0
    for coefficient in _ZETA_A:
        a *= x + k
        b /= w
        t = a * b / coefficient
        s = s + t
        if abs(t / s) < _MACHEP:
            return s
        k += 1
        a *= x + k
        b /= w
        k += 1
    return s


def _polygamma_scalar(n: int, x: float) -> float:
    if n == 0:
        return _digamma_scalar(x)
    if n == 1:
        return _trigamma_scalar(x)
    return (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0)) * _zeta_scalar(n + 1, x)


def _lgamma_scalar(x: float) -> float:
    try:
        return math.lgamma(x)
    except ValueError:  # the poles 0, -1, -2...
        return math.inf


@special_unary(_vectorized(_lgamma_scalar), "LgammaBackward0", torch_name=True,
               qualified=("special.gammaln",), domain=(0.5, 3.0))
def lgamma(g, x, y):
    """The log of the absolute value of the gamma function."""
    return g * ops.digamma(x)


@special_unary(_vectorized(_digamma_scalar), "DigammaBackward0", torch_name=True,
               qualified=("special.digamma", "special.psi"), domain=(0.5, 3.0))
def digamma(g, x, y):
    """The logarithmic derivative of the gamma function."""
    return g * polygamma(1, x)


@backward("PolygammaBackward0")
def _polygamma_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return (grad * polygamma(ctx.n + 1, x),)


@table.op(self_arg=1, inplace=True, backward=(_polygamma_backward,),
          qualified=("special.polygamma",))
def polygamma(n, input):
    """The ``n``-th derivative of digamma (``n`` >= 0)."""
    require_tensor(input, "polygamma", "input", 2)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise RuntimeError(f"polygamma(n, input) needs a non-negative integer n, but got {n!r}")
    dtype = float_dtype_of(input)
    kernel = xp.frompyfunc(lambda v: _polygamma_scalar(n, v), 1, 1)
    data = input._data.astype(xp.float64)
    result = new(xp.asarray(kernel(data), dtype=xp.float64).astype(dtype.np), dtype)
    if ag.needs_grad(input):
        ag.record(_polygamma_backward, (input,), result, SavedContext(input, n=n))
    return result


@backward("MvlgammaBackward0")
def _mvlgamma_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    p = ctx.p
    args = ops.arange(-p / 2 + 0.5, 0.5, 0.5, dtype=x._dtype)
    args = args + ops.unsqueeze(x, -1)
    return (grad * ops.sum(ops.digamma(args), -1),)


@table.op(inplace=True, backward=(_mvlgamma_backward,), qualified=("special.multigammaln",))
def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension ``p``."""
    require_tensor(input, "mvlgamma")
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise RuntimeError(f"mvlgamma() needs an integer p >= 1, but got {p!r}")
    dtype = float_dtype_of(input)
    data = input._data.astype(xp.float64)
    args = xp.arange(-p / 2 + 0.5, 0.5, 0.5) + data[..., None]
    values = _vectorized(_lgamma_scalar)(args).sum(-1) + p * (p - 1) * math.log(math.pi) / 4
    result = new(values.astype(dtype.np), dtype)
    if ag.needs_grad(input):
        ag.record(_mvlgamma_backward, (input,), result, SavedContext(input, p=p))
    return result


# ================================================================ erfinv
_ERFINV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_ERFINV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_ERFINV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ERFINV_D = (3.543889200, 1.637067800)


def _erfinv_scalar(y: float) -> float:
    """PyTorch's ``calc_erfinv``: a rational guess refined by two Newton steps."""
    a, b, c, d = _ERFINV_A, _ERFINV_B, _ERFINV_C, _ERFINV_D
    y_abs = abs(y)
    if y_abs > 1.0 or math.isnan(y):
        return math.nan
    if y_abs == 1.0:
        return math.copysign(math.inf, y)
    if y_abs <= 0.7:
        z = y * y
        num = ((a[3] * z + a[2]) * z + a[1]) * z + a[0]
        dem = (((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + 1.0
        x = y * num / dem
    else:
        z = math.sqrt(-math.log((1.0 - y_abs) / 2.0))
        num = ((c[3] * z + c[2]) * z + c[1]) * z + c[0]
        dem = (d[1] * z + d[0]) * z + 1.0
        x = math.copysign(num, y) / dem
    for _ in range(2):
        x = x - (math.erf(x) - y) / ((2.0 / math.sqrt(math.pi)) * math.exp(-x * x))
    return x


@special_unary(_vectorized(_erfinv_scalar), "ErfinvBackward0", torch_name=True,
               qualified=("special.erfinv",), domain=(-0.9, 0.9))
def erfinv(g, x, y):
    """The inverse of ``erf`` on (-1, 1)."""
    return mul_scalar(ops.erfinv(x).pow(2).exp(), 0.5 * math.sqrt(math.pi)) * g


# ============================================================ xlogy
@backward("XlogyBackward0")
def _xlogy_backward(ctx, grad):
    x, y = ctx.saved_tensors
    gx = gy = None
    if x is not None and y is not None:
        zero = (x == 0.0).logical_and(y <= 0.0)
        gx = ops.masked_fill(xlogy(grad, y), zero, 0.0)
        gy = grad * x / y
    return gx, gy


@backward("XlogyBackward1")
def _xlogy_scalar_self_backward(ctx, grad):
    (y,) = ctx.saved_tensors
    return (mul_scalar(grad, ctx.scalar) / y,)


@backward("XlogyBackward2")
def _xlogy_scalar_other_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    zero = (x == 0.0).logical_and(_scalar_tensor(ctx.scalar, x) <= 0.0)
    return (ops.masked_fill(xlogy(grad, ctx.scalar), zero, 0.0),)


def _scalar_tensor(value, like):
    return new(xp.asarray(value, dtype=like._data.dtype), like._dtype)


def _xlogy_values(x, y):
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = x * xp.log(y)
    return xp.where(xp.isnan(y), xp.nan, xp.where(x == 0, 0, out)).astype(out.dtype)


def _xlog1py_values(x, y):
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = x * xp.log1p(y)
    return xp.where(xp.isnan(y), xp.nan, xp.where(x == 0, 0, out)).astype(out.dtype)


def _float_binary(input, other, fn, name: str):
    from_tensor = [v for v in (input, other) if hasattr(v, "_dtype")]
    if not from_tensor:
        raise TypeError(f"{name}() needs at least one tensor argument")
    target = dt.result_type(input, other)
    if target.category != dt.FLOAT:
        target = dt.get_default_dtype()
    return _binary(input, other, lambda a, b: fn(a.astype(xp.float64), b.astype(xp.float64))
                   .astype(target.np), name, target)


@table.op(inplace=True, qualified=("special.xlogy",),
          backward=(_xlogy_backward, _xlogy_scalar_self_backward, _xlogy_scalar_other_backward),
          domain=((-2.0, 2.0), (0.2, 3.0)))
def xlogy(input, other):
    """``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is nan)."""
    result = _float_binary(input, other, _xlogy_values, "xlogy")
    _record_xlog(input, other, result, (_xlogy_backward, _xlogy_scalar_self_backward,
                                        _xlogy_scalar_other_backward))
    return result


def _record_xlog(input, other, result, nodes):
    tensor_in, tensor_other = hasattr(input, "_dtype"), hasattr(other, "_dtype")
    if tensor_in and tensor_other:
        if ag.needs_grad(input, other):
            ag.record(nodes[0], (input, other), result, SavedContext(input, other))
    elif tensor_other:  # PyTorch's Scalar overloads have one edge, the tensor's
        if ag.needs_grad(other):
            ag.record(nodes[1], (other,), result, SavedContext(other, scalar=input))
    elif ag.needs_grad(input):
        ag.record(nodes[2], (input,), result, SavedContext(input, scalar=other))


@backward("SpecialXlog1PyBackward0")
def _xlog1py_backward(ctx, grad):
    x, y = ctx.saved_tensors
    zero = (x == 0.0).logical_and(y <= -1.0)
    return (ops.masked_fill(special_xlog1py(grad, y), zero, 0.0),
            grad * x / add_scalar(y, 1))


@backward("SpecialXlog1PyBackward1")
def _xlog1py_scalar_self_backward(ctx, grad):
    (y,) = ctx.saved_tensors
    return (mul_scalar(grad, ctx.scalar) / add_scalar(y, 1),)


@backward("SpecialXlog1PyBackward2")
def _xlog1py_scalar_other_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    zero = (x == 0.0).logical_and(_scalar_tensor(ctx.scalar, x) <= -1.0)
    return (ops.masked_fill(special_xlog1py(grad, ctx.scalar), zero, 0.0),)


@table.op(function=False, method=False, qualified=("special.xlog1py",),
          backward=(_xlog1py_backward, _xlog1py_scalar_self_backward,
                    _xlog1py_scalar_other_backward),
          domain=((-2.0, 2.0), (-0.5, 2.0)))
def special_xlog1py(input, other):
    """``input * log1p(other)``, and 0 where ``input`` is 0 (unless ``other`` is nan)."""
    result = _float_binary(input, other, _xlog1py_values, "special.xlog1py")
    _record_xlog(input, other, result, (_xlog1py_backward, _xlog1py_scalar_self_backward,
                                        _xlog1py_scalar_other_backward))
    return result


# =============================================================== sinc, entr
def _sinc_values(a):
    # pi * x rounded in the input's dtype, as PyTorch's kernel does; then sin and the
    # quotient in float64, rounded once.
    product = (a * a.dtype.type(math.pi)).astype(xp.float64)
    with xp.errstate(invalid="ignore", divide="ignore"):
        return xp.where(a == 0, 1.0, xp.sin(product) / product).astype(a.dtype)


@special_unary(_sinc_values, "SincBackward0", torch_name=True, qualified=("special.sinc",),
               precise="")
def sinc(g, x, y):
    """``sin(pi x) / (pi x)``, 1 at 0 (the normalized sinc)."""
    x_pi = mul_scalar(x, math.pi)
    x2_pi = mul_scalar(x * x, math.pi)
    out = g * (x_pi * x_pi.cos() - x_pi.sin()) / x2_pi
    return ops.where(x2_pi == 0.0, _scalar_tensor(0.0, g), out)


def _entr_values(a):
    with xp.errstate(invalid="ignore", divide="ignore"):
        out = -a * xp.log(a)
    return xp.where(a > 0, out, xp.where(a == 0, 0.0, xp.where(a < 0, -xp.inf, a)))


@special_unary(_entr_values, "SpecialEntrBackward0", qualified=("special.entr",),
               name="special_entr", domain=(0.2, 3.0))
def special_entr(g, x, y):
    """``-x log(x)`` elementwise (0 at 0, -inf below)."""
    return g * -add_scalar(x.log(), 1)


# ============================================================== Bessel
def _i1_values(a):
    """The modified Bessel function I1, by its power series (all terms of one sign)."""
    x = a.astype(xp.float64)
    half = x / 2
    term = half.copy()
    total = term.copy()
    steps = int(min(2000, 40 + 2 * float(xp.max(xp.abs(x), initial=0))))
    for k in range(1, steps):
        term = term * half * half / (k * (k + 1))
        total = total + term
    return total.astype(a.dtype)


def _i0e_values(a):
    x = a.astype(xp.float64)
    with xp.errstate(over="ignore", invalid="ignore"):
        return xp.where(xp.abs(x) < 700, xp.i0(x) * xp.exp(-xp.abs(x)),
                        _large_bessel(xp.abs(x), 0)).astype(a.dtype)


def _i1e_values(a):
    x = a.astype(xp.float64)
    with xp.errstate(over="ignore", invalid="ignore"):
        return xp.where(xp.abs(x) < 700, _i1_values(xp.minimum(xp.abs(x), 700)) * xp.sign(x)
                        * xp.exp(-xp.abs(x)),
                        xp.sign(x) * _large_bessel(xp.abs(x), 1)).astype(a.dtype)


def _large_bessel(x, order: int):
    """``exp(-x) I_order(x)`` for large x (the asymptotic series)."""
    mu = 4.0 * order * order
    x = xp.maximum(x, 1.0)
    return (1 - (mu - 1) / (8 * x) + (mu - 1) * (mu - 9) / (2 * (8 * x) ** 2)) / \
        xp.sqrt(2 * math.pi * x)


@special_unary(lambda a: xp.i0(a.astype(xp.float64)).astype(a.dtype), "I0Backward0",
               torch_name=True, qualified=("special.i0",))
def i0(g, x, y):
    """The modified Bessel function of the first kind, order 0."""
    return g * ops.special_i1(x)


def _tiny_safe(x, gradx_fn, at_zero: float):
    eps = float(xp.finfo(x._data.dtype).eps)
    not_tiny = x.abs() > eps
    safe = ops.where(not_tiny, x, _scalar_tensor(eps, x))
    return ops.where(not_tiny, gradx_fn(safe), _scalar_tensor(at_zero, x))


@special_unary(_i1_values, "SpecialI1Backward0", qualified=("special.i1",), name="special_i1",
               saves="xy")
def special_i1(g, x, y):
    """The modified Bessel function of the first kind, order 1."""
    return g * _tiny_safe(x, lambda s: s.i0() - y * s.reciprocal(), 0.5)


@special_unary(_i0e_values, "SpecialI0EBackward0", qualified=("special.i0e",),
               name="special_i0e", saves="xy")
def special_i0e(g, x, y):
    """``i0(x) * exp(-|x|)``."""
    return g * (ops.special_i1e(x) - x.sgn() * y)


@special_unary(_i1e_values, "SpecialI1EBackward0", qualified=("special.i1e",),
               name="special_i1e", saves="xy")
def special_i1e(g, x, y):
    """``i1(x) * exp(-|x|)``."""
    return g * _tiny_safe(x, lambda s: ops.special_i0e(s) - y * (s.sgn() + s.reciprocal()),
                          0.5)


# ==================================================== the normal distribution
_SQRT1_2 = 0.7071067811865476


@table.op(function=False, method=False, composes=("erf", "add", "mul"),
          qualified=("special.ndtr",))
def special_ndtr(input):
    """The standard normal cumulative distribution function."""
    require_tensor(input, "special.ndtr")
    x = input if input._dtype.category == dt.FLOAT else ops.to_dtype(input, float_dtype_of(input))
    return mul_scalar(add_scalar(ops.erf(mul_scalar(x, _SQRT1_2)), 1), 0.5)


def _erfcx_scalar(x: float) -> float:
    if x < 25:
        return math.exp(x * x) * math.erfc(x) if x > -26 else math.inf
    inv = 1 / (x * x)
    return (1 - 0.5 * inv + 0.75 * inv * inv - 1.875 * inv ** 3) / (x * math.sqrt(math.pi))


@special_unary(_vectorized(_erfcx_scalar), "SpecialErfcxBackward0", qualified=("special.erfcx",),
               name="special_erfcx", saves="xy")
def special_erfcx(g, x, y):
    """The scaled complementary error function ``exp(x^2) erfc(x)``."""
    return (mul_scalar(x * y, 2.0) - 2.0 / math.sqrt(math.pi)) * g


def _log_ndtr_scalar(x: float) -> float:
    t = x * _SQRT1_2
    if x < -1.0:
        return math.log(_erfcx_scalar(-t) / 2) - t * t
    return math.log1p(-math.erfc(t) / 2)


@special_unary(_vectorized(_log_ndtr_scalar), "SpecialLogNdtrBackward0",
               qualified=("special.log_ndtr",), name="special_log_ndtr", saves="xy")
def special_log_ndtr(g, x, y):
    """The log of the standard normal cumulative distribution function."""
    return g / math.sqrt(2 * math.pi) * (-(y + x.pow(2) / 2)).exp()


def _ndtri_scalar(p: float) -> float:
    if p == 0:
        return -math.inf
    if p == 1:
        return math.inf
    if not 0 < p < 1:
        return math.nan
    x = math.sqrt(2) * _erfinv_scalar(2 * p - 1)
    for _ in range(2):  # Newton on the tail-accurate ndtr
        ndtr = 0.5 * math.erfc(-x * _SQRT1_2)
        density = math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        if density > 0:
            x -= (ndtr - p) / density
    return x


@special_unary(_vectorized(_ndtri_scalar), "SpecialNdtriBackward0",
               qualified=("special.ndtri",), name="special_ndtri", saves="y",
               domain=(0.1, 0.9))
def special_ndtri(g, x, y):
    """The inverse of ``ndtr``: the standard normal quantile function."""
    return mul_scalar(g, math.sqrt(2 * math.pi)) * (y.square() / 2).exp()


# =============================================================== round
@table.op(function=False, method=False, composes=("round",), qualified=("special.round",))
def special_round(input, *, decimals=0):
    """``torch.special.round``: ``torch.round`` with ``decimals`` (0 by default)."""
    return ops.round(input, decimals=decimals)

