"""Indexing: getitem/setitem, gather/scatter, masks, index_select, nonzero, and in-place writes.

``x[...]`` follows PyTorch's ``applySlicing``: ints, slices, ``None``,
``...`` and bools are applied one after the other as views (``SelectBackward0``,
``SliceBackward0``, ``UnsqueezeBackward0``), while index tensors, lists and
masks are collected at the dims they stand for and applied at the end as one
advanced-indexing copy (``IndexBackward0``), with NumPy's placement of the
indexed dims. ``x[...] = v`` writes through the same views (``copy_``/``fill_``,
so the base records ``CopySlices``) or with ``index_put_``.

The in-place writers that are not an out-of-place op plus a write
(``copy_``, ``fill_``, ``zero_``, ``resize_``, ``t_``...) are declared here
too; their machinery lives in ``ops/inplace.py``.
"""

from __future__ import annotations

import numbers

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..namespace import ops
from ..ndarray import NDArray
from ..node import Backward, SavedContext, backward
from ..tensor import Tensor, wrap_dim
from . import inplace as ip
from .common import broadcast_shapes, new, tensor_or_none
from .registry import OpTable
from .views import fresh, list_repr

table = OpTable("index")


def _zeros(shape, dtype: dt.DType) -> Tensor:
    return new(xp.zeros(shape, dtype=dtype.np), dtype)


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, xp.bool_))


def _long(array) -> Tensor:
    return new(xp.asarray(array, dtype=xp.int64), dt.int64)


# ====================================================== advanced indexing core
def _index_dtype_ok(t: Tensor) -> bool:
    return t._dtype in (dt.int64, dt.int32, dt.int16, dt.int8, dt.uint8, dt.bool_)


def _to_index_tensor(value) -> Tensor:
    """A list/tuple of ints or bools (or a tensor) as an index tensor."""
    if isinstance(value, Tensor):
        t = value
    else:
        t = ops.tensor(value)
        if t.numel() == 0:
            t = new(t._data.astype(xp.int64), dt.int64)
    if not _index_dtype_ok(t):
        raise IndexError(f"an index tensor must hold integers or bools, not {t._dtype.name}")
    return t


def expand_indices(input: Tensor, indices) -> list:
    """Index tensors (or None) aligned to ``input``'s dims, masks turned into long indices.

    Checks each mask's shape and every index's range, with PyTorch's IndexErrors.
    """
    shape = input._data.shape
    aligned = []
    for idx in indices:
        if idx is None:
            aligned.append(None)
            continue
        if idx._dtype in (dt.bool_, dt.uint8):
            start = len(aligned)
            for k, size in enumerate(idx._data.shape):
                if start + k >= len(shape):
                    raise IndexError(f"too many indices: the tensor has {len(shape)} dims")
                if shape[start + k] != size:
                    raise IndexError(
                        f"mask of shape {list_repr(idx._data.shape)} does not fit the "
                        f"tensor's shape {list_repr(shape)}: dim {k} of the mask has size "
                        f"{size} but dim {start + k} of the tensor has {shape[start + k]}")
            for coords in xp.nonzero(idx._data.astype(bool)):
                aligned.append(_long(coords))
            continue
        aligned.append(idx if idx._dtype is dt.int64 else new(idx._data.astype(xp.int64),
                                                               dt.int64))
    if len(aligned) > len(shape):
        raise IndexError(f"too many indices: the tensor has {len(shape)} dims")
    for d, idx in enumerate(aligned):
        if idx is None or idx._data.size == 0:
            continue
        size = shape[d]
        low, high = int(idx._data.min()), int(idx._data.max())
        bad = high if high >= size else (low if low < -size else None)
        if bad is not None:
            raise IndexError(f"index {bad} is out of range for dim {d}, which has size {size}")
    shapes = [idx._data.shape for idx in aligned if idx is not None]
    try:
        xp.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError("index tensors of shapes "
                         f"{', '.join(list_repr(s) for s in shapes)} do not broadcast "
                         "together") from None
    return aligned


def _key(aligned) -> tuple:
    return tuple(slice(None) if idx is None else idx._data for idx in aligned)


def index_result_shape(shape, aligned) -> tuple:
    """The shape of ``input[aligned]`` (NumPy's placement of the advanced dims)."""
    positions = [d for d, idx in enumerate(aligned) if idx is not None]
    if not positions:
        return tuple(shape)
    indexed = xp.broadcast_shapes(*(aligned[d]._data.shape for d in positions))
    rest = [d for d in range(len(shape)) if d not in positions]
    if positions == list(range(positions[0], positions[-1] + 1)):
        return tuple(shape[:positions[0]]) + tuple(indexed) + tuple(shape[positions[-1] + 1:])
    return tuple(indexed) + tuple(shape[d] for d in rest)


@backward("IndexBackward0")
def _index_backward(ctx, grad):
    zeros = _zeros(ctx.shape, grad._dtype)
    return (_index_put_impl(zeros, ctx.indices, grad, accumulate=True),)


@table.internal
def advanced_index(input: Tensor, indices) -> Tensor:
    """``input[indices]`` for a sequence of index tensors (or None) from dim 0: a copy."""
    aligned = expand_indices(input, indices)
    result = fresh(input._data[_key(aligned)], input._dtype)
    if ag.needs_grad(input):
        ag.record(_index_backward, (input,), result,
                  SavedContext(shape=input._data.shape, indices=aligned))
    return result


