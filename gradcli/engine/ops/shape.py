"""Shape ops: views that share storage (view, permute, expand, ...) and copies (cat, stack).

Views are made with :mod:`.views` (PyTorch's stride rules and the autograd
view bookkeeping that in-place ops need).
"""

from __future__ import annotations

import builtins
import itertools
import math
import numbers

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..node import Backward, SavedContext, backward
from ..tensor import Tensor, wrap_dim
from .common import check_nonnegative, new, shape_arg
from .registry import OpTable
from .views import (MULTI, compute_stride, fresh, infer_shape,
                    list_repr, make_view, restride, strides_of)
from ..namespace import ops

table = OpTable("shape")



def _reshape_backward(ctx, grad):
    return (reshape(grad, ctx.shape),)


reshape_alias_backward0 = Backward("ReshapeAliasBackward0", _reshape_backward)
unsafe_view_backward0 = Backward("UnsafeViewBackward0", _reshape_backward)
view_backward0 = Backward("ViewBackward0", _reshape_backward)


def _view_array(input: Tensor, target: tuple):
    strides = compute_stride(input._data.shape, strides_of(input), target)
    if strides is None:
        return None
    return restride(input._data, target, strides)


@table.op(function=False, backward=(view_backward0,), out=False)
def view(input, *shape, size=None):
    """The same storage seen with another shape; an error when that needs a copy.

    Example:
        >>> arange(6).view(2, -1).shape
        torch.Size([2, 3])
    """
    if size is not None:
        shape = (size,)
    if len(shape) == 1 and isinstance(shape[0], dt.DType):
        return _view_dtype(input, shape[0])
    target = infer_shape(shape_arg(shape), input._data.size)
    array = _view_array(input, target)
    if array is None:
        raise RuntimeError(
            f"view(): the tensor's memory layout (strides {strides_of(input)}) cannot be seen "
            f"as shape {list_repr(target)} without a copy; use .reshape(...), which copies "
            "when it must")
    result = make_view(input, array)
    if ag.needs_grad(input):
        ag.record(view_backward0, (input,), result,
                  SavedContext(shape=input._data.shape))
    return result


def _view_dtype(input: Tensor, dtype: dt.DType) -> Tensor:
    if dtype is input._dtype:
        return view(input, input._data.shape)
    if dtype.itemsize != input._dtype.itemsize:
        raise RuntimeError("view(dtype) with a different element size is not supported by "
                           "gradcli")
    if ag.needs_grad(input):
        raise RuntimeError("view(dtype) of a tensor that requires grad is not differentiable")
    return Tensor._make(input._data.view(dtype.np), dtype,
                        base=input._base if input._base is not None else input)


@table.op(function=False, backward=(view_backward0,), out=False)
def view_as(input, other):
    return view(input, other._data.shape)


@table.op(backward=(view_backward0, reshape_alias_backward0, unsafe_view_backward0), composes=("clone",), out=False)
def reshape(input, *sizes, shape=None):
    """A view when the storage allows one, otherwise a copy (as PyTorch's reshape).

    A contiguous input is viewed (``ViewBackward0``); a non-contiguous one that can
    still be viewed records ``ReshapeAliasBackward0``; otherwise the input is cloned
    (``CloneBackward0``) and the copy reshaped (``UnsafeViewBackward0``).
    """
    if shape is not None:
        sizes = (shape,)
    target = infer_shape(shape_arg(sizes, "shape"), input._data.size)
    if input.is_contiguous():
        return view(input, target)
    array = _view_array(input, target)
    if array is not None:
        result = make_view(input, array)
        if ag.needs_grad(input):
            ag.record(reshape_alias_backward0, (input,), result,
                      SavedContext(shape=input._data.shape))
        return result
    return _unsafe_view(contiguous_clone(input), target)


def contiguous_clone(input: Tensor) -> Tensor:
    """A C-contiguous copy recorded as ``CloneBackward0``."""
    copied = ops.clone(input)
    if not copied._data.flags.c_contiguous:
        copied._data = xp.ascontiguousarray(copied._data)
    return copied


