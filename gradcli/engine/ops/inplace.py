"""Writing results into existing tensors: ``x.op_()``, ``out=``, ``copy_``, ``fill_``, ``resize_``.

An in-place op is computed out of place (from a snapshot of the target when
autograd records it), then written into the target's storage; the target takes
over the result's history. PyTorch's rules are enforced here:

- a leaf that requires grad, or a view of one, cannot be modified in grad mode;
- a view made under ``no_grad`` or by a multi-output op (``unbind``, ``split``)
  cannot be modified in place when autograd is involved;
- a tensor whose elements overlap in memory (an expanded view) cannot be written;
- every write bumps the version counter shared by a base and its views, so that
  a value saved for backward and changed afterwards is caught at backward time;
- writing through a view records ``CopySlices`` on its base, and every view of
  a base that requires grad then reads its history through the base
  (``AsStridedBackward0``), as PyTorch regenerates a view's ``grad_fn``.
"""

from __future__ import annotations

import math

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..namespace import ops
from ..node import Backward, Node, SavedContext, backward
from ..tensor import Tensor
from .common import broadcast_shapes, check_nonnegative, fill_value, new, shape_arg
from .views import MULTI, NO_GRAD, contiguous_strides, list_repr, view_info, views_of

LEAF_MESSAGE = ("cannot modify a leaf tensor that requires grad in place: autograd needs its "
                "value; modify it under torch.no_grad(), or work on a copy (.clone())")
VIEW_OF_LEAF_MESSAGE = ("cannot modify in place a view of a leaf tensor that requires grad: "
                        "autograd needs the leaf's value; use torch.no_grad() or a copy")
NO_GRAD_VIEW_MESSAGE = (
    "cannot modify in place, with grad mode on, a view that was made under no_grad: whether "
    "autograd should track the change is ambiguous; make the view and modify it both inside "
    "the no_grad block or both outside it")
OVERLAP_MESSAGE = ("cannot write in place into a tensor whose elements share memory (an "
                   "expanded view); .clone() it first")
PARTIAL_OVERLAP_MESSAGE = ("cannot write in place: an input shares part of its memory with the "
                           "tensor being written; .clone() the input first")


def can_cast(src: dt.DType, dst: dt.DType) -> bool:
    """PyTorch's rule for writing a result into a tensor: no float->int, no int->bool."""
    return src.category <= dst.category


# ------------------------------------------------------------------ checks
def requires_grad(t: Tensor) -> bool:
    """``t.requires_grad`` as PyTorch sees it: a view follows its base."""
    if t._requires_grad:
        return True
    info = view_info(t)
    return info is not None and info.base._requires_grad


def _tensors_in(args, kwargs):
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, Tensor):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, Tensor))


def records(target: Tensor, *others) -> bool:
    """Whether an in-place op on ``target`` with tensor inputs ``others`` is recorded."""
    if not ag.is_grad_enabled():
        return False
    return requires_grad(target) or any(getattr(t, "_requires_grad", False) for t in others)


def check_inplace(target: Tensor, recorded: bool) -> None:
    """PyTorch's checks before an in-place change of ``target``."""
    if recorded:
        info = view_info(target)
        if info is not None:
            if info.creation == NO_GRAD:
                raise RuntimeError(NO_GRAD_VIEW_MESSAGE)
            if info.creation == MULTI:
                raise RuntimeError(
                    f"cannot modify in place output {target._output_nr} of {info.op}: it is "
                    "one of several views returned together, which autograd cannot track "
                    "through in-place changes; use an out-of-place operation instead")
            base = info.base
            if base._requires_grad and base._grad_fn is None:
                raise RuntimeError(VIEW_OF_LEAF_MESSAGE)
        elif target._requires_grad and target._grad_fn is None:
            raise RuntimeError(LEAF_MESSAGE)


def overlaps(target: Tensor) -> bool:
    """Whether several elements of ``target`` share one memory location (an expanded view)."""
    data = target._data
    return any(stride == 0 and size > 1 for size, stride in zip(data.shape, data.strides))


def check_overlap(target: Tensor) -> None:
    """Most in-place ops refuse to write into an expanded tensor, as in PyTorch."""
    if overlaps(target):
        raise RuntimeError(OVERLAP_MESSAGE)


