"""Counting and searching: ``bincount``, ``histc``, ``histogram``, ``bucketize``,
``searchsorted``, ``unique``, ``unique_consecutive``, ``isin`` and ``msort``.

None of these has a gradient in PyTorch except ``msort`` (a sort) and
``histogram``'s absence of one; their results are new integer or float tensors.
"""

from __future__ import annotations

import numbers

from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...returntypes import TYPES
from ...tensor import Tensor, wrap_dim
from ..common import new, require_tensor
from ..registry import OpTable

table = OpTable("reduce.counting")


# ============================================================ bincount
@table.op(out=False)
def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in a 1-D tensor (or the sum of its
    ``weights``), with at least ``minlength`` bins."""
    require_tensor(input, "bincount")
    if input.ndim != 1 or input._dtype.category != dt.INT:
        raise RuntimeError("bincount() takes a 1-dimensional tensor of non-negative "
                           "integers")
    data = input._data.astype(xp.int64)
    if (data < 0).any():
        raise RuntimeError("bincount() takes non-negative integers only")
    if minlength < 0:
        raise RuntimeError(f"bincount() needs minlength >= 0, not {minlength}")
    if weights is None:
        return new(xp.bincount(data, minlength=minlength).astype(xp.int64), dt.int64)
    require_tensor(weights, "bincount", "weights", 2)
    if weights._data.shape != data.shape:
        raise RuntimeError("bincount(): weights must have the input's shape")
    target = weights._dtype if weights._dtype.category == dt.FLOAT else dt.float64
    counts = xp.bincount(data, weights=weights._data.astype(xp.float64), minlength=minlength)
    return new(counts.astype(target.np), target)


# ================================================= histc, histogram
def _check_float(input, name: str):
    require_tensor(input, name)
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"{name}() works on float tensors, but got {input._dtype!r}")


@table.op()
def histc(input, bins=100, min=0, max=0):
    """A histogram of ``bins`` equal bins between ``min`` and ``max`` (the data's range
    when both are 0); values outside are left out."""
    _check_float(input, "histc")
    if bins <= 0:
        raise RuntimeError(f"histc() needs bins > 0, not {bins}")
    data = input._data.reshape(-1)
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f"histc(): max ({high}) must be at least min ({low})")
    counts, _ = xp.histogram(data, bins=bins, range=(low, high))
    return new(counts.astype(input._data.dtype), input._dtype)


@table.op(out=False)
def histogram(input, bins, *, range=None, weight=None, density=False):
    """``torch.return_types.histogram(hist, bin_edges)`` with ``bins`` equal bins (or the
    given edges)."""
    _check_float(input, "histogram")
    data = input._data.reshape(-1).astype(xp.float64)
    edges = bins._data.astype(xp.float64) if isinstance(bins, Tensor) else bins
    if isinstance(bins, numbers.Integral) and range is None and data.size:
        range = (float(data.min()), float(data.max()))
    w = None if weight is None else weight._data.reshape(-1).astype(xp.float64)
    hist, bin_edges = xp.histogram(data, bins=edges, range=range, weights=w, density=density)
    dtype = input._dtype
    return TYPES["histogram"]((new(hist.astype(dtype.np), dtype),
                               new(bin_edges.astype(dtype.np), dtype)))


# ============================================= bucketize, searchsorted
def _index_dtype(out_int32: bool):
    return dt.int32 if out_int32 else dt.int64


@table.op(method=False)
def bucketize(input, boundaries, *, out_int32=False, right=False):
    """For each value, the index of the bucket of sorted ``boundaries`` it falls in."""
    values = input._data if isinstance(input, Tensor) else xp.asarray(input)
    require_tensor(boundaries, "bucketize", "boundaries", 2)
    if boundaries.ndim != 1:
        raise RuntimeError("bucketize() needs 1-dimensional boundaries")
    side = "left" if not right else "right"
    target = _index_dtype(out_int32)
    return new(xp.asarray(xp.searchsorted(boundaries._data, values, side=side),
                          dtype=target.np), target)


@table.op(method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Where each value would go in the sorted innermost dim of ``sorted_sequence``."""
    require_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted(): side must be 'left' or 'right', not {side!r}")
        if right and side == "left":
            raise RuntimeError("searchsorted(): side='left' contradicts right=True")
        right = side == "right"
    how = "right" if right else "left"
    seq = sorted_sequence._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, -1)
    values = input._data if isinstance(input, Tensor) else xp.asarray(input)
    target = _index_dtype(out_int32)
    if seq.ndim == 1:
        found = xp.searchsorted(seq, values, side=how)
    else:
        if values.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(f"searchsorted(): the leading dims of sorted_sequence "
                               f"{list(seq.shape[:-1])} and input {list(values.shape[:-1])} "
                               "must match")
        found = xp.empty(values.shape, dtype=xp.int64)
        for index in xp.ndindex(*seq.shape[:-1]):
            found[index] = xp.searchsorted(seq[index], values[index], side=how)
    return new(xp.asarray(found, dtype=target.np), target)