def _unsafe_view(copied: Tensor, target: tuple) -> Tensor:
    result = fresh(copied._data.reshape(target), copied._dtype)
    if ag.needs_grad(copied):
        ag.record(unsafe_view_backward0, (copied,), result,
                  SavedContext(shape=copied._data.shape))
    return result


@table.op(function=False, backward=(view_backward0, reshape_alias_backward0, unsafe_view_backward0), composes=("clone",), out=False)
def reshape_as(input, other):
    return reshape(input, other._data.shape)


@table.op(backward=(view_backward0, reshape_alias_backward0, unsafe_view_backward0), composes=("clone",), out=False)
def flatten(input, start_dim=0, end_dim=-1):
    """Merges dims ``start_dim..end_dim`` into one (the input itself when nothing merges)."""
    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError(f"flatten(): start_dim ({start}) comes after end_dim ({end})")
    if start == end:
        return input
    shape = input._data.shape
    merged = math.prod(shape[start:end + 1])
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


@table.op(backward=(view_backward0,), out=False)
def unflatten(input, dim, sizes):
    """Splits dim ``dim`` into ``sizes`` (one of them may be -1)."""
    d = wrap_dim(dim, input.ndim)
    sizes = shape_arg((sizes,) if isinstance(sizes, numbers.Integral) else (tuple(sizes),),
                      "sizes")
    if not sizes:
        raise RuntimeError("unflatten(): sizes must not be empty")
    size = input._data.shape[d]
    try:
        inner = infer_shape(sizes, size)
    except RuntimeError:
        raise RuntimeError(f"unflatten(): sizes {list_repr(sizes)} do not multiply to {size}, "
                           f"the size of dim {dim}") from None
    shape = input._data.shape
    return view(input, shape[:d] + inner + shape[d + 1:])


@table.op(backward=(view_backward0,), composes=("clone",), out=False)
def ravel(input):
    """The elements as a 1-D tensor: a view of a contiguous input, else of a copy."""
    return view(contiguous(input), (-1,))


# ============================================================ permutations
@backward("PermuteBackward0")
def _permute_backward(ctx, grad):
    inverse = [0] * len(ctx.dims)
    for i, d in enumerate(ctx.dims):
        inverse[d] = i
    return (permute(grad, inverse),)


@table.op(backward=(_permute_backward,), out=False)
def permute(input, *order, dims=None):
    """The dims in a new order (a view)."""
    dims = shape_arg(order if dims is None else (dims,), "dims")
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(): the order names {len(dims)} dims but the tensor has "
                           f"{input.ndim}")
    wrapped = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"permute(): the order {list_repr(dims)} names a dim twice")
    result = make_view(input, xp.transpose(input._data, wrapped))
    if ag.needs_grad(input):
        ag.record(_permute_backward, (input,), result, SavedContext(dims=wrapped))
    return result


def _dims_list(value, ndim: int, what: str) -> tuple:
    items = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    wrapped = tuple(wrap_dim(d, ndim) for d in items)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"movedim(): {what} {list_repr(items)} names a dim twice")
    return wrapped


@table.op(aliases=("moveaxis",), backward=(_permute_backward,), out=False)
def movedim(input, source, destination):
    """Moves dims ``source`` to positions ``destination``; the others keep their order."""
    src = _dims_list(source, input.ndim, "source")
    dst = _dims_list(destination, input.ndim, "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim(): source names {len(src)} dims but destination names "
                           f"{len(dst)}")
    order = [None] * input.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(input.ndim) if d not in src)
    order = [next(rest) if o is None else o for o in order]
    return permute(input, order)


@backward("TransposeBackward0")
def _transpose_backward(ctx, grad):
    return (transpose(grad, ctx.dim0, ctx.dim1),)


@table.op(aliases=("swapaxes", "swapdims"), backward=(_transpose_backward,), out=False)
def transpose(input, dim0, dim1):
    """Swaps two dims (a view)."""
    d0, d1 = wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim)
    array = xp.swapaxes(input._data, d0, d1) if input.ndim else input._data.view()
    result = make_view(input, array)
    if ag.needs_grad(input):
        ag.record(_transpose_backward, (input,), result,
                  SavedContext(dim0=d0, dim1=d1))
    return result