def _dense(t: Tensor) -> bool:
    """PyTorch's ``is_non_overlapping_and_dense``: a permutation of a contiguous layout."""
    data = t._data
    dims = sorted((stride, size) for size, stride in zip(data.shape, data.strides) if size != 1)
    expected = data.itemsize
    for stride, size in dims:
        if stride != expected:
            return False
        expected *= size
    return True


def check_partial_overlap(target: Tensor, inputs) -> None:
    """An input may be the written tensor itself, but not overlap it partly (PyTorch's rule)."""
    start = _address(target._data)
    end = start + target._data.nbytes
    dense = None
    for other in inputs:
        if other is target or not isinstance(other, Tensor) or not other._data.size \
                or not target._data.size:
            continue
        other_start = _address(other._data)
        other_end = other_start + other._data.nbytes
        if not (start < other_end and other_start < end):
            continue
        if dense is None:
            dense = _dense(target)
        if not dense or not _dense(other):
            continue  # too hard to tell, as in PyTorch
        if (start, end) == (other_start, other_end) and \
                target._data.strides == other._data.strides:
            continue  # the same elements: fine
        raise RuntimeError(PARTIAL_OVERLAP_MESSAGE)


# Ops PyTorch lets write into an expanded tensor (they only write the selected elements).
WRITE_SELECTED = set()


def check_writable(target: Tensor) -> None:
    """The checks of an in-place op on ``target`` that autograd records."""
    check_inplace(target, records(target))


# --------------------------------------------------------------- in-place
def history_of(target: Tensor, copy: bool = True) -> Tensor:
    """A tensor with ``target``'s values (a copy) and ``target``'s place in the graph.

    In-place ops compute on it out of place, so that the values they save for
    backward are the ones before the write and their first edge leads to
    ``target``'s previous history.
    """
    if target._requires_grad and target._grad_fn is None:
        ag.edge(target)  # make the leaf's AccumulateGrad now, so both share it
    snap = Tensor._make(target._data.copy() if copy else target._data, target._dtype)
    snap._requires_grad = requires_grad(target)
    snap._grad_fn = target._grad_fn
    snap._output_nr = target._output_nr
    snap._accumulator = target._accumulator
    return snap


def apply_inplace(target: Tensor, fn, args, kwargs) -> Tensor:
    """Runs ``fn(target, *args, **kwargs)`` and writes the result into ``target``."""
    inputs = tuple(_tensors_in(args, kwargs))
    recorded = records(target, *inputs)
    check_inplace(target, recorded)
    if fn not in WRITE_SELECTED:
        check_overlap(target)
    check_partial_overlap(target, inputs)
    source = history_of(target) if recorded else target
    result = fn(source, *args, **kwargs)
    return commit(target, result)


def commit(target: Tensor, result: Tensor) -> Tensor:
    """Writes ``result``'s values into ``target`` and moves its history over."""
    if not isinstance(result, Tensor):
        raise TypeError(f"an in-place operation produced {type(result).__name__}, not a Tensor")
    if not can_cast(result._dtype, target._dtype):
        raise RuntimeError(f"an in-place result of dtype {result._dtype.name} cannot be stored "
                           f"in a {target._dtype.name} tensor")
    shape = target._data.shape
    if result._data.shape != shape:
        try:
            ok = broadcast_shapes(shape, result._data.shape) == shape
        except RuntimeError:
            ok = False
        if not ok:
            raise RuntimeError(f"an in-place result of shape "
                               f"{list_repr(broadcast_shapes_or(shape, result))} does not fit "
                               f"the tensor's shape {list_repr(shape)}")
    with xp.errstate(all="ignore"):
        if overlaps(target):
            # Only the elements that change are written, or an unchanged alias of a
            # written element would write its old value back.
            changed = xp.broadcast_to(result._data, shape) != target._data
            xp.copyto(target._data, result._data, casting="unsafe", where=changed)
        else:
            xp.copyto(target._data, result._data, casting="unsafe")
    target._counter.value += 1
    rebase_history(target, result)
    return target


def broadcast_shapes_or(shape, result: Tensor):
    try:
        return broadcast_shapes(shape, result._data.shape)
    except RuntimeError:
        return result._data.shape