def _put_values(input: Tensor, aligned, values: Tensor, accumulate: bool) -> Tensor:
    target = index_result_shape(input._data.shape, aligned)
    try:
        data = xp.broadcast_to(values._data, target)
    except ValueError:
        raise RuntimeError(f"cannot assign values of shape {list_repr(values._data.shape)} "
                           f"to the {list_repr(target)} elements selected by the index: "
                           "they do not broadcast") from None
    out = input._data.copy()
    if accumulate:
        xp.add.at(out, _key(aligned), data)
    else:
        out[_key(aligned)] = data
    return new(out, input._dtype)


def _index_put_backward(ctx, grad):
    grad_self = grad if ctx.accumulate else _index_put_impl(
        grad, ctx.indices, _zeros((), grad._dtype), accumulate=False)
    return grad_self, advanced_index(grad, ctx.indices)


index_put_backward0 = Backward("IndexPutBackward0", _index_put_backward)
index_put_impl_backward0 = Backward("IndexPutImplBackward0", _index_put_backward)


def _index_put_impl(input: Tensor, aligned, values: Tensor, accumulate: bool) -> Tensor:
    """``index_put`` with aligned long indices, recorded as ``IndexPutImplBackward0``."""
    result = _put_values(input, aligned, values, accumulate)
    if ag.needs_grad(input, values):
        ag.record(index_put_impl_backward0, (input, values), result,
                  SavedContext(indices=aligned, accumulate=accumulate))
    return result


def _check_same_dtype(input: Tensor, values: Tensor) -> None:
    if values._dtype is not input._dtype:
        raise RuntimeError(f"index_put(): values of dtype {values._dtype.name} cannot go into "
                           f"a {input._dtype.name} tensor; convert them first (.to(...))")


@table.op(inplace=True, backward=(index_put_backward0,), out=False)
def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (or added to it)."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): indices must be a tuple of tensors, not a "
                        f"{type(indices).__name__}")
    for i, idx in enumerate(indices):
        if not isinstance(idx, Tensor) and idx is not None:
            raise TypeError(f"index_put(): index {i} is a {type(idx).__name__}, not a "
                            "Tensor")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): values must be a Tensor, not a "
                        f"{type(values).__name__}")
    _check_same_dtype(input, values)
    aligned = expand_indices(input, [None if i is None else _to_index_tensor(i)
                                     for i in indices])
    result = _put_values(input, aligned, values, bool(accumulate))
    if ag.needs_grad(input, values):
        ag.record(index_put_backward0, (input, values), result,
                  SavedContext(indices=aligned, accumulate=bool(accumulate)))
    return result


ip.WRITE_SELECTED.add(index_put)


# ================================================================== getitem
def _treat_as_tuple(index) -> bool:
    """PyTorch's rule: a short list holding slices, None, ..., tensors or lists is a tuple."""
    if isinstance(index, tuple):
        return True
    if not isinstance(index, list) or len(index) >= 32:
        return False
    return any(isinstance(item, (Tensor, list, tuple, slice)) or item is None or item is Ellipsis
               for item in index)


def _items(index) -> tuple:
    if isinstance(index, str):
        raise TypeError("a string cannot index a tensor")
    return tuple(index) if _treat_as_tuple(index) else (index,)


def _specified(items) -> int:
    count = 0
    for item in items:
        if isinstance(item, Tensor):
            count += item.ndim if item._dtype in (dt.bool_, dt.uint8) else 1
        elif item is not None and item is not Ellipsis and not isinstance(item, (bool, xp.bool_)):
            count += 1
    return count


def _select_at(t: Tensor, d: int, i: int) -> Tensor:
    if t.ndim == 0:
        raise IndexError("a 0-dim tensor has no dim to index; use .item() to get its number")
    size = t._data.shape[d]
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of range for dim {d}, which has size {size}")
    return ops.select_view(t, d, i + size if i < 0 else i)


def _slice_parts(s: slice) -> tuple:
    def part(v, default):
        if v is None:
            return default
        if isinstance(v, Tensor):
            return v.__index__()
        if not _is_int(v):
            raise TypeError(f"slice bounds must be integers or None, not {type(v).__name__}")
        return int(v)
    step = part(s.step, 1)
    if step == 0:
        raise ValueError("a slice step cannot be zero")
    if step < 0:
        raise ValueError("a slice step must be positive (use flip() to reverse a tensor)")
    return part(s.start, None), part(s.stop, None), step


def _slice_at(t: Tensor, d: int, s: slice, optimize: bool) -> Tensor:
    if t.ndim == 0:
        raise IndexError("a 0-dim tensor has no dim to slice")
    start, stop, step = _slice_parts(s)
    size = t._data.shape[d]
    start, stop = ops.slice_bounds(size, start, stop, step)
    if optimize and start == 0 and stop == size and step == 1:
        return t
    return ops.slice_view(t, d, start, stop, step)


def _is_ndarray(value) -> bool:
    return isinstance(value, NDArray)


def _bool_index(value: bool) -> Tensor:
    return _long([0] if value else [])


