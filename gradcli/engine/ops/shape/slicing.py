"""Slicing, splitting and joining tensors.

``select``/``narrow`` and the slice views (``select_view``/``slice_view``, which
indexing reaches as ``ops.NAME``), ``unbind``/``split``/``chunk``/``tensor_split``,
``cat``/``stack`` and the ``*stack`` joins.
"""

from __future__ import annotations

import builtins
import itertools
import numbers

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...node import Backward, SavedContext, backward
from ...tensor import Tensor, wrap_dim
from ..common import new, shape_arg
from ..registry import OpTable
from ..views import MULTI, list_repr, make_view, restride, strides_of
from .reshaping import atleast_1d, atleast_2d, atleast_3d, reshape

table = OpTable("shape.slicing")


# ================================================================ select, slice
@backward("SelectBackward0")
def _select_backward(ctx, grad):
    return (select_backward(grad, ctx.shape, ctx.dim, ctx.index),)


@backward("SelectBackwardBackward0")
def _select_backward_backward(ctx, grad):
    return (select(grad, ctx.dim, ctx.index),)


def select_backward(grad: Tensor, input_sizes, dim: int, index: int) -> Tensor:
    """Zeros of ``input_sizes`` with ``grad`` at ``index`` along ``dim`` (differentiable)."""
    data = xp.zeros(input_sizes, dtype=grad._dtype.np)
    data[(slice(None),) * dim + (index,)] = grad._data
    result = new(data, grad._dtype)
    if ag.needs_grad(grad):
        ag.record(_select_backward_backward, (grad,), result,
                  SavedContext(dim=dim, index=index))
    return result


@table.internal
def index_int(index, what: str = "index") -> int:
    if isinstance(index, Tensor):
        return index.__index__()
    if isinstance(index, bool) or not isinstance(index, numbers.Integral):
        raise TypeError(f"{what} must be an int, not {type(index).__name__}")
    return int(index)


@table.op(backward=(_select_backward,), out=False)
def select(input, dim, index):
    """The slice at ``index`` along ``dim``, without that dim (a view)."""
    if input.ndim == 0:
        raise IndexError("select() needs a tensor with at least one dim; this one is 0-dim")
    d = wrap_dim(dim, input.ndim)
    index = index_int(index)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} is out of range for dim {d} of size "
                         f"{size}")
    return select_view(input, d, index + size if index < 0 else index)


@table.internal
def select_view(input: Tensor, d: int, index: int) -> Tensor:
    """``select`` with a wrapped, checked dim and index."""
    result = make_view(input, input._data[(slice(None),) * d + (index, Ellipsis)])
    if ag.needs_grad(input):
        ag.record(_select_backward, (input,), result,
                  SavedContext(shape=input._data.shape, dim=d, index=index))
    return result


@backward("SliceBackward0")
def _slice_backward(ctx, grad):
    return (slice_backward(grad, ctx.shape, ctx.dim, ctx.start, ctx.end, ctx.step),)


@backward("SliceBackwardBackward0")
def _slice_backward_backward(ctx, grad):
    return (slice_view(grad, ctx.dim, ctx.start, ctx.end, ctx.step),)


def slice_backward(grad: Tensor, input_sizes, dim: int, start: int, end: int,
                   step: int) -> Tensor:
    """Zeros of ``input_sizes`` with ``grad`` in the slice (differentiable)."""
    data = xp.zeros(input_sizes, dtype=grad._dtype.np)
    data[(slice(None),) * dim + (slice(start, end, step),)] = grad._data
    result = new(data, grad._dtype)
    if ag.needs_grad(grad):
        ag.record(_slice_backward_backward, (grad,), result,
                  SavedContext(dim=dim, start=start, end=end, step=step))
    return result


@table.internal
def slice_bounds(size: int, start, end, step: int) -> tuple:
    """PyTorch's clamping of slice bounds: (start, end) within ``[0, size]``, end >= start."""
    start = 0 if start is None else start
    end = size if end is None else end
    if start < 0:
        start += size
    if end < 0:
        end += size
    start = min(max(start, 0), size)
    end = min(max(end, start), size)
    return start, end


