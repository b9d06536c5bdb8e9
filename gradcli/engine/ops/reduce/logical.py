"""Logical reductions: ``all``, ``any``, ``count_nonzero``."""

from __future__ import annotations

from ... import dtypes as dt
from ...backend import xp
from ..common import new
from ..registry import OpTable
from ._helpers import _axes, _check_tensor, _reduced_dims, _reduced_shape

table = OpTable("logical")


# ================================================ all, any, count_nonzero
def _make_logical(name: str, np_fn):
    def logical(input, dim=None, keepdim=False):
        _check_tensor(input, name)
        dims = _reduced_dims(dim, input.ndim)
        values = np_fn(input._data.astype(bool), axis=_axes(dims, input.ndim))
        target = dt.uint8 if input._dtype is dt.uint8 else dt.bool_
        shape = _reduced_shape(input._data.shape, dims, keepdim)
        return new(xp.asarray(values).astype(target.np).reshape(shape), target)

    logical.__name__ = name
    logical.__doc__ = (f"Whether {'all' if name == 'all' else 'any'} element(s) are nonzero, "
                       "over everything or along ``dim``; a bool tensor (uint8 for uint8).")
    return logical


all = table.op()(_make_logical("all", xp.all))
any = table.op()(_make_logical("any", xp.any))


@table.op(out=False)
def count_nonzero(input, dim=None):
    """The number of nonzero elements, over everything or along ``dim`` (int64)."""
    _check_tensor(input, "count_nonzero")
    dims = _reduced_dims(dim, input.ndim)
    values = xp.count_nonzero(input._data, axis=_axes(dims, input.ndim))
    return new(xp.asarray(values, dtype=xp.int64).reshape(
        _reduced_shape(input._data.shape, dims, False)), dt.int64)
