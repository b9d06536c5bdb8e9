"""Comparisons, ``isclose``/``equal``, logical and bitwise ops: mostly bool results."""

from __future__ import annotations

from ... import dtypes as dt
from ...backend import xp
from ...tensor import Tensor
from ..common import (
    _compute,
    check_broadcast,
    check_operand,
    is_number,
    not_implemented_for,
    require_tensor,
    values,
)
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _F64, _binary

table = OpTable("logic")


# ============================================================ comparisons
def compare(input, other, np_fn, op: str) -> Tensor:
    """A comparison in the operands' promoted dtype: a bool tensor."""
    check_broadcast(input, other)
    target = dt.result_type(input, other)
    return new(_compute(np_fn, values(input, target), values(other, target)), dt.bool_)


def _comparison(name: str, np_fn, dunder: str, aliases: tuple) -> None:
    def op(input, other):
        require_tensor(input, name)
        return compare(input, check_operand(other, name), np_fn, name)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}``: a bool tensor."
    table.op(name=name, aliases=aliases, inplace=True)(op)

    def operator(input, other):
        # A comparison with anything that is not a number falls back to Python
        # (``x == None`` is False), as PyTorch's operators do.
        if not isinstance(other, Tensor) and not is_number(other):
            return NotImplemented
        return compare(input, other, np_fn, name)

    operator.__name__ = dunder
    table.op(name=dunder, function=False, method=False, operators=(dunder,), out=False)(operator)


for _name, _fn, _dunder, _aliases in (
        ("eq", xp.equal, "__eq__", ()), ("ne", xp.not_equal, "__ne__", ("not_equal",)),
        ("lt", xp.less, "__lt__", ("less",)), ("le", xp.less_equal, "__le__", ("less_equal",)),
        ("gt", xp.greater, "__gt__", ("greater",)),
        ("ge", xp.greater_equal, "__ge__", ("greater_equal",))):
    _comparison(_name, _fn, _dunder, _aliases)


def _check_same_dtype(input: Tensor, other: Tensor) -> None:
    if input._dtype is not other._dtype:
        raise RuntimeError(f"isclose() needs both tensors to have the same dtype, but got "
                           f"{input._dtype!r} and {other._dtype!r}")


@table.op(out=False)
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|``, elementwise (a bool tensor)."""
    require_tensor(input, "isclose")
    require_tensor(other, "isclose", "other", 2)
    _check_same_dtype(input, other)
    check_broadcast(input, other)
    a = input._data.astype(_F64)
    b = other._data.astype(_F64)
    with xp.errstate(all="ignore"):
        close = (a == b) | (xp.isfinite(a) & xp.isfinite(b)
                            & (xp.abs(a - b) <= atol + rtol * xp.abs(b)))
    if equal_nan:
        close = close | (xp.isnan(a) & xp.isnan(b))
    return new(close, dt.bool_)


@table.op(out=False)
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True when every element of ``input`` is close to ``other`` (see ``isclose``)."""
    return bool(xp.all(isclose(input, other, rtol, atol, equal_nan)._data))


@table.op(out=False)
def equal(input, other) -> bool:
    """True when both tensors have the same shape and values (dtypes may differ)."""
    require_tensor(input, "equal")
    require_tensor(other, "equal", "other", 2)
    return input._data.shape == other._data.shape and bool(
        xp.array_equal(input._data, other._data))


# ================================================================= logic
def _logical(name: str, np_fn) -> None:
    def op(input, other):
        require_tensor(input, name)
        require_tensor(other, name, "other", 2)
        check_broadcast(input, other)
        return new(np_fn(input._data.astype(bool), other._data.astype(bool)), dt.bool_)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` of the truth values (nonzero is True)."
    table.op(name=name, inplace=True)(op)


for _name, _fn in (("logical_and", xp.logical_and), ("logical_or", xp.logical_or),
                   ("logical_xor", xp.logical_xor)):
    _logical(_name, _fn)


@table.op(inplace=True)
def logical_not(input):
    """``not`` of each truth value: a bool tensor."""
    return new(xp.logical_not(require_tensor(input, "logical_not")._data), dt.bool_)


def _bitwise(name: str, np_fn, dunder: str, reflected_dunder: str, inplace_dunder: str) -> None:
    def op(input, other):
        check_operand(input, name, "input", 1)
        check_operand(other, name)
        target = dt.result_type(input, other)
        if target.category == dt.FLOAT:
            raise not_implemented_for(f"{name}()", target)
        return _binary(input, other, np_fn, name, target)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    table.op(name=name, inplace=True, inplace_operators=(inplace_dunder,))(op)

    def operator(input, other):
        if not isinstance(other, Tensor) and not is_number(other):
            return NotImplemented
        return op(input, other)

    def reflected(input, other):
        if not is_number(other):
            return NotImplemented
        return op(other, input)

    for form, fn in zip((dunder, reflected_dunder), (operator, reflected)):
        fn.__name__ = form
        table.op(name=form, function=False, method=False, operators=(form,), out=False)(fn)


for _name, _fn, _dunders in (
        ("bitwise_and", xp.bitwise_and, ("__and__", "__rand__", "__iand__")),
        ("bitwise_or", xp.bitwise_or, ("__or__", "__ror__", "__ior__")),
        ("bitwise_xor", xp.bitwise_xor, ("__xor__", "__rxor__", "__ixor__")),
        ("bitwise_left_shift", xp.left_shift, ("__lshift__", "__rlshift__", "__ilshift__")),
        ("bitwise_right_shift", xp.right_shift, ("__rshift__", "__rrshift__", "__irshift__"))):
    _bitwise(_name, _fn, *_dunders)


@table.op(inplace=True, operators=("__invert__",))
def bitwise_not(input):
    """``~input``: bitwise not of integers, logical not of bools."""
    require_tensor(input, "bitwise_not")
    if input._dtype.category == dt.FLOAT:
        raise TypeError(f"`~` (bitwise not) needs an integer or bool tensor, not one of dtype "
                        f"{input._dtype!r}")
    return new(xp.invert(input._data), input._dtype)


del _name, _fn, _dunders, _aliases