@backward("TBackward0")
def _t_backward(ctx, grad):
    return (t(grad),)


@table.op(backward=(_t_backward,), out=False)
def t(input):
    """Transpose of a matrix (0-D and 1-D tensors are returned as they are)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() transposes tensors of at most 2 dims; this one has "
                           f"{input.ndim} (use transpose(dim0, dim1))")
    result = make_view(input, input._data.T)
    if ag.needs_grad(input):
        ag.record(_t_backward, (input,), result)
    return result


@backward("AliasBackward0")
def _alias_backward(ctx, grad):
    return (grad,)


@table.op(function=False, method=False, backward=(_alias_backward,), out=False)
def alias_view(input: Tensor) -> Tensor:
    """A view of the whole tensor, recorded as ``AliasBackward0`` (``x[...]``)."""
    result = make_view(input, input._data.view())
    if ag.needs_grad(input):
        ag.record(_alias_backward, (input,), result)
    return result


@table.op(function=False, composes=("clone",), out=False)
def contiguous(input, memory_format=None):
    """``input`` itself when contiguous, otherwise a contiguous copy (``CloneBackward0``)."""
    if input.is_contiguous():
        return input
    return contiguous_clone(input)


# ====================================================== squeeze/unsqueeze
@backward("UnsqueezeBackward0")
def _unsqueeze_backward(ctx, grad):
    return (squeeze(grad, ctx.dim),)


def _unsqueeze_geometry(shape, strides, d):
    new_stride = 1 if d >= len(shape) else shape[d] * strides[d]
    return shape[:d] + (1,) + shape[d:], strides[:d] + (new_stride,) + strides[d:]


@table.op(backward=(_unsqueeze_backward,), out=False)
def unsqueeze(input, dim):
    """Inserts a dim of size 1 at ``dim`` (a view)."""
    d = wrap_dim(dim, input.ndim + 1)
    shape, strides = _unsqueeze_geometry(input._data.shape, strides_of(input), d)
    result = make_view(input, restride(input._data, shape, strides))
    if ag.needs_grad(input):
        ag.record(_unsqueeze_backward, (input,), result, SavedContext(dim=d))
    return result


def _squeeze_backward(ctx, grad):
    for d in ctx.dims:
        grad = unsqueeze(grad, d)
    return (grad,)


squeeze_backward0 = Backward("SqueezeBackward0", _squeeze_backward)
squeeze_backward1 = Backward("SqueezeBackward1", _squeeze_backward)
squeeze_backward2 = Backward("SqueezeBackward2", _squeeze_backward)


def _squeeze_dims(input: Tensor, dim):
    """(dims to remove, backward rule) for ``squeeze(dim)``."""
    shape = input._data.shape
    if dim is None:
        return tuple(i for i, s in enumerate(shape) if s == 1), squeeze_backward0
    many = isinstance(dim, (tuple, list))
    dims = tuple(wrap_dim(d, input.ndim) for d in (dim if many else (dim,)))
    dims = tuple(sorted({d for d in dims if input.ndim and shape[d] == 1}))
    return dims, (squeeze_backward2 if many else squeeze_backward1)


@table.op(backward=(squeeze_backward0, squeeze_backward1, squeeze_backward2), out=False)
def squeeze(input, dim=None):
    """Removes dims of size 1 (all of them, or those of ``dim``), as a view."""
    dims, node = _squeeze_dims(input, dim)
    shape, strides = input._data.shape, strides_of(input)
    keep = [i for i in range(len(shape)) if i not in dims]
    result = make_view(input, restride(input._data, [shape[i] for i in keep],
                                       [strides[i] for i in keep]))
    if ag.needs_grad(input):
        ag.record(node, (input,), result, SavedContext(dims=dims))
    return result


@table.op(method=False, backward=(_unsqueeze_backward, view_backward0), out=False)
def atleast_1d(*tensors):
    return _atleast(tensors, 1)


@table.op(method=False, backward=(_unsqueeze_backward, view_backward0), out=False)
def atleast_2d(*tensors):
    return _atleast(tensors, 2)


@table.op(method=False, backward=(_unsqueeze_backward, view_backward0), out=False)
def atleast_3d(*tensors):
    return _atleast(tensors, 3)


def _atleast(tensors, n: int):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    items = (tensors[0],) if single else tuple(
        tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors)
    out = []
    for x in items:
        if x.ndim >= n:
            out.append(x)
        elif x.ndim == 0:
            out.append(reshape(x, (1,) * n))
        elif n == 2:
            out.append(unsqueeze(x, 0))
        elif x.ndim == 1:  # n == 3
            out.append(unsqueeze(unsqueeze(x, 0), -1))
        else:  # 2-D, n == 3
            out.append(unsqueeze(x, -1))
    return out[0] if single else tuple(out)


# ================================================================= expand
@backward("ExpandBackward0")
def _expand_backward(ctx, grad):
    return (ops.sum_to_size(grad, ctx.shape),)


def expanded_geometry(input: Tensor, sizes) -> tuple:
    """(shape, strides) of ``input.expand(*sizes)``, with PyTorch's errors."""
    shape = input._data.shape
    strides = strides_of(input)
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(): {len(sizes)} sizes {list_repr(sizes)} for a tensor of {len(shape)} "
            f"dims {list_repr(shape)}; give at least one size per dim")
    lead = len(sizes) - len(shape)
    target, new_strides = [], []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"expand(): the new leading dim {i} cannot have size {s}")
            target.append(s)
            new_strides.append(0)
            continue
        have = shape[i - lead]
        if s == -1:
            s = have
        if have != s:
            if have != 1:
                raise RuntimeError(
                    f"expand(): dim {i} has size {have} and only dims of size 1 can grow, so it "
                    f"cannot become {s} (sizes {list_repr(sizes)}, tensor {list_repr(shape)})")
            if s < 0:
                raise RuntimeError(f"expand(): negative size {s} in {list_repr(sizes)}")
            new_strides.append(0)
        else:
            new_strides.append(strides[i - lead])
        target.append(s)
    return tuple(target), tuple(new_strides)