def apply_slicing(self: Tensor, items, optimize: bool = True):
    """Applies the basic parts of an index; returns (view, index tensors aligned to its dims)."""
    ndim = self.ndim
    specified = _specified(items)
    if specified > ndim:
        raise IndexError(f"too many indices: the tensor has {ndim} dims")
    result = self
    dim = 0
    tensors: list = []

    def record(t: Tensor, width: int = 1) -> None:
        nonlocal dim
        tensors.extend([None] * (dim - len(tensors)))
        tensors.append(t)
        tensors.extend([None] * (width - 1))
        dim += width

    for item in items:
        if _is_int(item):
            result = _select_at(result, dim, int(item))
        elif isinstance(item, slice):
            result = _slice_at(result, dim, item, optimize)
            dim += 1
        elif item is Ellipsis:
            dim += ndim - specified
        elif item is None:
            result = ops.unsqueeze(result, dim)
            dim += 1
        elif isinstance(item, (bool, xp.bool_)):
            result = ops.unsqueeze(result, dim)
            record(_bool_index(bool(item)))
        elif isinstance(item, (Tensor, list, tuple)) or _is_ndarray(item):
            t = _to_index_tensor(item)
            if t.ndim == 0 and t._dtype not in (dt.bool_, dt.uint8):
                result = _select_at(result, dim, t.__index__())
            elif t.ndim == 0:
                result = ops.unsqueeze(result, dim)
                record(_bool_index(bool(t.item())))
            elif t._dtype in (dt.bool_, dt.uint8):
                record(t, t.ndim)
            else:
                record(t)
        else:
            raise IndexError(f"a {type(item).__name__} cannot index a tensor: use integers, "
                             "slices, None, ..., bools, or integer/bool tensors and lists")
    while tensors and tensors[-1] is None:
        tensors.pop()
    return result, tensors


def _mask_aware(tensors) -> list:
    """Aligned entries -> the list ``index`` takes (a k-dim mask stands for k dims)."""
    out = []
    skip = 0
    for t in tensors:
        if skip:
            skip -= 1
            continue
        out.append(t)
        if t is not None and t._dtype in (dt.bool_, dt.uint8):
            skip = t.ndim - 1
    return out


@table.op(function=False, method=False, operators=("__getitem__",), out=False,
          backward=(_index_backward,), composes=("unsqueeze", "select", "narrow", "alias_view"))
def getitem(self, index):
    """``self[index]``: a view for basic indices, a copy for advanced ones."""
    if index is None:
        return ops.unsqueeze(self, 0)
    if index is Ellipsis:
        return ops.alias_view(self)
    if _is_int(index):
        return _select_at(self, 0, int(index))
    if isinstance(index, slice):
        return _slice_at(self, 0, index, optimize=False)
    if isinstance(index, (bool, xp.bool_)):
        return advanced_index(ops.unsqueeze(self, 0), [_bool_index(bool(index))])
    result, tensors = apply_slicing(self, _items(index))
    if not tensors:
        return ops.alias_view(result) if result is self else result
    return advanced_index(result, _mask_aware(tensors))



# ================================================================== setitem
def _value_tensor(self: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, xp.number, xp.bool_)) and \
            not isinstance(value, complex):
        return new(ip.full_of((), self._dtype, value), self._dtype)
    kind = "numpy.ndarray" if _is_ndarray(value) else type(value).__name__
    raise TypeError(f"cannot assign a {kind} to elements of a tensor: assign a number or a "
                    "Tensor")


def _strip_leading_ones(shape) -> tuple:
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def copy_to(dst: Tensor, src: Tensor) -> None:
    """PyTorch's ``copy_to`` of setitem: copy_, fill_ from a 0-dim value, or broadcast copy."""
    if dst._data.shape == src._data.shape:
        ip.copy_(dst, src)
        return
    if src.ndim == 0:
        ip.fill_values(dst, src)
        return
    stripped = ops.view(src, _strip_leading_ones(src._data.shape))
    if stripped._data.shape != dst._data.shape:
        stripped = ops.expand(stripped, dst._data.shape)
    ip.copy_(dst, stripped)


@table.op(function=False, method=False, operators=("__setitem__",), out=False,
          backward=(ip.copy_slices, ip.copy_backward, ip.fill_tensor_backward, index_put_backward0))
def setitem(self, index, value):
    """``self[index] = value``: writes through a view, or ``index_put_`` for advanced indices."""
    value = _value_tensor(self, value)
    if isinstance(index, (bool, xp.bool_)) and not index:
        return
    if index is Ellipsis:
        copy_to(self, value)
        return
    if index is None or (isinstance(index, (bool, xp.bool_)) and index):
        copy_to(ops.unsqueeze(self, 0), value)
        return
    if _is_int(index):
        copy_to(_select_at(self, 0, int(index)), value)
        return
    if isinstance(index, slice):
        copy_to(_slice_at(self, 0, index, optimize=True), value)
        return
    sliced, tensors = apply_slicing(self, _items(index))
    if not tensors:
        copy_to(sliced, value)
        return
    stripped = _strip_leading_ones(value._data.shape)
    if stripped != value._data.shape:
        value = ops.view(value, stripped)
    _check_same_dtype(sliced, value)
    ip.apply_inplace(sliced, index_put, (tuple(_mask_aware(tensors)), value), {})


# ============================================================ index_select
def _check_dim_index(input: Tensor, index, name: str, dtypes=(dt.int64, dt.int32)) -> Tensor:
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): index must be a Tensor, not a {type(index).__name__}")
    if index._dtype not in dtypes:
        allowed = " or ".join(d.name for d in dtypes)
        raise RuntimeError(f"{name}(): the index must be {allowed}, not {index._dtype.name}")
    return index


@backward("IndexAddBackward0")
def _index_add_backward_self(ctx, grad):
    return grad, (index_select(grad, ctx.dim, ctx.index) * ctx.alpha
                  if ctx.alpha != 1 else index_select(grad, ctx.dim, ctx.index))