def rebase_history(target: Tensor, result: Tensor) -> None:
    """Gives ``target`` the history of ``result``, the value just written into it."""
    info = view_info(target)
    base = info.base if info is not None else target
    node = result._grad_fn
    if node is not None and ag.is_grad_enabled() and target._dtype.category == dt.FLOAT:
        _adopt(node, result, target)
        if info is None:
            target._grad_fn = node
            target._output_nr = result._output_nr
            target._requires_grad = True
            _move_retained_grad(target, node)
        else:
            _copy_slices(base, target, node)
    refresh_views(base)


def _adopt(node, result: Tensor, target: Tensor) -> None:
    """The node's output is now ``target``: its shape, dtype, and any saved copy of it."""
    outputs = list(node._outputs)
    outputs[result._output_nr] = (target._data.shape, target._dtype)
    node._outputs = tuple(outputs)
    ctx = node.ctx
    if ctx is not None and any(v is result for v in ctx._saved):
        ctx._saved = tuple(target if v is result else v for v in ctx._saved)
        ctx._versions = tuple(target._counter.value if v is target else version
                              for v, version in zip(ctx._saved, ctx._versions))


def _move_retained_grad(target: Tensor, node) -> None:
    if target._retains_grad:
        target._retains_grad = False
        ag.retain_grad(target)


