"""Helpers the elementwise families share: two operands in their promoted dtype, graph
edges, and float math computed in a wider type."""

from __future__ import annotations

from ... import dtypes as dt
from ...backend import xp
from ...tensor import Tensor
from ..common import _compute, check_broadcast, check_operand, tensor_or_none, values
from ..common import new_quiet as new


def _dtype_of(value) -> dt.DType:
    return value._dtype if isinstance(value, Tensor) else dt.scalar_dtype(value)


def _binary(input, other, fn, op: str, dtype: dt.DType | None = None) -> Tensor:
    """``fn`` on both operands, converted to their promoted dtype (or ``dtype``)."""
    check_operand(input, op, "input", 1)
    check_operand(other, op)
    check_broadcast(input, other)
    target = dtype or dt.result_type(input, other)
    return new(_compute(fn, values(input, target), values(other, target)), target)


def _requires(value) -> bool:
    return isinstance(value, Tensor) and value._requires_grad


def _edges(*operands) -> tuple:
    return tuple(tensor_or_none(v) for v in operands)


# Wider float types to compute in, so that the one rounding is the final one.
_F64 = xp.float64
_LONG = xp.longdouble


def _precise(fn, array, mode: str):
    """``fn(array)`` with float16/float32 computed in float64 ("f64"), and also
    float64 in long double ("long"); "" computes in the array's own type, float16
    in float32 as PyTorch does."""
    if array.dtype.kind == "f":
        if mode and array.dtype.itemsize < 8:
            return _compute(fn, array.astype(_F64))
        if mode == "long":
            return _compute(lambda a: fn(a).astype(_F64), array.astype(_LONG))
        if array.dtype == xp.float16:
            return _compute(fn, array.astype(xp.float32))
    return _compute(fn, array)


def _true_div_dtype(input, other) -> dt.DType:
    target = dt.result_type(input, other)
    return target if target.category == dt.FLOAT else dt.get_default_dtype()