@table.op(function=False, backward=(_expand_backward,), out=False)
def expand(input, *sizes, size=None):
    """A broadcast view (no copy); -1 keeps a size."""
    sizes = shape_arg(sizes if size is None else (size,))
    target, strides = expanded_geometry(input, sizes)
    result = make_view(input, restride(input._data, target, strides))
    if ag.needs_grad(input):
        ag.record(_expand_backward, (input,), result,
                  SavedContext(shape=input._data.shape))
    return result


@table.op(function=False, backward=(_expand_backward,), out=False)
def expand_as(input, other):
    return expand(input, other._data.shape)


@table.op(backward=(_expand_backward,), out=False)
def broadcast_to(input, size):
    """``input`` expanded to ``size`` (a view, as ``expand``)."""
    return expand(input, tuple(size))


@table.op(method=False, backward=(_expand_backward,), out=False)
def broadcast_tensors(*tensors):
    """Every tensor expanded to the shape they broadcast to together."""
    from .common import broadcast_shapes
    target = broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, target) for t in tensors)


@table.op(method=False, backward=(_expand_backward, view_backward0), out=False)
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors; ``indexing`` is 'ij' (default) or 'xy'."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    indexing = indexing or "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', not {indexing!r}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid expects 0-D or 1-D tensors, got one with shape "
                               f"{list(t.shape)}")
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(tensors)
    if swap:
        order[0], order[1] = order[1], order[0]
    sizes = tuple(t.numel() for t in order)
    grids = []
    for i, t in enumerate(order):
        shape = [1] * len(order)
        shape[i] = sizes[i]
        grids.append(expand(view(t, tuple(shape)), sizes))
    if swap:  # 'xy' is 'ij' on the first two inputs swapped, outputs swapped back
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