# ------------------------------------------------------------- CopySlices
def view_geometry(view: Tensor, base: Tensor) -> tuple:
    """Where ``view``'s elements sit in ``base``'s memory (shapes and strides in elements)."""
    itemsize = base._data.itemsize
    start = (_address(view._data) - _address(base._data)) // itemsize
    return (view._data.shape, tuple(s // itemsize for s in view._data.strides), start,
            base._data.shape, tuple(s // itemsize for s in base._data.strides))


def view_index_map(geometry):
    """For each element of a view, the row-major index of the same element in its base."""
    shape, strides, start, base_shape, base_strides = geometry
    view_offsets = _offsets(shape, strides, start)
    if base_strides == contiguous_strides(base_shape) or math.prod(base_shape) <= 1:
        return view_offsets
    base_offsets = _offsets(base_shape, base_strides, 0).reshape(-1)
    low, high = int(base_offsets.min()), int(base_offsets.max())
    lookup = xp.full(high - low + 1, -1, dtype=xp.int64)
    lookup[base_offsets - low] = xp.arange(base_offsets.size)
    return lookup[xp.clip(view_offsets - low, 0, high - low)]


def _offsets(shape, strides, start: int):
    """The memory offset (in elements) of each element of a strided layout."""
    offsets = xp.full(shape, start, dtype=xp.int64)
    for d, (size, stride) in enumerate(zip(shape, strides)):
        axis = [1] * len(shape)
        axis[d] = size
        offsets = offsets + (xp.arange(size, dtype=xp.int64) * stride).reshape(axis)
    return offsets


def _address(array) -> int:
    return array.__array_interface__["data"][0]


class _CopySlicesContext(SavedContext):
    """Saves the inner node too: releasing CopySlices frees what the inner op saved."""

    def release(self) -> None:
        super().release()
        self.inner.release()


def _index_tensor(index) -> Tensor:
    return Tensor._make(xp.ascontiguousarray(index.reshape(-1)), dt.int64)


@backward("CopySlices")
def copy_slices(ctx, grad):
    # The written region's gradient goes through the op that wrote it; the
    # rest of the base's gradient passes straight through.
    flat = ops.reshape(grad, (-1,))
    positions = _index_tensor(view_index_map(ctx.geometry))
    region = ops.reshape(ops.advanced_index(flat, (positions,)), ctx.view_shape)
    inner_grads = ctx.inner.apply((region,))
    first = inner_grads[0] if inner_grads else None
    if first is None:
        first = new(xp.zeros(ctx.view_shape, dtype=grad._dtype.np), grad._dtype)
    else:
        if first._data.shape != ctx.view_shape:
            first = ops.sum_to_size(first, ctx.view_shape)
        if first._dtype is not grad._dtype:
            first = ops.to_dtype(first, grad._dtype)
    flat = ops.index_put(flat, (positions,), ops.reshape(first, (-1,)))
    return (ops.reshape(flat, ctx.base_shape),) + tuple(inner_grads[1:])


def _copy_slices(base: Tensor, view: Tensor, inner) -> None:
    """Records on ``base`` that ``view``'s region was overwritten by ``inner``'s result."""
    ctx = _CopySlicesContext()
    ctx.inner = inner
    ctx.geometry = view_geometry(view, base)
    ctx.view_shape = view._data.shape
    ctx.base_shape = base._data.shape
    node = Node(copy_slices, ctx,
                (ag.edge(base),) + tuple(inner.next_functions[1:]),
                ((base._data.shape, base._dtype),) + tuple(inner._input_meta[1:]),
                ((base._data.shape, base._dtype),))
    base._grad_fn = node
    base._output_nr = 0
    base._requires_grad = True


@backward("AsStridedBackward0")
def _as_strided_backward(ctx, grad):
    zeros = new(xp.zeros(math.prod(ctx.base_shape), dtype=grad._dtype.np), grad._dtype)
    flat = ops.index_put(zeros, (_index_tensor(view_index_map(ctx.geometry)),),
                        ops.reshape(grad, (-1,)), accumulate=True)
    return (ops.reshape(flat, ctx.base_shape),)


def refresh_views(base: Tensor) -> None:
    """Each view of ``base`` now reads its history through the base (AsStridedBackward0)."""
    if not base._requires_grad:
        return
    for v in views_of(base):
        info = view_info(v)
        if info is None or info.creation == MULTI:
            continue
        ctx = SavedContext()
        ctx.geometry = view_geometry(v, base)
        ctx.base_shape = base._data.shape
        ag.record(_as_strided_backward, (base,), v, ctx)


# ------------------------------------------------------------------- out=
def write_out(out: Tensor, result: Tensor) -> Tensor:
    """PyTorch's ``out=``: resize ``out`` if needed, then write ``result`` into it."""
    if not isinstance(out, Tensor):
        raise TypeError(f"out= must be a Tensor, not a {type(out).__name__}")
    if isinstance(result, tuple):
        raise TypeError("out= of an operation with several results is not supported")
    if ag.is_grad_enabled() and (result._requires_grad or requires_grad(out)):
        raise RuntimeError("out= cannot be used when an argument requires grad: autograd "
                           "does not track results written into out=")
    if not can_cast(result._dtype, out._dtype):
        raise RuntimeError(f"a result of dtype {result._dtype.name} cannot be stored in the "
                           f"{out._dtype.name} out= tensor")
    if out._data.shape != result._data.shape:
        resize_storage(out, result._data.shape)
    check_overlap(out)
    with xp.errstate(all="ignore"):
        xp.copyto(out._data, result._data, casting="unsafe")
    out._counter.value += 1
    info = view_info(out)
    refresh_views(info.base if info is not None else out)
    return out


# ----------------------------------------------------------------- resize
def _storage(t: Tensor):
    """(the flat buffer ``t``'s elements live in, offset of ``t``'s first element), or None."""
    owner = t._data
    while True:
        parent = owner.base
        if isinstance(parent, xp.ndarray):
            owner = parent
        elif parent is not None and isinstance(getattr(parent, "base", None), xp.ndarray):
            owner = parent.base
        else:
            break
    if not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        return None
    flat = owner.ravel(order="K")
    offset = (_address(t._data) - _address(flat)) // flat.itemsize
    if not 0 <= offset <= flat.size:
        return None
    return flat, offset


def resize_storage(t: Tensor, shape: tuple) -> None:
    """Gives ``t`` a contiguous ``shape`` over its storage, growing it (zero-filled) if needed."""
    n = math.prod(shape)
    found = _storage(t)
    if found is not None:
        flat, offset = found
        if offset + n <= flat.size:
            t._data = flat[offset:offset + n].reshape(shape)
            return
        grown = xp.zeros(offset + n, dtype=t._dtype.np)
        grown[:flat.size] = flat
    else:
        offset = 0
        grown = xp.zeros(n, dtype=t._dtype.np)
        old = t._data.reshape(-1)
        grown[:min(n, old.size)] = old[:n]
    t._data = grown[offset:offset + n].reshape(shape)


def resize_(self: Tensor, *sizes) -> Tensor:
    """Changes the shape in place, keeping the storage's leading values; new ones are zero."""
    shape = shape_arg(sizes)
    check_nonnegative(shape)
    if requires_grad(self):
        raise RuntimeError("resize_() cannot change a tensor that requires grad")
    if shape != self._data.shape:
        resize_storage(self, shape)
    self._counter.value += 1
    return self


# ----------------------------------------------------------- fill, copy_
def zero_self_backward(ctx, grad):
    """The gradient of an in-place op that overwrites every value: zeros."""
    return (ops.zeros_like(grad),)


fill_backward2 = Backward("FillBackward2", zero_self_backward)
zero_backward0 = Backward("ZeroBackward0", zero_self_backward)


@backward("FillBackward3")
def fill_tensor_backward(ctx, grad):
    return ops.zeros_like(grad), ops.sum(grad)


def full_of(shape, dtype: dt.DType, value):
    """An array of ``shape`` filled with the number ``value`` converted to ``dtype``.

    Floats going into an integer dtype are truncated; an integer outside the
    dtype's range is PyTorch's overflow error (a negative one wraps into uint8).
    """
    if isinstance(value, Tensor):
        value = value.item()
    np_dtype = dtype.np
    with xp.errstate(all="ignore"):
        if dtype is dt.bool_:
            return xp.full(shape, bool(value), dtype=np_dtype)
        if dtype.category != dt.FLOAT and isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                raise RuntimeError(f"{value} does not fit in dtype {dtype.name}")
            value = int(value)
        try:
            return xp.full(shape, value, dtype=np_dtype)
        except OverflowError:
            if dtype is dt.uint8 and -256 < value < 0:
                return xp.full(shape, value + 256, dtype=np_dtype)
            raise RuntimeError(f"{value} does not fit in dtype {dtype.name}") from None


def fill_values(target: Tensor, value, zero: bool = False) -> Tensor:
    """``fill_``/``zero_``: every element becomes ``value``."""
    value_tensor, value = fill_value(value, "fill_")
    if value_tensor is None and (isinstance(value, complex)
                                 or not isinstance(value, (bool, int, float))):
        raise TypeError(f"fill_(): the value must be a number or a 0-dim tensor, not a "
                        f"{type(value).__name__}")
    recorded = records(target, value_tensor)
    check_inplace(target, recorded)
    if value_tensor is not None:
        check_overlap(target)
    result = new(full_of(target._data.shape, target._dtype, value), target._dtype)
    if recorded:
        snap = history_of(target, copy=False)
        if zero:
            ag.record(zero_backward0, (snap,), result)
        elif value_tensor is not None:
            ag.record(fill_tensor_backward, (snap, value_tensor), result)
        else:
            ag.record(fill_backward2, (snap,), result)
    return commit(target, result)


@backward("CopyBackwards")
def copy_backward(ctx, grad):
    return ops.zeros_like(grad), grad


def copy_(target: Tensor, src, non_blocking: bool = False) -> Tensor:
    """``target.copy_(src)``: broadcast ``src`` into ``target``, converting its dtype."""
    if isinstance(src, (bool, int, float)):
        src = new(full_of((), target._dtype, src), target._dtype)
    elif not isinstance(src, Tensor):
        raise TypeError(f"copy_(): src must be a Tensor or a number, not a "
                        f"{type(src).__name__}")
    shape = target._data.shape
    if src._data.shape != shape and broadcast_shapes(shape, src._data.shape) != shape:
        raise RuntimeError(f"copy_(): src of shape {list_repr(src._data.shape)} does not "
                           f"broadcast to the tensor's shape {list_repr(shape)}")
    recorded = records(target, src) and target._dtype.category == dt.FLOAT
    check_inplace(target, recorded)
    check_overlap(target)
    check_partial_overlap(target, (src,))
    data = src._data
    if target._dtype.category != dt.FLOAT and src._dtype.category == dt.FLOAT:
        with xp.errstate(all="ignore"):
            data = xp.trunc(data)
    with xp.errstate(all="ignore"):
        data = xp.broadcast_to(data, shape).astype(target._dtype.np)
    result = new(data, target._dtype)
    if recorded:
        snap = history_of(target, copy=False)
        ag.record(copy_backward, (snap, src), result)
    return commit(target, result)


# ------------------------------------------------- in-place shape changes
def restride_inplace(target: Tensor, view_fn, node: Backward, ctx) -> Tensor:
    """``t_``, ``squeeze_``...: ``target`` takes the geometry of ``view_fn(target)``."""
    recorded = records(target)
    check_inplace(target, recorded)
    with ag.no_grad():
        array = view_fn(target)._data
    snap = history_of(target, copy=False) if recorded else None
    target._data = array
    target._counter.value += 1
    if recorded:
        ag.record(node, (snap,), target, ctx)
    info = view_info(target)
    refresh_views(info.base if info is not None else target)
    return target
