"""Unary math: every op declared with :func:`unary` from its forward and derivative
(exp, log, the trigonometric functions, sigmoid, abs, floor...)."""

from __future__ import annotations

import math

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...node import Backward, SavedContext, backward
from ...tensor import Tensor
from ..common import (
    _compute,
    backward_kernel,
    float_dtype_of,
    not_implemented_for,
    require_tensor,
    zeros_like_grad,
)
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _F64, _precise
from .arithmetic import add_scalar, mul_scalar, scalar_minus, sub_scalar

table = OpTable("unary")


# ============================================================ unary math
class Unary:
    """One unary op: its forward on arrays and its backward in tensor ops.

    Attributes:
        derivative: ``derivative(grad, x, y)`` gets the input ``x`` and the result
            ``y`` (those named in ``saves``; the others are None) and returns
            ``x``'s gradient.
        node: the :class:`Backward` recorded (None for an op without a derivative).
        to_float: int and bool inputs give the default float dtype (``sqrt``);
            otherwise the result keeps the input's dtype (``abs``, ``floor``).
        precise: how float inputs are computed (see :func:`_precise`).
        refuse: dtype categories with no kernel ("b" bool, "i" integers).
    """

    def __init__(self, name, forward, node=None, derivative=None, saves="x", to_float=True,
                 precise="f64", refuse=""):
        self.name, self.forward, self.node, self.derivative = name, forward, node, derivative
        self.saves, self.to_float, self.precise, self.refuse = saves, to_float, precise, refuse

    def __call__(self, input) -> Tensor:
        require_tensor(input, self.name)
        dtype = input._dtype
        if (dtype is dt.bool_ and "b" in self.refuse) or \
                (dtype.category == dt.INT and "i" in self.refuse):
            raise not_implemented_for(f"{self.name}()", dtype)
        if self.to_float:
            dtype = float_dtype_of(input)
        result = new(_precise(self.forward, input._data.astype(dtype.np, copy=False),
                              self.precise), dtype)
        if self.node is not None and ag.needs_grad(input):
            ctx = SavedContext(input if "x" in self.saves else None,
                       result if "y" in self.saves else None, derivative=self.derivative)
            ag.record(self.node, (input,), result, ctx)
        return result


def _unary_backward(ctx, grad):
    x, y = ctx.saved_tensors
    return (ctx.derivative(grad, x, y),)


def unary(forward, node_name: str | None = None, *, aliases=(), operators=(), functional=(),
          domain=(-2.0, 2.0), qualified=(), **options):
    """Declares an elementwise op from its forward and its derivative.

    The decorated ``def NAME(g, x, y)`` is the derivative: given the incoming
    gradient ``g``, the input ``x`` and the result ``y``, it returns the input's
    gradient, written with tensor ops. The decorator returns the op ``NAME``
    itself (with its method, its in-place ``NAME_``, ``aliases`` and its
    ``functional`` names in ``torch.nn.functional`` and ``qualified`` names in
    torch's submodules, such as ``"special.expit"``); the op records
    ``node_name`` (no node when it is None). ``domain`` is the input range in
    which the systematic test checks the derivative (see ``OpTable.op``).

    Example:
        >>> @unary(xp.exp, "ExpBackward0", saves="y")
        ... def exp(g, x, y):
        ...     return g * y
    """

    def declare(derivative):
        name = derivative.__name__
        node = Backward(node_name, _unary_backward) if node_name else None
        spec = Unary(name, forward, node, derivative, **options)

        def op(input):
            return spec(input)

        op.__name__ = name
        op.__doc__ = derivative.__doc__ or f"Elementwise ``{name}``."
        return table.op(name=name, aliases=aliases, operators=operators, inplace=True,
                        functional=functional, backward=(node,) if node else (),
                        qualified=qualified,
                        domain=(domain,) if node else ())(op)

    return declare


def _zero_rule(g, x, y):
    return zeros_like_grad(g)


_LN2 = 0.6931471805599453
_LN10 = 2.302585092994046
_erf = xp.frompyfunc(math.erf, 1, 1)
_erfc = xp.frompyfunc(math.erfc, 1, 1)


