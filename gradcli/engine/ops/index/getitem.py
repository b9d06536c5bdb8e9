"""``x[...]`` and ``x[...] = v``: basic indices as views, advanced ones as copies.

Also the advanced-indexing core (``expand_indices``, ``advanced_index``) and
``index_put``, which ``x[...] = v`` uses for advanced indices.
"""

from __future__ import annotations

import numbers

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...tensor import SharedArray, Tensor
from .. import inplace as ip
from ..common import new
from ..registry import OpTable
from ..views import fresh, list_repr
from ._helpers import long_tensor, zeros_tensor

table = OpTable("index.getitem")


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, xp.bool_))


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
                aligned.append(long_tensor(coords))
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
    zeros = zeros_tensor(ctx.shape, grad._dtype)
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
        grad, ctx.indices, zeros_tensor((), grad._dtype), accumulate=False)
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
    items = tuple(index) if _treat_as_tuple(index) else (index,)
    if any(isinstance(item, range) for item in items):    # a range indexes as its list
        items = tuple(list(item) if isinstance(item, range) else item for item in items)
    return items


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
    return isinstance(value, SharedArray)


def _bool_index(value: bool) -> Tensor:
    return long_tensor([0] if value else [])


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
        elif isinstance(item, (Tensor, list, tuple, range)) or _is_ndarray(item):
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