@backward("RepeatBackward0")
def _repeat_backward(ctx, grad):
    shape, reps = ctx.padded, ctx.reps
    interleaved = []
    for r, s in zip(reps, shape):
        interleaved += [r, s]
    g = reshape(grad, interleaved)
    g = ops.sum(g, tuple(range(0, 2 * len(reps), 2)))
    if g._data.shape != ctx.shape:
        g = reshape(g, ctx.shape)
    return (g,)


@table.op(function=False, backward=(_repeat_backward,), out=False)
def repeat(input, *sizes, repeats=None):
    """Tiles the tensor ``sizes[i]`` times along each dim (a copy)."""
    reps = shape_arg(sizes if repeats is None else (repeats,), "repeats")
    if len(reps) < input.ndim:
        raise RuntimeError(f"repeat(): {len(reps)} repeat counts for a tensor of {input.ndim} "
                           "dims; give at least one per dim")
    padded = (1,) * (len(reps) - input.ndim) + input._data.shape
    target = tuple(r * s for r, s in zip(reps, padded))
    check_nonnegative(target)
    data = xp.tile(input._data.reshape(padded), reps) if reps else input._data
    result = fresh(data, input._dtype, copy=True)
    if ag.needs_grad(input):
        ag.record(_repeat_backward, (input,), result,
                  SavedContext(shape=input._data.shape, padded=padded, reps=reps))
    return result


@table.op(backward=(_repeat_backward,), out=False)
def tile(input, dims):
    dims = shape_arg((dims,) if isinstance(dims, numbers.Integral) else (tuple(dims),), "dims")
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


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


def _index_int(index, what: str = "index") -> int:
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
    index = _index_int(index)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} is out of range for dim {d} of size "
                         f"{size}")
    return select_view(input, d, index + size if index < 0 else index)


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
    start, length = _index_int(start, "start"), _index_int(length, "length")
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
    step = _index_int(split_size_or_sections, "split_size")
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
    chunks = _index_int(chunks, "chunks")
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
        bounds = [0] + [_index_int(i) for i in indices_or_sections] + [size]
        pieces = []
        for a, b in itertools.pairwise(bounds):
            a, b = slice_bounds(size, a, b, 1)
            pieces.append(slice_view(input, d, a, b))
        return tuple(pieces)
    n = _index_int(indices_or_sections, "sections")
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


# ================================================================ flip, roll
@backward("FlipBackward0")
def _flip_backward(ctx, grad):
    return (flip(grad, ctx.dims),)


def _flip_dims(dims, ndim: int) -> tuple:
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    wrapped = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"flip(): dims {list_repr(wrapped)} name a dim twice")
    return wrapped


@table.op(backward=(_flip_backward,), out=False)
def flip(input, *order, dims=None):
    """The elements in reverse order along ``dims`` (a copy)."""
    wrapped = _flip_dims(order if dims is None else (dims,), input.ndim)
    result = fresh(xp.flip(input._data, wrapped), input._dtype, copy=True)
    if ag.needs_grad(input):
        ag.record(_flip_backward, (input,), result, SavedContext(dims=wrapped))
    return result


@table.op(backward=(_flip_backward,), out=False)
def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError("fliplr() needs a tensor with at least 2 dims")
    return flip(input, (1,))


@table.op(backward=(_flip_backward,), out=False)
def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("flipud() needs a tensor with at least 1 dim")
    return flip(input, (0,))


@backward("RollBackward0")
def _roll_backward(ctx, grad):
    return (roll(grad, tuple(-s for s in ctx.shifts), ctx.dims),)


@table.op(backward=(_roll_backward,), out=False)
def roll(input, shifts, dims=None):
    """Shifts the elements cyclically along ``dims`` (of the flattened tensor when None)."""
    shifts_t = tuple(shifts) if isinstance(shifts, (list, tuple)) else (shifts,)
    shifts_t = tuple(_index_int(s, "shifts") for s in shifts_t)
    if dims is None:
        if len(shifts_t) != 1:
            raise RuntimeError(f"roll(): without dims, give one shift, not {len(shifts_t)}")
        data = xp.roll(input._data.reshape(-1), shifts_t[0]).reshape(input._data.shape)
        dims_t = None
    else:
        dims_t = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
        if len(shifts_t) != len(dims_t):
            raise RuntimeError(f"roll(): {len(shifts_t)} shifts for {len(dims_t)} dims; give "
                               "one shift per dim")
        dims_t = tuple(wrap_dim(d, input.ndim) for d in dims_t)
        data = xp.roll(input._data, shifts_t, dims_t)
    result = fresh(data, input._dtype, copy=True)
    if ag.needs_grad(input):
        ag.record(_roll_backward, (input,), result,
                  SavedContext(shifts=shifts_t, dims=dims_t))
    return result