def _sigmoid_values(a):
    # PyTorch's kernel: 1 / (1 + exp(-x)) in the input's precision, with an
    # exactly rounded exp.
    if a.dtype.itemsize < 8:
        e = xp.exp(-a.astype(_F64)).astype(xp.float32)
        return xp.float32(1) / (xp.float32(1) + e)
    return 1 / (1 + xp.exp(-a))


def _tanh_backward(grad: Tensor, y: Tensor) -> Tensor:
    """PyTorch's ``tanh_backward(grad, result)``: ``grad * (1 - y**2)``, one node."""
    return backward_kernel(
        _tanh_double_backward, _compute(lambda g, t: g * (1 - t * t), grad._data, y._data),
        y._dtype, (grad, y), SavedContext(grad, y))


@backward("TanhBackwardBackward0")
def _tanh_double_backward(ctx, gg):
    grad, y = ctx.saved_tensors
    return _tanh_backward(gg, y), gg * (mul_scalar(y, -2) * grad)


@table.internal
def sigmoid_backward(grad: Tensor, y: Tensor) -> Tensor:
    """PyTorch's ``sigmoid_backward(grad, result)``: ``grad * (1 - y) * y``, one node."""
    return backward_kernel(
        _sigmoid_double_backward, _compute(lambda g, s: g * (1 - s) * s, grad._data, y._data),
        y._dtype, (grad, y), SavedContext(grad, y))


@backward("SigmoidBackwardBackward0")
def _sigmoid_double_backward(ctx, gg):
    grad, y = ctx.saved_tensors
    return sigmoid_backward(gg, y), gg * (grad * add_scalar(mul_scalar(y, -2), 1))


def _sign_values(a):
    # The sign of a bool is the bool itself; NumPy's sign refuses bools.
    return a.copy() if a.dtype.kind == "b" else xp.sign(a)


def _cast(a, like):
    # frompyfunc gives an object array, or a bare Python float for a 0-dim input.
    a = xp.asarray(a)
    return a.astype(_F64).astype(like.dtype) if a.dtype == object else a.astype(like.dtype)


@unary(xp.exp, "ExpBackward0", saves="y", precise="long")
def exp(g, x, y):
    return g * y


@unary(xp.exp2, "Exp2Backward0", saves="y", precise="long", qualified=("special.exp2",))
def exp2(g, x, y):
    return mul_scalar(g * y, _LN2)


@unary(xp.expm1, "Expm1Backward0", saves="y", qualified=("special.expm1",))
def expm1(g, x, y):
    return g * add_scalar(y, 1)


@unary(xp.log, "LogBackward0", precise="long", domain=(0.2, 3.0))
def log(g, x, y):
    return g.div(x)


@unary(xp.log2, "Log2Backward0", domain=(0.2, 3.0))
def log2(g, x, y):
    return g / mul_scalar(x, _LN2)


@unary(xp.log10, "Log10Backward0", precise="long", domain=(0.2, 3.0))
def log10(g, x, y):
    return g / mul_scalar(x, _LN10)


@unary(xp.log1p, "Log1PBackward0", domain=(-0.5, 2.0), qualified=("special.log1p",))
def log1p(g, x, y):
    return g / add_scalar(x, 1)


@unary(xp.sqrt, "SqrtBackward0", saves="y", precise="", domain=(0.2, 3.0))
def sqrt(g, x, y):
    return g / mul_scalar(y, 2)


@unary(lambda a: 1 / xp.sqrt(a), "RsqrtBackward0", saves="y", precise="", domain=(0.2, 3.0))
def rsqrt(g, x, y):
    return mul_scalar(g, -0.5) * y.pow(3)


@unary(xp.sin, "SinBackward0", precise="long")
def sin(g, x, y):
    return g * x.cos()


@unary(xp.cos, "CosBackward0", precise="long")
def cos(g, x, y):
    return g * -x.sin()


@unary(xp.tan, "TanBackward0", saves="y", precise="long", domain=(-1.2, 1.2))
def tan(g, x, y):
    return g * add_scalar(y.pow(2), 1)


