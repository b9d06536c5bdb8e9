"""Elementwise ops: arithmetic, comparisons, logic and the math functions.

Binary ops follow PyTorch's type promotion (``dtypes.result_type``) and
broadcasting; each records its PyTorch node with a backward rule written in
tensor ops, so gradients are themselves differentiable (``create_graph``).
"""

from __future__ import annotations

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..node import SavedContext
from ..tensor import Tensor
from .common import array_of, check_broadcast, check_operand, float_dtype_of, new, tensor_or_none
from .registry import OpTable

table = OpTable("elementwise")


def _binary(input, other, np_fn, dtype=None, op="op"):
    """Computes ``np_fn`` on both operands in their promoted dtype."""
    check_operand(other, op)
    check_operand(input, op)
    check_broadcast(input, other)
    target = dtype or dt.result_type(input, other)
    with xp.errstate(all="ignore"):
        result = np_fn(array_of(input, target), array_of(other, target))
    return new(result, target)


def _ctx(**values) -> SavedContext:
    ctx = SavedContext()
    ctx.__dict__.update(values)
    return ctx


# ================================================================ add, sub
def _add_backward(ctx, grad):
    return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha)


@table.op(operators=("__add__", "__radd__"), inplace=True, grad_fns=("AddBackward0",))
def add(input, other, *, alpha=1):
    """``input + alpha * other``."""
    if alpha != 1:
        check_operand(other, "add")
        other = other * alpha
    result = _binary(input, other, xp.add, op="add")
    if ag.needs_grad(input, other):
        ag.record("AddBackward0", _add_backward, (tensor_or_none(input), tensor_or_none(other)),
                  result, _ctx(alpha=1))
    return result


def _sub_backward(ctx, grad):
    return grad, -grad


def _check_sub_bool(input, other):
    if getattr(input, "_dtype", None) is dt.bool_ and getattr(other, "_dtype", None) is dt.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")


@table.op(operators=("__sub__",), inplace=True, aliases=("subtract",),
          grad_fns=("SubBackward0",))
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    _check_sub_bool(input, other)
    if alpha != 1:
        check_operand(other, "sub")
        other = other * alpha
    result = _binary(input, other, xp.subtract, op="sub")
    if ag.needs_grad(input, other):
        ag.record("SubBackward0", _sub_backward, (tensor_or_none(input), tensor_or_none(other)),
                  result)
    return result


def _rsub_backward(ctx, grad):
    return (-grad,)