@backward("IndexSelectBackward0")
def _index_select_backward(ctx, grad):
    return (index_add(_zeros(ctx.shape, grad._dtype), ctx.dim, ctx.index, grad),)


@table.op(backward=(_index_select_backward,))
def index_select(input, dim, index):
    """The slices at positions ``index`` (a 1-D tensor) along ``dim``: a copy."""
    index = _check_dim_index(input, index, "index_select")
    if index.ndim > 1:
        raise IndexError(f"index_select(): the index must be 1-D, not {index.ndim}-D")
    d = wrap_dim(dim, input.ndim)
    idx = index._data.reshape(-1).astype(xp.int64)
    if input.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): a 0-dim tensor takes one index, not "
                               f"{idx.size}")
        data = input._data.copy()
    else:
        size = input._data.shape[d]
        bad = idx[(idx < 0) | (idx >= size)]
        if bad.size:
            raise RuntimeError(f"index_select(): index {int(bad[0])} is out of range for dim "
                               f"{d}, which has size {size}")
        data = xp.take(input._data, idx, axis=d)
    result = fresh(data, input._dtype, copy=input.ndim == 0)
    if ag.needs_grad(input):
        ag.record(_index_select_backward, (input,), result,
                  SavedContext(shape=input._data.shape, dim=d, index=index))
    return result


def _index_add_arrays(input: Tensor, d: int, index: Tensor, source: Tensor, name: str):
    if source._dtype is not input._dtype:
        raise RuntimeError(f"{name}(): source has dtype {source._dtype.name} but the tensor "
                           f"has {input._dtype.name}; they must match")
    if index.ndim > 1:
        raise IndexError(f"{name}(): the index must be 1-D, not {index.ndim}-D")
    idx = index._data.reshape(-1).astype(xp.int64)
    if input.ndim and source.ndim and source._data.shape[d] != idx.size:
        raise RuntimeError(f"{name}(): {idx.size} indices but source has size "
                           f"{source._data.shape[d]} in dim {d}; they must match")
    size = input._data.shape[d] if input.ndim else 1
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"{name}(): index {int(bad[0])} is out of range for dim {d}, "
                           f"which has size {size}")
    key = (slice(None),) * d + (idx,)
    expected = list(input._data.shape)
    if expected:
        expected[d] = idx.size
    try:
        src = xp.broadcast_to(source._data, tuple(expected))
    except ValueError:
        raise RuntimeError(f"{name}(): source of shape {list_repr(source._data.shape)} "
                           f"does not fit the indexed shape {list_repr(expected)}") from None
    return key, src