@unary(xp.arcsin, "AsinBackward0", aliases=("arcsin",), domain=(-0.9, 0.9))
def asin(g, x, y):
    return g * add_scalar(-x * x, 1).rsqrt()


@unary(xp.arccos, "AcosBackward0", aliases=("arccos",), domain=(-0.9, 0.9))
def acos(g, x, y):
    return g * -add_scalar(-x * x, 1).rsqrt()


@unary(xp.arctan, "AtanBackward0", aliases=("arctan",))
def atan(g, x, y):
    return g / add_scalar(x * x, 1)


@unary(xp.sinh, "SinhBackward0", precise="long")
def sinh(g, x, y):
    return g * x.cosh()


@unary(xp.cosh, "CoshBackward0", precise="long")
def cosh(g, x, y):
    return g * x.sinh()


@unary(xp.tanh, "TanhBackward0", saves="y", precise="long", functional=("tanh",))
def tanh(g, x, y):
    return _tanh_backward(g, y)


@unary(xp.arcsinh, "AsinhBackward0", aliases=("arcsinh",))
def asinh(g, x, y):
    return g * add_scalar(x.pow(2), 1).rsqrt()


@unary(xp.arccosh, "AcoshBackward0", aliases=("arccosh",), domain=(1.2, 3.0))
def acosh(g, x, y):
    return g * sub_scalar(x.pow(2), 1).rsqrt()


@unary(xp.arctanh, "AtanhBackward0", aliases=("arctanh",), domain=(-0.9, 0.9))
def atanh(g, x, y):
    return mul_scalar(g, 1) / scalar_minus(1, x.pow(2))


@unary(_sigmoid_values, "SigmoidBackward0", saves="y", precise="", functional=("sigmoid",),
       qualified=("special.expit",))
def sigmoid(g, x, y):
    return sigmoid_backward(g, y)


@unary(lambda a: _cast(_erf(a), a), "ErfBackward0", qualified=("special.erf",))
def erf(g, x, y):
    return mul_scalar((-x.pow(2)).exp(), 2 / math.sqrt(math.pi)) * g


@unary(lambda a: _cast(_erfc(a), a), "ErfcBackward0", qualified=("special.erfc",))
def erfc(g, x, y):
    return mul_scalar((-x.pow(2)).exp(), -2 / math.sqrt(math.pi)) * g


@unary(lambda a: 1 / a, "ReciprocalBackward0", saves="y", precise="", domain=(0.5, 2.0))
def reciprocal(g, x, y):
    return -g * (y * y)

# PyTorch multiplies by the constant rounded to the input's type.
@unary(lambda a: a * a.dtype.type(math.pi / 180), "Deg2RadBackward0", precise="")
def deg2rad(g, x, y):
    return mul_scalar(g, math.pi / 180)


@unary(lambda a: a * a.dtype.type(180 / math.pi), "Rad2DegBackward0", precise="")
def rad2deg(g, x, y):
    return mul_scalar(g, 180 / math.pi)


@unary(xp.abs, "AbsBackward0",
       to_float=False, precise="", refuse="b", aliases=("absolute",), operators=("__abs__",))
def abs(g, x, y):
    return g * x.sgn()


@unary(_sign_values, "SignBackward0", to_float=False, precise="")
def sign(g, x, y):
    return _zero_rule(g, x, y)


@unary(_sign_values, "SgnBackward0", to_float=False, precise="")
def sgn(g, x, y):
    return _zero_rule(g, x, y)


@unary(xp.floor, "FloorBackward0", to_float=False, precise="", refuse="b")
def floor(g, x, y):
    return _zero_rule(g, x, y)


@unary(xp.ceil, "CeilBackward0", to_float=False, precise="", refuse="b")
def ceil(g, x, y):
    return _zero_rule(g, x, y)


@unary(xp.trunc, "TruncBackward0", to_float=False, precise="", refuse="b", aliases=("fix",))
def trunc(g, x, y):
    return _zero_rule(g, x, y)


@unary(lambda a: a - xp.trunc(a), "FracBackward0", to_float=False, precise="", refuse="bi")
def frac(g, x, y):
    return g