@table.op(method=False, operators=("__rsub__",), grad_fns=("RsubBackward1",))
def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (what ``2 - x`` computes)."""
    _check_sub_bool(input, other)
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    result = _binary(other, input * alpha if alpha != 1 else input, xp.subtract, op="rsub")
    if ag.needs_grad(input):
        ag.record("RsubBackward1", _rsub_backward, (input,), result)
    return result


# ==================================================================== mul
def _mul_backward(ctx, grad):
    a, b = ctx.saved_tensors
    return (grad * b if b is not None else None), (grad * a if a is not None else None)


@table.op(operators=("__mul__", "__rmul__"), inplace=True, aliases=("multiply",),
          grad_fns=("MulBackward0",))
def mul(input, other):
    """Elementwise product."""
    result = _binary(input, other, xp.multiply, op="mul")
    if ag.needs_grad(input, other):
        ctx = SavedContext()
        # Each side's gradient reads the other side: save only what is read.
        ctx.save(input if _requires(other) else None, other if _requires(input) else None)
        ag.record("MulBackward0", _mul_backward, (tensor_or_none(input), tensor_or_none(other)),
                  result, ctx)
    return result


def _requires(value) -> bool:
    return isinstance(value, Tensor) and value._requires_grad


# ==================================================================== div
def _div_backward(ctx, grad):
    a, b = ctx.saved_tensors
    grad_a = grad / b if ctx.need_a else None
    grad_b = -grad * a / (b * b) if ctx.need_b else None
    return grad_a, grad_b


def _floor_or_trunc(np_fn):
    def compute(a, b):
        if a.dtype.kind in "iub":
            if xp.any(b == 0):
                raise RuntimeError("ZeroDivisionError")
        return np_fn(a, b)
    return compute


def _trunc_divide(a, b):
    if a.dtype.kind in "iu":
        q = xp.floor_divide(a, b)
        fix = (q < 0) & (q * b != a)
        return q + fix
    return xp.trunc(xp.true_divide(a, b))


@table.op(operators=("__truediv__",), inplace=True, aliases=("divide", "true_divide"),
          grad_fns=("DivBackward0",))
def div(input, other, *, rounding_mode=None):
    """Division; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient."""
    if rounding_mode is None:
        target = dt.result_type(input, other)
        if target.category != dt.FLOAT:
            target = dt.get_default_dtype()
        result = _binary(input, other, xp.true_divide, target, op="div")
        if ag.needs_grad(input, other):
            ctx = _ctx(need_a=_requires(input), need_b=_requires(other))
            ctx.save(input, other)
            ag.record("DivBackward0", _div_backward,
                      (tensor_or_none(input), tensor_or_none(other)), result, ctx)
        return result
    if rounding_mode == "floor":
        fn = _floor_or_trunc(xp.floor_divide)
    elif rounding_mode == "trunc":
        fn = _floor_or_trunc(_trunc_divide)
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    result = _binary(input, other, fn, op="div")
    if ag.needs_grad(input, other):
        ag.record("DivBackward1" if isinstance(other, Tensor) else "DivBackward3",
                  _zero_grads, (tensor_or_none(input), tensor_or_none(other)), result)
    return result


def _zero_grads(ctx, grad):
    zero = grad * 0
    return zero, zero


@table.op(method=False, function=False, operators=("__rtruediv__",),
          grad_fns=("MulBackward0", "ReciprocalBackward0"))
def rtruediv(input, other):
    """``other / input`` for a number ``other``: PyTorch computes ``reciprocal(x) * other``."""
    return mul(reciprocal(input), other)


@table.op(operators=("__floordiv__",), inplace=True)
def floor_divide(input, other):
    return div(input, other, rounding_mode="floor")


@table.op(method=False, function=False, operators=("__rfloordiv__",))
def rfloordiv(input, other):
    return div(other if isinstance(other, Tensor) else _scalar_like(other, input), input,
               rounding_mode="floor")


def _scalar_like(value, like: Tensor) -> Tensor:
    """A number as a 0-dim tensor (where PyTorch wraps the left operand of ``2 // x``)."""
    return new(xp.asarray(value), dt.scalar_dtype(value))


def _remainder(a, b):
    if a.dtype.kind in "iu" and xp.any(b == 0):
        raise RuntimeError("ZeroDivisionError")
    return xp.remainder(a, b)


def _remainder_backward(ctx, grad):
    return grad, None


@table.op(operators=("__mod__",), inplace=True, grad_fns=("RemainderBackward0",))
def remainder(input, other):
    """Python-style modulus: the result has the sign of ``other``."""
    result = _binary(input, other, _remainder, op="remainder")
    if ag.needs_grad(input, other):
        ag.record("RemainderBackward0", _remainder_backward,
                  (tensor_or_none(input), tensor_or_none(other)), result)
    return result


@table.op(method=False, function=False, operators=("__rmod__",))
def rmod(input, other):
    return remainder(_scalar_like(other, input), input)


@table.op(inplace=True)
def fmod(input, other):
    return _binary(input, other, xp.fmod, op="fmod")


# ==================================================================== neg
def _neg_backward(ctx, grad):
    return (-grad,)


@table.op(operators=("__neg__",), inplace=True, aliases=("negative",),
          grad_fns=("NegBackward0",))
def neg(input):
    if input._dtype is dt.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    result = new(xp.negative(input._data), input._dtype)
    if ag.needs_grad(input):
        ag.record("NegBackward0", _neg_backward, (input,), result)
    return result


@table.op(function=False, method=False, operators=("__pos__",))
def positive(input):
    return input


# ==================================================================== pow
def _pow_scalar_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    e = ctx.exponent
    if e == 0:
        return (grad * 0,)
    return (grad * (e * x.pow(e - 1)),)


def _pow_tensor_backward(ctx, grad):
    x, e, result = ctx.saved_tensors
    grad_x = grad * (e * x.pow(e - 1)) if ctx.need_x else None
    grad_e = None
    if ctx.need_e:
        grad_e = grad * (result * _masked_log(x))
    return grad_x, grad_e


def _masked_log(x):
    # d/de x**e = x**e log x, taken as 0 where x == 0 (as PyTorch does).
    safe = where(x == 0, ones_like_value(x), x)
    return where(x == 0, safe * 0, safe.log())


def ones_like_value(x):
    return new(xp.ones_like(x._data), x._dtype)


def _pow_scalar_base_backward(ctx, grad):
    (result,) = ctx.saved_tensors
    return (grad * (result * _log_number(ctx.base)),)


def _log_number(value):
    import math
    return math.log(value) if value > 0 else (float("-inf") if value == 0 else float("nan"))


def _power(a, b):
    if a.dtype.kind in "iu" and xp.any(b < 0) and b.ndim == 0 or \
            (a.dtype.kind in "iu" and b.dtype.kind in "iu" and xp.any(b < 0)):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return xp.power(a, b)


@table.op(operators=("__pow__",), inplace=True,
          grad_fns=("PowBackward0", "PowBackward1", "PowBackward2"))
def pow(input, exponent):
    """``input ** exponent``; a number base is the ``__rpow__`` form (PowBackward2)."""
    if not isinstance(input, Tensor):
        return _rpow(exponent, input)
    result = _binary(input, exponent, _power, op="pow")
    if isinstance(exponent, Tensor):
        if ag.needs_grad(input, exponent):
            ctx = _ctx(need_x=input._requires_grad, need_e=exponent._requires_grad)
            ctx.save(input, exponent, result)
            ag.record("PowBackward1", _pow_tensor_backward, (input, exponent), result, ctx)
    elif ag.needs_grad(input):
        ctx = _ctx(exponent=exponent)
        ctx.save(input)
        ag.record("PowBackward0", _pow_scalar_backward, (input,), result, ctx)
    return result


@table.op(method=False, function=False, operators=("__rpow__",))
def _rpow(input, other):
    """``other ** input`` for a number ``other``."""
    result = _binary(other, input, _power, op="pow")
    if ag.needs_grad(input):
        ctx = _ctx(base=other)
        ctx.save(result)
        ag.record("PowBackward2", _pow_scalar_base_backward, (input,), result, ctx)
    return result


def _square_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return (grad * (2 * x),)


@table.op(inplace=True, grad_fns=("PowBackward0",))
def square(input):
    return pow(input, 2)


# ============================================================ comparisons
def _is_number(value) -> bool:
    from .common import is_number
    return is_number(value)


def _raise_type(name, other):
    raise TypeError(f"{name}(): argument 'other' must be Tensor or Number, "
                    f"not {type(other).__name__}")


def _compare_arrays(input, other, np_fn, name):
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    with xp.errstate(all="ignore"):
        result = np_fn(array_of(input, target), array_of(other, target))
    return new(result, dt.bool_)


for _name, _fn, _dunder, _aliases in (
        ("eq", xp.equal, "__eq__", ()), ("ne", xp.not_equal, "__ne__", ("not_equal",)),
        ("lt", xp.less, "__lt__", ("less",)), ("le", xp.less_equal, "__le__", ("less_equal",)),
        ("gt", xp.greater, "__gt__", ("greater",)),
        ("ge", xp.greater_equal, "__ge__", ("greater_equal",))):
    def _make(np_fn=_fn, name=_name):
        def compare(input, other):
            if not isinstance(other, Tensor) and not _is_number(other):
                _raise_type(name, other)
            return _compare_arrays(input, other, np_fn, name)
        compare.__name__ = name
        compare.__doc__ = f"Elementwise ``{name}``: a bool tensor."
        return compare
    table.op(name=_name, aliases=_aliases, inplace=False)(_make())

    def _dunder_fn(input, other, np_fn=_fn, name=_name):
        if not isinstance(other, Tensor) and not _is_number(other):
            return NotImplemented
        return _compare_arrays(input, other, np_fn, name)
    _dunder_fn.__name__ = _dunder
    table.op(name=_dunder, function=False, method=False, operators=(_dunder,), out=False)(
        _dunder_fn)


@table.op(out=False)
def equal(input, other) -> bool:
    """True when both tensors have the same shape and values."""
    return input._data.shape == other._data.shape and bool(xp.array_equal(input._data,
                                                                           other._data))


# ================================================================== where
def _where_backward(ctx, grad):
    (cond,) = ctx.saved_tensors
    zero = grad * 0
    return None, where(cond, grad, zero), where(cond, zero, grad)


@table.op(grad_fns=("WhereBackward0",))
def where(condition, input=None, other=None):
    """Picks ``input`` where ``condition`` holds, else ``other``."""
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    if condition._dtype is not dt.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition._dtype.short}")
    target = dt.result_type(input, other)
    from .common import broadcast_shapes
    shapes = [condition._data.shape] + [v._data.shape for v in (input, other)
                                         if isinstance(v, Tensor)]
    broadcast_shapes(*shapes)
    result = new(xp.where(condition._data, array_of(input, target), array_of(other, target)),
                 target)
    if ag.needs_grad(input if isinstance(input, Tensor) else None,
                     other if isinstance(other, Tensor) else None):
        ctx = SavedContext()
        ctx.save(condition)
        ag.record("WhereBackward0", _where_backward,
                  (condition, tensor_or_none(input), tensor_or_none(other)), result, ctx)
    return result