@table.internal
def slice_view(input: Tensor, d: int, start: int, end: int, step: int = 1) -> Tensor:
    """``input[..., start:end:step, ...]`` along dim ``d`` (bounds already clamped)."""
    array = input._data[(slice(None),) * d + (slice(start, end, step),)]
    if start and array.size == 0:
        # NumPy leaves an empty slice at the start of its base; PyTorch moves the offset.
        strides = strides_of(input)
        shifted = restride(input._data, (start * strides[d] + 1,), (1,))[start * strides[d]:]
        array = restride(shifted, array.shape, tuple(s // array.itemsize for s in array.strides))
    result = make_view(input, array)
    if ag.needs_grad(input):
        ag.record(_slice_backward, (input,), result,
                  SavedContext(shape=input._data.shape, dim=d, start=start, end=end, step=step))
    return result


@table.op(backward=(_slice_backward,), out=False)
def narrow(input, dim, start, length):
    """``length`` elements of dim ``dim`` from ``start`` (a view, recorded as a slice)."""
    if input.ndim == 0:
        raise RuntimeError("narrow() needs a tensor with at least one dim; this one is 0-dim")
    d = wrap_dim(dim, input.ndim)
    start, length = index_int(start, "start"), index_int(length, "length")
    size = input._data.shape[d]
    if length < 0:
        raise RuntimeError(f"narrow(): length must not be negative, got {length}")
    if not -size <= start <= size:
        raise IndexError(f"narrow(): start {start} is outside [{-size}, {size}] for dim {d} "
                         f"of size {size}")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"narrow(): start {start} plus length {length} goes past the end "
                           f"of dim {d} (size {size})")
    return slice_view(input, d, start, start + length)


# ================================================================ unbind, split
@backward("UnbindBackward0")
def _unbind_backward(ctx, *grads):
    return (stack(grads, ctx.dim),)


@table.op(backward=(_unbind_backward,), out=False)
def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views."""
    if input.ndim == 0:
        raise IndexError("unbind() needs a tensor with at least one dim; this one is 0-dim")
    d = wrap_dim(dim, input.ndim)
    parts = tuple(make_view(input, input._data[(slice(None),) * d + (i, Ellipsis)], MULTI, "Unbind")
                  for i in range(input._data.shape[d]))
    if ag.needs_grad(input) and parts:
        ag.record(_unbind_backward, (input,), parts, SavedContext(dim=d))
    return parts


def _split_backward(ctx, *grads):
    return (cat(grads, ctx.dim),)


split_backward0 = Backward("SplitBackward0", _split_backward)
split_with_sizes_backward0 = Backward("SplitWithSizesBackward0", _split_backward)


def _split_parts(input: Tensor, d: int, sizes, node: Backward, op: str) -> tuple:
    parts = []
    offset = 0
    for s in sizes:
        index = (slice(None),) * d + (slice(offset, offset + s),)
        parts.append(make_view(input, input._data[index], MULTI, op))
        offset += s
    parts = tuple(parts)
    if ag.needs_grad(input):
        ag.record(node, (input,), parts, SavedContext(dim=d))
    return parts


@table.op(backward=(split_backward0, split_with_sizes_backward0), out=False)
def split(tensor, split_size_or_sections=None, dim=0, *, split_size=None):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of listed sizes."""
    if split_size_or_sections is None:
        if split_size is None:
            raise TypeError("split() missing required argument 'split_size' (pos 1)")
        split_size_or_sections = split_size
    if tensor.ndim == 0:
        raise RuntimeError("split() needs a tensor with at least one dim; this one is 0-dim")
    d = wrap_dim(dim, tensor.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = shape_arg((tuple(split_size_or_sections),), "split_sizes")
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split(): sizes must not be negative, got {list_repr(sizes)}")
        if builtins.sum(sizes) != size:
            raise RuntimeError(
                f"split(): sizes {list_repr(sizes)} add up to {builtins.sum(sizes)}, but dim {d} "
                f"has size {size}")
        return _split_parts(tensor, d, sizes, split_with_sizes_backward0, "SplitWithSizes")
    step = index_int(split_size_or_sections, "split_size")
    if step < 0:
        raise RuntimeError(f"split(): split_size must not be negative, got {step}")
    if step == 0 and size != 0:
        raise RuntimeError(f"split(): split_size 0 only splits an empty dim, but dim {d} has "
                           f"size {size}")
    count = max(-(-size // step), 1) if step else 1
    sizes = [step] * (count - 1) + [size - step * (count - 1)]
    return _split_parts(tensor, d, sizes, split_backward0, "Split")


@table.op(backward=(split_backward0, split_with_sizes_backward0), out=False)
def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size (the last may be smaller)."""
    if input.ndim == 0:
        raise RuntimeError("chunk() needs a tensor with at least one dim; this one is 0-dim")
    chunks = index_int(chunks, "chunks")
    if chunks <= 0:
        raise RuntimeError(f"chunk(): the number of chunks must be positive, got {chunks}")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    step = -(-size // chunks)
    if step == 0 and size == 0:
        return _split_parts(input, d, [0] * chunks, split_with_sizes_backward0,
                            "SplitWithSizes")
    return split(input, step, d)


@table.op(backward=(_slice_backward,), out=False)
def tensor_split(input, indices_or_sections, dim=0):
    """Pieces split at the given indices, or ``n`` nearly equal pieces (each a slice view)."""
    if input.ndim == 0:
        raise RuntimeError("tensor_split() needs a tensor with at least one dim; this one is "
                           "0-dim")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, (list, tuple)) or (
            isinstance(indices_or_sections, Tensor) and indices_or_sections.ndim == 1):
        bounds = [0] + [index_int(i) for i in indices_or_sections] + [size]
        pieces = []
        for a, b in itertools.pairwise(bounds):
            a, b = slice_bounds(size, a, b, 1)
            pieces.append(slice_view(input, d, a, b))
        return tuple(pieces)
    n = index_int(indices_or_sections, "sections")
    if n <= 0:
        raise RuntimeError(f"tensor_split(): the number of sections must be positive, got {n}")
    small, extra = divmod(size, n)
    pieces, offset = [], 0
    for i in range(n):
        length = small + (1 if i < extra else 0)
        pieces.append(slice_view(input, d, offset, offset + length))
        offset += length
    return tuple(pieces)


# ================================================================ cat, stack
def _tensor_list(tensors, name: str) -> tuple:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}() takes a list or tuple of tensors, not a "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): item {i} of the list is a {type(t).__name__}, not a "
                            "Tensor")
    return tuple(tensors)


def _promoted(tensors) -> dt.DType:
    target = tensors[0]._dtype
    for t in tensors[1:]:
        target = dt.promote_types(target, t._dtype)
    return target


@backward("CatBackward0")
def _cat_backward(ctx, grad):
    grads = []
    offset = 0
    for shape in ctx.shapes:
        if shape == (0,) and ctx.skip:
            grads.append(new(xp.zeros((0,), dtype=grad._dtype.np), grad._dtype))
            continue
        size = shape[ctx.dim]
        grads.append(slice_view(grad, ctx.dim, offset, offset + size))
        offset += size
    return tuple(grads)


@table.op(method=False, aliases=("concat",), backward=(_cat_backward,))
def cat(tensors, dim=0):
    """Joins tensors along an existing dim (1-D empty tensors are skipped, as in PyTorch)."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("cat() needs at least one tensor, got an empty list")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat(): tensor {i} is 0-dim and has no dim to join along; "
                               "use stack() for scalars")
    kept = [(i, t) for i, t in enumerate(tensors) if t._data.shape != (0,)]
    target = _promoted(tensors)
    if not kept:
        d = wrap_dim(dim, 1)
        result = new(xp.zeros((0,), dtype=target.np), target)
    else:
        first = kept[0][1]
        d = wrap_dim(dim, first.ndim)
        ref = first._data.shape
        for i, t in kept[1:]:
            if t.ndim != len(ref):
                raise RuntimeError(f"cat(): tensors must have the same number of dims, but one "
                                   f"has {len(ref)} and tensor {i} has {t.ndim}")
            for k, (a, b) in enumerate(zip(ref, t._data.shape)):
                if k != d and a != b:
                    raise RuntimeError(
                        f"cat(): sizes may differ only in dim {d}, but tensor {i} has size {b} "
                        f"in dim {k} where the first tensor has {a}")
        result = new(xp.concatenate([t._data.astype(target.np, copy=False) for _, t in kept],
                                    axis=d), target)
    if ag.needs_grad(*tensors):
        ag.record(_cat_backward, tensors, result,
                  SavedContext(dim=d, shapes=tuple(t._data.shape for t in tensors),
                       skip=bool(kept)))
    return result


@table.op(method=False, backward=(_cat_backward,))
def concatenate(tensors, axis=0, dim=None):
    return cat(tensors, axis if dim is None else dim)


@backward("StackBackward0")
def _stack_backward(ctx, grad):
    return tuple(select_view(grad, ctx.dim, i) for i in range(ctx.count))


@table.op(method=False, backward=(_stack_backward,))
def stack(tensors, dim=0):
    """Joins same-shaped tensors along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack() needs at least one tensor, got an empty list")
    first = tensors[0]._data.shape
    d = wrap_dim(dim, len(first) + 1)
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(f"stack(): all tensors must have the same shape, but tensor 0 "
                               f"is {list_repr(first)} and tensor {i} is "
                               f"{list_repr(t._data.shape)}")
    target = _promoted(tensors)
    result = new(xp.stack([t._data.astype(target.np, copy=False) for t in tensors], axis=d),
                 target)
    if ag.needs_grad(*tensors):
        ag.record(_stack_backward, tensors, result,
                  SavedContext(dim=d, count=len(tensors)))
    return result


@table.op(method=False, backward=(_cat_backward,))
def hstack(tensors):
    """Joins along dim 1 (dim 0 for 1-D tensors)."""
    tensors = atleast_1d(_tensor_list(tensors, "hstack"))
    return cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1)


@table.op(method=False, aliases=("row_stack",), backward=(_cat_backward,))
def vstack(tensors):
    """Joins along dim 0, 1-D tensors becoming rows."""
    return cat(atleast_2d(_tensor_list(tensors, "vstack")), 0)


@table.op(method=False, backward=(_cat_backward,))
def dstack(tensors):
    """Joins along dim 2, after making every tensor at least 3-D."""
    return cat(atleast_3d(_tensor_list(tensors, "dstack")), 2)


@table.op(method=False, backward=(_cat_backward,))
def column_stack(tensors):
    """1-D and 0-D tensors become columns; joins along dim 1."""
    tensors = _tensor_list(tensors, "column_stack")
    cols = tuple(reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in tensors)
    return cat(cols, 1)