@table.op(inplace=True, backward=(_index_add_backward_self,))
def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at positions ``index`` along ``dim``."""
    index = _check_dim_index(input, index, "index_add")
    d = wrap_dim(dim, input.ndim)
    key, src = _index_add_arrays(input, d, index, source, "index_add_")
    out = input._data.copy()
    if input.ndim == 0:
        out = out + src.sum() * alpha
    else:
        xp.add.at(out, key, src * alpha if alpha != 1 else src)
    result = new(out, input._dtype)
    if ag.needs_grad(input, source):
        ag.record(_index_add_backward_self, (input, source), result,
                  SavedContext(dim=d, index=index, alpha=alpha))
    return result


@backward("IndexCopyBackward0")
def _index_copy_backward(ctx, grad):
    return index_fill(grad, ctx.dim, ctx.index, 0), index_select(grad, ctx.dim, ctx.index)


@table.op(inplace=True, backward=(_index_copy_backward,))
def index_copy(input, dim, index, source):
    """A copy of ``input`` with the slices of ``source`` placed at ``index`` along ``dim``."""
    index = _check_dim_index(input, index, "index_copy", (dt.int64,))
    d = wrap_dim(dim, input.ndim)
    key, src = _index_add_arrays(input, d, index, source, "index_copy_")
    out = input._data.copy()
    out[key] = src
    result = new(out, input._dtype)
    if ag.needs_grad(input, source):
        ag.record(_index_copy_backward, (input, source), result,
                  SavedContext(dim=d, index=index))
    return result


@backward("IndexFillBackward0")
def _index_fill_backward(ctx, grad):
    return (index_fill(grad, ctx.dim, ctx.index, 0),)


@backward("IndexFillBackward1")
def _index_fill_tensor_backward(ctx, grad):
    return (index_fill(grad, ctx.dim, ctx.index, 0),
            ops.sum(index_select(grad, ctx.dim, ctx.index)))


@table.op(inplace=True, backward=(_index_fill_backward, _index_fill_tensor_backward), out=False)
def index_fill(input, dim, index, value):
    """A copy of ``input`` with ``value`` at positions ``index`` along ``dim``."""
    index = _check_dim_index(input, index, "index_fill", (dt.int64,))
    d = wrap_dim(dim, input.ndim)
    value_tensor = None
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"index_fill(): the value must be a number or a 0-dim tensor, "
                               f"not a {value.ndim}-D tensor")
        value_tensor, value = value, value.item()
    idx = index._data.reshape(-1).astype(xp.int64)
    size = input._data.shape[d] if input.ndim else 1
    bad = idx[(idx < -size) | (idx >= size)]
    if bad.size:
        raise IndexError(f"index_fill(): index {int(bad[0])} is out of range for dim {d}, "
                         f"which has size {size}")
    out = input._data.copy()
    if input.ndim:
        out[(slice(None),) * d + (idx,)] = ip.full_of((), input._dtype, value)
    elif idx.size:
        out[...] = ip.full_of((), input._dtype, value)
    result = new(out, input._dtype)
    if value_tensor is not None and ag.needs_grad(input, value_tensor):
        ag.record(_index_fill_tensor_backward, (input, value_tensor),
                  result, SavedContext(dim=d, index=index))
    elif ag.needs_grad(input):
        ag.record(_index_fill_backward, (input,), result,
                  SavedContext(dim=d, index=index))
    return result


# ========================================================== gather, scatter
def _gather_checks(input: Tensor, d: int, index: Tensor, name: str, src: Tensor | None = None):
    if index.ndim != input.ndim and not (index.ndim <= 1 and input.ndim <= 1):
        raise RuntimeError(f"{name}(): the index has {index.ndim} dims but the tensor has "
                           f"{input.ndim}; they must match")
    ishape, shape = index._data.shape, input._data.shape
    for k in range(index.ndim):
        if k != d and k < len(shape) and ishape[k] > shape[k]:
            raise RuntimeError(f"{name}(): the index {list_repr(ishape)} is larger than "
                               f"the tensor {list_repr(shape)} in dim {k} (only dim {d} "
                               "may differ)")
        if src is not None and k < src.ndim and ishape[k] > src._data.shape[k]:
            raise RuntimeError(f"{name}(): the index {list_repr(ishape)} is larger than "
                               f"src {list_repr(src._data.shape)} in dim {k}")
    size = shape[d] if shape else 1
    idx = index._data.astype(xp.int64)
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"{name}(): index {int(bad.reshape(-1)[0])} is out of range for "
                           f"dim {d}, which has size {size}")
    return idx


def _coords(idx, d: int) -> tuple:
    """Full coordinates for scatter/gather: ``idx`` along ``d``, positions elsewhere."""
    if idx.ndim == 0:
        return (idx,)
    grids = list(xp.indices(idx.shape, sparse=True))
    grids[d] = idx
    return tuple(grids)


@backward("GatherBackward0")
def _gather_backward(ctx, grad):
    return (scatter_add(_zeros(ctx.shape, grad._dtype), ctx.dim, ctx.index, grad),)


@table.op(backward=(_gather_backward,))
def gather(input, dim, index, *, sparse_grad=False):
    """``out[i][j] = input[index[i][j]][j]`` (for dim 0): values picked along ``dim``."""
    if not isinstance(index, Tensor):
        raise TypeError(f"gather(): index must be a Tensor, not a {type(index).__name__}")
    if index._dtype not in (dt.int64, dt.int32):
        raise RuntimeError(f"gather(): the index must be int64 or int32, not "
                           f"{index._dtype.name}")
    d = wrap_dim(dim, input.ndim)
    idx = _gather_checks(input, d, index, "gather")
    data = input._data[_coords(idx, d)] if input.ndim else input._data.copy()
    result = fresh(data, input._dtype)
    if ag.needs_grad(input):
        ag.record(_gather_backward, (input,), result,
                  SavedContext(shape=input._data.shape, dim=d, index=index))
    return result


def _gathered_for_src(ctx, grad, node: str) -> Tensor:
    """The gradient of a scatter's ``src``; PyTorch rejects it when ``src`` outsizes ``index``."""
    if not ctx.need_src:
        return None
    if ctx.src_shape != ctx.index._data.shape:
        raise RuntimeError(f"{node} cannot give src a gradient: the index "
                           f"{list_repr(ctx.index._data.shape)} covers only part of src "
                           f"{list_repr(ctx.src_shape)}")
    return gather(grad, ctx.dim, ctx.index)


@backward("ScatterBackward0")
def _scatter_src_backward(ctx, grad):
    return (scatter(grad, ctx.dim, ctx.index, 0),
            _gathered_for_src(ctx, grad, "ScatterBackward0"))


@backward("ScatterBackward1")
def _scatter_value_backward(ctx, grad):
    return (scatter(grad, ctx.dim, ctx.index, 0),)


@backward("NotImplemented")
def _not_implemented(ctx, *grads):
    raise RuntimeError("scatter() with reduce= has no derivative (as in PyTorch); use "
                       "scatter_add() or scatter_reduce()")