# ======================================================= unary math table
class Unary:
    """One unary math op: its forward on arrays and its backward in tensor ops.

    ``rule(grad, x, y)`` receives the input ``x`` and the result ``y`` (only
    those named in ``saves``, the others are None) and returns ``x``'s gradient.
    """

    def __init__(self, name, forward, node, rule=None, saves="x", floating=True,
                 aliases=(), int_result=False):
        self.name, self.forward, self.node, self.rule = name, forward, node, rule
        self.saves, self.floating, self.aliases = saves, floating, aliases
        self.int_result = int_result

    def __call__(self, input):
        if not isinstance(input, Tensor):
            raise TypeError(f"{self.name}(): argument 'input' must be Tensor, not "
                            f"{type(input).__name__}")
        dtype = float_dtype_of(input) if self.floating else input._dtype
        with xp.errstate(all="ignore"):
            data = self.forward(input._data.astype(dtype.np, copy=False))
        result = new(data, dtype)
        if self.rule is not None and ag.needs_grad(input):
            ctx = SavedContext()
            ctx.save(input if "x" in self.saves else None, result if "y" in self.saves else None)
            ag.record(self.node, self._backward, (input,), result, ctx)
        return result

    def _backward(self, ctx, grad):
        x, y = ctx.saved_tensors
        return (self.rule(grad, x, y),)