# ================================================================ diagonals
def _diagonal_geometry(input: Tensor, offset: int, d1: int, d2: int):
    """(array starting at the diagonal's first element, shape, strides) of a diagonal view."""
    array = input._data
    shape, strides = array.shape, strides_of(input)
    if offset >= 0:
        size = max(min(shape[d1], shape[d2] - offset), 0)
        if size:
            array = array[(slice(None),) * d2 + (slice(offset, None),)]
    else:
        size = max(min(shape[d1] + offset, shape[d2]), 0)
        if size:
            array = array[(slice(None),) * d1 + (slice(-offset, None),)]
    keep = [i for i in range(len(shape)) if i not in (d1, d2)]
    new_shape = [shape[i] for i in keep] + [size]
    new_strides = [strides[i] for i in keep] + [strides[d1] + strides[d2]]
    return array, new_shape, new_strides


@backward("DiagonalBackward0")
def _diagonal_backward(ctx, grad):
    return (diagonal_backward(grad, ctx.shape, ctx.offset, ctx.dim1, ctx.dim2),)


@backward("DiagonalBackwardBackward0")
def _diagonal_backward_backward(ctx, grad):
    return (diagonal(grad, ctx.offset, ctx.dim1, ctx.dim2),)


@table.internal
def diagonal_backward(grad: Tensor, input_sizes, offset: int, dim1: int, dim2: int) -> Tensor:
    """Zeros of ``input_sizes`` with ``grad`` on the diagonal (differentiable)."""
    zeros = Tensor._make(xp.zeros(input_sizes, dtype=grad._dtype.np), grad._dtype)
    array, shape, strides = _diagonal_geometry(zeros, offset, dim1, dim2)
    restride(array, shape, strides)[...] = grad._data
    if ag.needs_grad(grad):
        ag.record(_diagonal_backward_backward, (grad,), zeros,
                  SavedContext(offset=offset, dim1=dim1, dim2=dim2))
    return zeros


@table.op(backward=(_diagonal_backward,), out=False)
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (``dim1``, ``dim2``) planes as a view, in a new last dim."""
    d1, d2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dims must differ, both are {d1}")
    offset = _index_int(offset, "offset")
    array, shape, strides = _diagonal_geometry(input, offset, d1, d2)
    result = make_view(input, restride(array, shape, strides))
    if ag.needs_grad(input):
        ag.record(_diagonal_backward, (input,), result,
                  SavedContext(shape=input._data.shape, offset=offset, dim1=d1, dim2=d2))
    return result


@backward("DiagEmbedBackward0")
def _diag_embed_backward(ctx, grad):
    return (diagonal(grad, ctx.offset, ctx.dim1, ctx.dim2),)


@table.op(backward=(_diag_embed_backward,), out=False)
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose (``dim1``, ``dim2``) planes have ``input``'s last dim on a diagonal."""
    ndim = input.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dims must differ, both are {d1}")
    n = input._data.shape[-1] + abs(offset) if input.ndim else 1 + abs(offset)
    rest = list(input._data.shape[:-1])
    shape = []
    for i in range(ndim):
        shape.append(n if i in (d1, d2) else rest.pop(0))
    out = Tensor._make(xp.zeros(shape, dtype=input._dtype.np), input._dtype)
    array, geo_shape, strides = _diagonal_geometry(out, offset, d1, d2)
    restride(array, geo_shape, strides)[...] = input._data
    if ag.needs_grad(input):
        ag.record(_diag_embed_backward, (input,), out,
                  SavedContext(offset=offset, dim1=d1, dim2=d2))
    return out
