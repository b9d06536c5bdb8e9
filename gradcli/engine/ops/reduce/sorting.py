"""Sorting and selection: ``sort``, ``argsort``, ``topk``, ``kthvalue``, ``median``,
``nanmedian``, ``mode``.

Each picks elements along a dim; most return the values with their indices as
a ``torch.return_types`` named tuple, and their gradients go back where the
values were picked.
"""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...node import Backward, SavedContext
from ...tensor import Tensor
from ..common import new, wrap_dim
from ..registry import OpTable
from ._helpers import _check_tensor
from .extremes import (
    _check_dim_not_empty,
    _evenly_distribute_backward,
    _named,
    _record_selection,
    _value_selecting_backward,
)

table = OpTable("sorting")


# ================================================ sorting and selection
# The value-selecting ops record the rules of :mod:`.extremes`: the gradient goes
# back where each value was picked (all elements tied with the median share it).
sort_backward0 = Backward("SortBackward0", _value_selecting_backward)
topk_backward0 = Backward("TopkBackward0", _value_selecting_backward)
kthvalue_backward0 = Backward("KthvalueBackward0", _value_selecting_backward)
mode_backward0 = Backward("ModeBackward0", _value_selecting_backward)
median_backward1 = Backward("MedianBackward1", _value_selecting_backward)
nanmedian_backward1 = Backward("NanmedianBackward1", _value_selecting_backward)
median_backward0 = Backward("MedianBackward0", _evenly_distribute_backward)
nanmedian_backward0 = Backward("NanmedianBackward0", _evenly_distribute_backward)


def _stable_order(data, axis: int, descending: bool):
    """Stable sort order; descending keeps ties in index order and puts NaN first."""
    if data.dtype == xp.bool_:
        data = data.astype(xp.uint8)
    if not descending:
        return xp.argsort(data, axis=axis, kind="stable")
    size = data.shape[axis]
    reversed_order = xp.argsort(xp.flip(data, axis=axis), axis=axis, kind="stable")
    return xp.flip(size - 1 - reversed_order, axis=axis)


def _selection_result(input: Tensor, index_keep, d: int, keepdim: bool, kind: str,
                      node: str):
    """Values/indices named tuple for a per-slice index (reduced dim kept in ``index_keep``)."""
    picked = xp.take_along_axis(input._data, index_keep, axis=d)
    index = index_keep
    if not keepdim:
        picked, index = xp.squeeze(picked, d), xp.squeeze(index_keep, d)
    values = new(picked, input._dtype)
    indices = new(index.astype(xp.int64), dt.int64)
    _record_selection(node, input, values, d, index_keep, keepdim)
    return _named(kind, values, indices)


def _scalar_selection(input: Tensor, kind: str, node: str):
    values = new(input._data.copy(), input._dtype)
    _record_selection(node, input, values, 0, xp.zeros((), xp.int64), False)
    return _named(kind, values, new(xp.zeros((), xp.int64), dt.int64))


@table.op(backward=(sort_backward0,), out=False)
def sort(input, dim=-1, descending=False, stable=False):
    """Sorted values and their original indices along ``dim`` (ties keep their order)."""
    _check_tensor(input, "sort")
    if isinstance(dim, bool):
        dim, descending = -1, dim
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return _scalar_selection(input, "sort", sort_backward0)
    order = _stable_order(input._data, d, descending)
    return _selection_result(input, order, d, True, "sort", sort_backward0)


@table.op(out=False)
def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    _check_tensor(input, "argsort")
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return new(xp.zeros((), xp.int64), dt.int64)
    return new(_stable_order(input._data, d, descending).astype(xp.int64), dt.int64)