@table.op(inplace=True, backward=(_scatter_src_backward, _scatter_value_backward, _not_implemented))
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (or ``value``) written at ``index`` along ``dim``."""
    if src is None and value is None:
        raise TypeError("scatter() needs src (a tensor) or value (a number)")
    if not isinstance(src, Tensor):
        value = src if src is not None else value
        src = None
    if not isinstance(index, Tensor):
        raise TypeError(f"scatter(): index must be a Tensor, not a {type(index).__name__}")
    if index._dtype not in (dt.int64, dt.int32):
        raise RuntimeError(f"scatter(): the index must be int64, not {index._dtype.name}")
    if src is not None and src._dtype is not input._dtype:
        raise RuntimeError(f"scatter(): src has dtype {src._dtype.name} but the tensor has "
                           f"{input._dtype.name}; they must match")
    d = wrap_dim(dim, input.ndim)
    idx = _gather_checks(input, d, index, "scatter", src)
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError(f"scatter(): reduce must be 'add' or 'multiply', not {reduce!r}")
    out = input._data.copy()
    coords = _coords(idx, d) if input.ndim else (Ellipsis,)
    if src is not None:
        values = src._data[tuple(slice(0, s) for s in idx.shape)] if src.ndim else src._data
    else:
        values = ip.full_of(idx.shape, input._dtype, value)
    if reduce == "add":
        xp.add.at(out, coords, values)
    elif reduce == "multiply":
        xp.multiply.at(out, coords, values)
    else:
        out[coords] = values
    result = new(out, input._dtype)
    if reduce is not None:
        if ag.needs_grad(input, src):
            ag.record(_not_implemented, (input, tensor_or_none(src)), result)
    elif src is not None and ag.needs_grad(input, src):
        ag.record(_scatter_src_backward, (input, src), result,
                  SavedContext(dim=d, index=index, src_shape=src._data.shape,
                       need_src=src._requires_grad))
    elif src is None and ag.needs_grad(input):
        ag.record(_scatter_value_backward, (input,), result,
                  SavedContext(dim=d, index=index))
    return result


@backward("ScatterAddBackward0")
def _scatter_add_backward(ctx, grad):
    return grad, _gathered_for_src(ctx, grad, "ScatterAddBackward0")


@table.op(inplace=True, backward=(_scatter_add_backward,))
def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): src must be a Tensor, not a {type(src).__name__}")
    if not isinstance(index, Tensor) or index._dtype not in (dt.int64, dt.int32):
        raise RuntimeError("scatter_add(): the index must be an int64 tensor")
    if src._dtype is not input._dtype:
        raise RuntimeError(f"scatter_add(): src has dtype {src._dtype.name} but the tensor has "
                           f"{input._dtype.name}; they must match")
    d = wrap_dim(dim, input.ndim)
    idx = _gather_checks(input, d, index, "scatter_add", src)
    out = input._data.copy()
    values = src._data[tuple(slice(0, s) for s in idx.shape)] if src.ndim else src._data
    xp.add.at(out, _coords(idx, d) if input.ndim else (Ellipsis,), values)
    result = new(out, input._dtype)
    if ag.needs_grad(input, src):
        ag.record(_scatter_add_backward, (input, src), result,
                  SavedContext(dim=d, index=index, src_shape=src._data.shape,
                       need_src=src._requires_grad))
    return result


@backward("TakeBackward0")
def _take_backward(ctx, grad):
    return (put(_zeros(ctx.shape, grad._dtype), ctx.index, grad, accumulate=True),)


def _flat_index(input: Tensor, index: Tensor, name: str):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): index must be a Tensor, not a {type(index).__name__}")
    if index._dtype is not dt.int64:
        raise RuntimeError(f"{name}(): the index must be int64, not {index._dtype.name}")
    n = input._data.size
    idx = index._data
    bad = idx[(idx < -n) | (idx >= n)]
    if bad.size:
        raise IndexError(f"{name}(): index {int(bad.reshape(-1)[0])} is out of range for a "
                         f"tensor of {n} elements")
    return xp.where(idx < 0, idx + n, idx)


@table.op(backward=(_take_backward,))
def take(input, index):
    """The elements at the given positions of the flattened input, in ``index``'s shape."""
    idx = _flat_index(input, index, "take")
    result = fresh(input._data.reshape(-1)[idx], input._dtype)
    if ag.needs_grad(input):
        ag.record(_take_backward, (input,), result,
                  SavedContext(shape=input._data.shape, index=index))
    return result


@backward("PutBackward0")
def _put_backward(ctx, grad):
    grad_self = grad if ctx.accumulate else put(grad, ctx.index, _zeros(ctx.index_shape,
                                                                        grad._dtype))
    return grad_self, take(grad, ctx.index)


@table.op(inplace=True, backward=(_put_backward,), out=False)
def put(input, index, source, accumulate=False):
    """A copy of ``input`` with ``source`` written at flat positions ``index``."""
    idx = _flat_index(input, index, "put")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"put(): source has dtype {source._dtype.name} but the tensor has "
                           f"{input._dtype.name}; they must match")
    if source._data.size != idx.size:
        raise RuntimeError(f"put(): {idx.size} indices but {source._data.size} source "
                           "elements; they must match")
    out = input._data.copy()
    flat = out.reshape(-1)
    if accumulate:
        xp.add.at(flat, idx.reshape(-1), source._data.reshape(-1))
    else:
        flat[idx.reshape(-1)] = source._data.reshape(-1)
    result = new(out, input._dtype)
    if ag.needs_grad(input, source):
        ag.record(_put_backward, (input, source), result,
                  SavedContext(index=index, index_shape=index._data.shape, accumulate=accumulate))
    return result


# ================================================================= masks
def _check_mask(mask, message: str) -> Tensor:
    if not isinstance(mask, Tensor):
        raise TypeError(f"the mask must be a Tensor, not a {type(mask).__name__}")
    if mask._dtype is not dt.bool_:
        raise RuntimeError(message.format(dtype=mask._dtype.name))
    return mask


@backward("MaskedFillBackward0")
def _masked_fill_backward(ctx, grad):
    (mask,) = ctx.saved_tensors
    return (masked_fill(grad, mask, 0),)


@backward("MaskedFillBackward1")
def _masked_fill_tensor_backward(ctx, grad):
    (mask,) = ctx.saved_tensors
    return masked_fill(grad, mask, 0), ops.sum(masked_select(grad, mask))