# ==================================================== unique, isin
def _pack(result, inverse, counts, return_inverse, return_counts, dtype, in_shape):
    out = [new(xp.ascontiguousarray(result), dtype)]
    if return_inverse:
        out.append(new(inverse.reshape(in_shape).astype(xp.int64), dt.int64))
    if return_counts:
        out.append(new(counts.astype(xp.int64), dt.int64))
    return out[0] if len(out) == 1 else tuple(out)


@table.op(out=False)
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), with the inverse indices and counts when asked;
    with ``dim``, the distinct slices along it."""
    require_tensor(input, "unique")
    data = input._data
    if dim is None:
        values, inverse, counts = xp.unique(data.reshape(-1), return_inverse=True,
                                            return_counts=True)
        return _pack(values, inverse, counts, return_inverse, return_counts, input._dtype,
                     data.shape)
    d = wrap_dim(dim, input.ndim)
    moved = xp.moveaxis(data, d, 0)
    values, inverse, counts = xp.unique(moved.reshape(moved.shape[0], -1), axis=0,
                                        return_inverse=True, return_counts=True)
    values = xp.moveaxis(values.reshape((-1,) + moved.shape[1:]), 0, d)
    return _pack(values, inverse, counts, return_inverse, return_counts, input._dtype,
                 (data.shape[d],))


@table.op(out=False)
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapses runs of equal consecutive values (or slices along ``dim``) to one."""
    require_tensor(input, "unique_consecutive")
    data = input._data
    if dim is None:
        flat = data.reshape(-1)
        rows, shape_in = flat.reshape(-1, 1), data.shape
        d = None
    else:
        d = wrap_dim(dim, input.ndim)
        moved = xp.moveaxis(data, d, 0)
        rows, shape_in = moved.reshape(moved.shape[0], -1), (data.shape[d],)
    if rows.shape[0] == 0:
        starts = xp.zeros(0, dtype=bool)
    else:
        starts = xp.concatenate([[True], (rows[1:] != rows[:-1]).any(axis=1)])
    inverse = xp.cumsum(starts) - 1
    positions = xp.flatnonzero(starts)
    counts = xp.diff(xp.append(positions, rows.shape[0]))
    if d is None:
        values = rows[positions, 0]
    else:
        picked = xp.moveaxis(data, d, 0)[positions]
        values = xp.moveaxis(picked, 0, d)
    return _pack(values, inverse, counts, return_inverse, return_counts, input._dtype,
                 shape_in)


@table.op(method=False)
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element occurs among ``test_elements`` (a tensor or a number)."""
    a = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else \
        xp.asarray(test_elements)
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() needs a tensor for elements or test_elements")
    return new(xp.isin(a, b, invert=invert), dt.bool_)


@table.op(composes=("sort",))
def msort(input):
    """The input sorted along its first dimension."""
    require_tensor(input, "msort")
    return ops.sort(input, 0).values