@table.op(backward=(topk_backward0,), out=False)
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) elements along ``dim`` with their indices."""
    _check_tensor(input, "topk")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"topk() cannot take k={k} elements from dimension {d} of size "
                           f"{size}")
    if input.ndim == 0:
        if k == 0:
            empty = new(xp.zeros((0,), input._dtype.np), input._dtype)
            return _named("topk", empty, new(xp.zeros((0,), xp.int64), dt.int64))
        return _scalar_selection(input, "topk", topk_backward0)
    order = _stable_order(input._data, d, largest)
    index = xp.take(order, xp.arange(k), axis=d)
    return _selection_result(input, index, d, True, "topk", topk_backward0)


@table.op(backward=(kthvalue_backward0,), out=False)
def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index."""
    _check_tensor(input, "kthvalue")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d] if input.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue() k={k} is out of range for dimension {d} of size "
                           f"{size} (k counts from 1)")
    if input.ndim == 0:
        return _scalar_selection(input, "kthvalue", kthvalue_backward0)
    order = _stable_order(input._data, d, False)
    index = xp.take(order, [k - 1], axis=d)
    return _selection_result(input, index, d, keepdim, "kthvalue", kthvalue_backward0)


def _median_index(data, axis: int, ignore_nan: bool):
    """Index of the lower median along ``axis`` (NaN: the first NaN, unless ignored)."""
    order = _stable_order(data, axis, False)
    size = data.shape[axis]
    if data.dtype.kind != "f":
        return xp.take(order, [(size - 1) // 2], axis=axis)
    nan = xp.isnan(data)
    count = size - nan.sum(axis=axis, keepdims=True) if ignore_nan else \
        xp.full(nan.sum(axis=axis, keepdims=True).shape, size)
    position = xp.maximum((count - 1) // 2, 0)
    index = xp.take_along_axis(order, position, axis=axis)
    if not ignore_nan:
        has_nan = nan.any(axis=axis, keepdims=True)
        first_nan = xp.argmax(nan, axis=axis, keepdims=True)
        index = xp.where(has_nan, first_nan, index)
    return index


def _make_median(name: str, ignore_nan: bool, all_node: str, dim_node: str):
    def median_op(input, dim=None, keepdim=False):
        _check_tensor(input, name)
        if dim is None and keepdim:
            raise TypeError(f"{name}(keepdim=True) also needs dim, the dimension to reduce")
        if dim is None:
            flat = input._data.reshape(-1)
            if flat.size == 0:
                value = xp.asarray(xp.nan, dtype=input._dtype.np)
            else:
                value = flat[_median_index(flat, 0, ignore_nan)[0]]
            result = new(xp.asarray(value, dtype=input._dtype.np).reshape(()), input._dtype)
            if ag.needs_grad(input):
                ctx = SavedContext()
                ctx.save(input, result)
                ag.record(all_node, (input,), result, ctx)
            return result
        d = wrap_dim(dim, input.ndim)
        if input.ndim == 0:
            return _scalar_selection(input, name, dim_node)
        _check_dim_not_empty(input, d, name)
        index = _median_index(input._data, d, ignore_nan)
        return _selection_result(input, index, d, keepdim, name, dim_node)

    median_op.__name__ = name
    median_op.__doc__ = ("The lower median of all elements, or "
                         f"``torch.return_types.{name}(values, indices)`` along ``dim``.")
    return median_op


median = table.op(backward=(median_backward0, median_backward1), out=False)(
    _make_median("median", False, median_backward0, median_backward1))
nanmedian = table.op(backward=(nanmedian_backward0, nanmedian_backward1), out=False)(
    _make_median("nanmedian", True, nanmedian_backward0, nanmedian_backward1))


def _mode_index(data, axis: int):
    """Most frequent value along ``axis`` (smallest among ties), at its last occurrence."""
    moved = xp.moveaxis(data, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    out = xp.zeros(rows.shape[0], xp.int64)
    for r, row in enumerate(rows):
        values, counts = xp.unique(row, return_counts=True)
        best = values[xp.argmax(counts)]
        matches = xp.nonzero((row == best) | (xp.isnan(row) & xp.isnan(best))
                             if row.dtype.kind == "f" else row == best)[0]
        out[r] = matches[-1]
    index = out.reshape(moved.shape[:-1] + (1,))
    return xp.moveaxis(index, -1, axis)


@table.op(backward=(mode_backward0,), out=False)
def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` and an index where it occurs."""
    _check_tensor(input, "mode")
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return _scalar_selection(input, "mode", mode_backward0)
    index = _mode_index(input._data, d)
    return _selection_result(input, index, d, keepdim, "mode", mode_backward0)