@table.op(inplace=True, backward=(_masked_fill_backward, _masked_fill_tensor_backward), out=False)
def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where ``mask`` is True (the two broadcast)."""
    _check_mask(mask, "masked_fill(): the mask must be a bool tensor, not {dtype}")
    value_tensor = None
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"masked_fill(): the value must be a number or a 0-dim tensor, "
                               f"not a {value.ndim}-D tensor")
        value_tensor, value = value, value.item()
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    fill = ip.full_of((), input._dtype, value)
    data = xp.where(mask._data, fill, input._data)
    result = fresh(xp.broadcast_to(data, shape), input._dtype, copy=True)
    if value_tensor is not None and ag.needs_grad(input, value_tensor):
        ctx = SavedContext()
        ctx.save(mask)
        ag.record(_masked_fill_tensor_backward, (input, value_tensor),
                  result, ctx)
    elif ag.needs_grad(input):
        ctx = SavedContext()
        ctx.save(mask)
        ag.record(_masked_fill_backward, (input,), result, ctx)
    return result


ip.WRITE_SELECTED.add(masked_fill)


@backward("MaskedSelectBackward0")
def _masked_select_backward(ctx, grad):
    (mask,) = ctx.saved_tensors
    zeros = _zeros(ctx.shape, grad._dtype)
    return (masked_scatter(zeros, mask, grad),)


@table.op(backward=(_masked_select_backward,))
def masked_select(input, mask):
    """The elements where ``mask`` is True (the two broadcast), as a 1-D copy."""
    _check_mask(mask, "masked_select(): the mask must be a bool tensor, not {dtype}")
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    data = xp.broadcast_to(input._data, shape)[xp.broadcast_to(mask._data, shape)]
    result = fresh(data, input._dtype)
    if ag.needs_grad(input):
        ctx = SavedContext()
        ctx.save(mask)
        ctx.shape = shape
        ag.record(_masked_select_backward, (input,), result, ctx)
    return result


def _replaced(input, key, src):
    """A copy of ``input`` whose region ``key`` holds ``src`` (which must fit it exactly)."""
    slot = input._data[key].shape
    if src._data.shape != slot:
        raise RuntimeError(f"src of shape {list_repr(src._data.shape)} must have the "
                           f"shape of the slice it replaces, {list_repr(slot)}")
    out = input._data.copy()
    out[key] = src._data
    return new(out, input._dtype)


@backward("MaskedScatterBackward0")
def _masked_scatter_backward(ctx, grad):
    (mask,) = ctx.saved_tensors
    selected = masked_select(grad, mask)
    missing = ctx.source_numel - selected._data.size
    if missing > 0:
        selected = ops.cat([selected, _zeros((missing,), grad._dtype)])
    return masked_fill(grad, mask, 0), ops.reshape(selected, ctx.source_shape)


@table.op(inplace=True, backward=(_masked_scatter_backward,), out=False)
def masked_scatter(input, mask, source):
    """A copy of ``input`` with ``source``'s leading elements placed where ``mask`` is True."""
    _check_mask(mask, "masked_scatter(): the mask must be a bool tensor, not {dtype}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"masked_scatter(): source has dtype {source._dtype.name} but the "
                           f"tensor has {input._dtype.name}; they must match")
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    out = xp.array(xp.broadcast_to(input._data, shape), order="C")
    where = xp.broadcast_to(mask._data, shape)
    count = int(where.sum())
    if source._data.size < count:
        raise RuntimeError(f"masked_scatter(): the mask selects {count} elements but source "
                           f"has only {source._data.size}")
    out[where] = source._data.reshape(-1)[:count]
    result = new(out, input._dtype)
    if ag.needs_grad(input, source):
        ctx = SavedContext()
        ctx.save(mask)
        ctx.source_numel, ctx.source_shape = source._data.size, source._data.shape
        ag.record(_masked_scatter_backward, (input, source), result,
                  ctx)
    return result


@table.op()
def nonzero(input, *, as_tuple=False):
    """The coordinates of the non-zero elements: one row each (or one tensor per dim)."""
    data = input._data
    if data.ndim == 0:
        found = bool(data)
        if as_tuple:
            return (_long([0] if found else []),)
        return fresh(xp.zeros((1 if found else 0, 0), dtype=xp.int64), dt.int64)
    coords = xp.nonzero(data)
    if as_tuple:
        return tuple(_long(c) for c in coords)
    return fresh(xp.stack(coords, axis=1).astype(xp.int64), dt.int64)


@table.op(out=False)
def argwhere(input):
    """The coordinates of the non-zero elements, one row each (as ``nonzero``)."""
    return nonzero(input)


# ====================================================== select/slice scatter
@backward("SelectScatterBackward0")
def _select_scatter_backward(ctx, grad):
    return (select_scatter(grad, _zeros(ctx.src_shape, grad._dtype), ctx.dim, ctx.index),
            ops.select(grad, ctx.dim, ctx.index))


@table.op(backward=(_select_scatter_backward,), out=False)
def select_scatter(input, src, dim, index):
    """A copy of ``input`` whose slice ``select(dim, index)`` is replaced by ``src``."""
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    index = ops.index_int(index)
    if not -size <= index < size:
        raise IndexError(f"select_scatter(): index {index} is out of range for dim {d}, "
                         f"which has size {size}")
    index = index + size if index < 0 else index
    key = (slice(None),) * d + (index, Ellipsis)
    result = _replaced(input, key, src)
    if ag.needs_grad(input, src):
        ag.record(_select_scatter_backward, (input, src), result,
                  SavedContext(dim=d, index=index, src_shape=src._data.shape))
    return result


@backward("SliceScatterBackward0")
def _slice_scatter_backward(ctx, grad):
    return (slice_scatter(grad, _zeros(ctx.src_shape, grad._dtype), ctx.dim, ctx.start,
                          ctx.end, ctx.step),
            ops.slice_view(grad, ctx.dim, ctx.start, ctx.end, ctx.step))