def _sigmoid(a):
    return 1 / (1 + xp.exp(-a))


def _sign(a):
    return xp.sign(a)


def _round_half_even(a):
    return xp.round(a)


def _reciprocal(a):
    return 1 / a


def _rsqrt(a):
    return 1 / xp.sqrt(a)


def _frac(a):
    return a - xp.trunc(a)


UNARY = (
    Unary("exp", xp.exp, "ExpBackward0", lambda g, x, y: g * y, "y"),
    Unary("exp2", xp.exp2, "Exp2Backward0", lambda g, x, y: g * (y * 0.6931471805599453), "y"),
    Unary("expm1", xp.expm1, "Expm1Backward0", lambda g, x, y: g * (y + 1), "y"),
    Unary("log", xp.log, "LogBackward0", lambda g, x, y: g.div(x)),
    Unary("log2", xp.log2, "Log2Backward0", lambda g, x, y: g / (x * 0.6931471805599453)),
    Unary("log10", xp.log10, "Log10Backward0", lambda g, x, y: g / (x * 2.302585092994046)),
    Unary("log1p", xp.log1p, "Log1PBackward0", lambda g, x, y: g / (x + 1)),
    Unary("sqrt", xp.sqrt, "SqrtBackward0", lambda g, x, y: g / (2 * y), "y"),
    Unary("rsqrt", _rsqrt, "RsqrtBackward0", lambda g, x, y: -0.5 * g * y.pow(3), "y"),
    Unary("sin", xp.sin, "SinBackward0", lambda g, x, y: g * x.cos()),
    Unary("cos", xp.cos, "CosBackward0", lambda g, x, y: g * -x.sin()),
    Unary("tan", xp.tan, "TanBackward0", lambda g, x, y: g * (1 + y.pow(2)), "y"),
    Unary("asin", xp.arcsin, "AsinBackward0", lambda g, x, y: g * (-x * x + 1).rsqrt(),
          aliases=("arcsin",)),
    Unary("acos", xp.arccos, "AcosBackward0", lambda g, x, y: g * -(-x * x + 1).rsqrt(),
          aliases=("arccos",)),
    Unary("atan", xp.arctan, "AtanBackward0", lambda g, x, y: g / (x * x + 1),
          aliases=("arctan",)),
    Unary("sinh", xp.sinh, "SinhBackward0", lambda g, x, y: g * x.cosh()),
    Unary("cosh", xp.cosh, "CoshBackward0", lambda g, x, y: g * x.sinh()),
    Unary("tanh", xp.tanh, "TanhBackward0", lambda g, x, y: g * (1 - y * y), "y"),
    Unary("sigmoid", _sigmoid, "SigmoidBackward0", lambda g, x, y: g * (y * (1 - y)), "y"),
    Unary("reciprocal", _reciprocal, "ReciprocalBackward0", lambda g, x, y: g * -(y * y), "y"),
    Unary("abs", xp.abs, "AbsBackward0", lambda g, x, y: g * x.sign(), floating=False,
          aliases=("absolute",)),
    Unary("sign", _sign, "SignBackward0", lambda g, x, y: g * 0, floating=False),
    Unary("floor", xp.floor, "FloorBackward0", lambda g, x, y: g * 0, floating=False),
    Unary("ceil", xp.ceil, "CeilBackward0", lambda g, x, y: g * 0, floating=False),
    Unary("trunc", xp.trunc, "TruncBackward0", lambda g, x, y: g * 0, floating=False,
          aliases=("fix",)),
    Unary("frac", _frac, "FracBackward0", lambda g, x, y: g, floating=False),
)


def _declare_unary(spec: Unary):
    def op(input):
        return spec(input)
    op.__name__ = spec.name
    op.__doc__ = f"Elementwise ``{spec.name}``."
    table.op(name=spec.name, aliases=spec.aliases, inplace=True,
             grad_fns=(spec.node,) if spec.rule else ())(op)
    return op


for _spec in UNARY:
    globals()[_spec.name] = _declare_unary(_spec)