@table.op(backward=(_slice_scatter_backward,))
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` whose slice ``start:end:step`` along ``dim`` is ``src``."""
    d = wrap_dim(dim, input.ndim)
    start, end = ops.slice_bounds(input._data.shape[d], start, end, step)
    key = (slice(None),) * d + (slice(start, end, step),)
    result = _replaced(input, key, src)
    if ag.needs_grad(input, src):
        ag.record(_slice_scatter_backward, (input, src), result,
                  SavedContext(dim=d, start=start, end=end, step=step, src_shape=src._data.shape))
    return result


# ============================================================= copy, fill
@backward("FillBackward0")
def _fill_backward(ctx, grad):
    return (ops.zeros_like(grad),)


@backward("FillBackward1")
def _fill_tensor_backward(ctx, grad):
    return ops.zeros_like(grad), ops.sum(grad)


@table.op(method=False, backward=(_fill_backward, _fill_tensor_backward), out=False)
def fill(input, value):
    """A tensor of ``input``'s shape and dtype filled with ``value``."""
    value_tensor = value if isinstance(value, Tensor) else None
    if value_tensor is not None:
        if value.ndim:
            raise RuntimeError(f"fill(): the value must be a number or a 0-dim tensor, not a "
                               f"{value.ndim}-D tensor")
        value = value.item()
    result = new(ip.full_of(input._data.shape, input._dtype, value), input._dtype)
    if value_tensor is not None and ag.needs_grad(input, value_tensor):
        ag.record(_fill_tensor_backward, (input, value_tensor), result)
    elif ag.needs_grad(input):
        ag.record(_fill_backward, (input,), result)
    return result


@table.op(name="fill_", out=False, backward=(ip.fill_backward2, ip.fill_tensor_backward))
def fill_(self, value):
    """Every element becomes ``value`` (a number or a 0-dim tensor)."""
    return ip.fill_values(self, value)


@table.op(name="zero_", out=False, backward=(ip.zero_backward0,))
def zero_(self):
    """Every element becomes 0."""
    return ip.fill_values(self, 0, zero=True)


@table.op(name="copy_", function=False, backward=(ip.copy_backward,))
def copy_(self, src, non_blocking=False):
    """Copies ``src`` into ``self`` (broadcast, converted to ``self``'s dtype)."""
    return ip.copy_(self, src, non_blocking)


@table.op(name="resize_", function=False)
def resize_(self, *sizes, size=None, memory_format=None):
    """Changes the shape in place; leading values are kept, new ones are zero."""
    return ip.resize_(self, *(sizes if size is None else (size,)))


@table.op(name="resize_as_", out=False)
def resize_as_(self, the_template, memory_format=None):
    return ip.resize_(self, the_template._data.shape)


# ================================================ in-place shape changes
@backward("TBackward1")
def _t1_backward(ctx, grad):
    return (ops.t(grad),)


@table.op(name="t_", function=False, backward=(_t1_backward,))
def t_(self):
    """Transposes the tensor itself (a matrix, or a 0-D/1-D tensor unchanged)."""
    if self.ndim > 2:
        raise RuntimeError(f"t_() transposes tensors of at most 2 dims; this one has "
                           f"{self.ndim}")
    return ip.restride_inplace(self, ops.t, _t1_backward, None)


@backward("TransposeBackward1")
def _transpose1_backward(ctx, grad):
    return (ops.transpose(grad, ctx.dim0, ctx.dim1),)


@table.op(name="transpose_", function=False, aliases=("swapaxes_", "swapdims_"),
          backward=(_transpose1_backward,))
def transpose_(self, dim0, dim1):
    """Swaps two dims of the tensor itself."""
    d0, d1 = wrap_dim(dim0, self.ndim), wrap_dim(dim1, self.ndim)
    return ip.restride_inplace(self, lambda t: ops.transpose(t, d0, d1), _transpose1_backward,
                               SavedContext(dim0=d0, dim1=d1))


def _squeeze_inplace_backward(ctx, grad):
    for d in ctx.dims:
        grad = ops.unsqueeze(grad, d)
    return (grad,)


# squeeze_'s nodes, by the node of the out-of-place squeeze with the same dims
_SQUEEZE_INPLACE = {"SqueezeBackward0": Backward("SqueezeBackward3", _squeeze_inplace_backward),
                    "SqueezeBackward1": Backward("SqueezeBackward4", _squeeze_inplace_backward),
                    "SqueezeBackward2": Backward("SqueezeBackward5", _squeeze_inplace_backward)}


@table.op(name="squeeze_", function=False, backward=tuple(_SQUEEZE_INPLACE.values()))
def squeeze_(self, dim=None):
    """Removes size-1 dims of the tensor itself."""
    dims, node = ops.squeeze_dims(self, dim)
    return ip.restride_inplace(self, lambda t: ops.squeeze(t, dim), _SQUEEZE_INPLACE[node.name],
                               SavedContext(dims=dims))


@backward("UnsqueezeBackward1")
def _unsqueeze_inplace_backward(ctx, grad):
    return (ops.squeeze(grad, ctx.dim),)


@table.op(name="unsqueeze_", function=False, backward=(_unsqueeze_inplace_backward,))
def unsqueeze_(self, dim):
    """Inserts a size-1 dim into the tensor itself."""
    d = wrap_dim(dim, self.ndim + 1)
    return ip.restride_inplace(self, lambda t: ops.unsqueeze(t, d), _unsqueeze_inplace_backward,
                               SavedContext(dim=d))

