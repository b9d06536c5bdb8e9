"""Views that change a tensor's shape or the order of its dims, and the tiling copies.

``view``/``reshape``/``flatten``, ``permute``/``transpose``/``t``,
``squeeze``/``unsqueeze``/``atleast_*d``, ``expand``/``broadcast_to``/``meshgrid``,
and the copies ``repeat``/``tile``.
"""

from __future__ import annotations

import math
import numbers

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...tensor import Tensor, wrap_dim
from ..common import broadcast_shapes, check_nonnegative, require_tensor, shape_arg
from ..registry import OpTable
from ..views import compute_stride, fresh, infer_shape, list_repr, make_view, restride, strides_of

table = OpTable("shape.reshaping")


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
    """The same bytes read as ``dtype``; with another element size the last dim (which
    must be contiguous) grows or shrinks by the ratio, as in PyTorch."""
    if dtype is input._dtype:
        return view(input, input._data.shape)
    old, size = input._dtype.itemsize, dtype.itemsize
    data = input._data
    if old != size:
        if data.ndim == 0:
            raise RuntimeError(f"view({dtype!r}): a 0-dim tensor cannot be viewed with a "
                               f"different element size ({old} bytes as {size})")
        if data.shape[-1] != 1 and data.strides[-1] != old:
            raise RuntimeError(f"view({dtype!r}) needs the last dim to be contiguous (stride "
                               f"1) when the element size changes")
        if size > old and (data.shape[-1] * old) % size:
            raise RuntimeError(f"view({dtype!r}): the last dim has size {data.shape[-1]}, "
                               f"which is not a multiple of {size // old} ({size}-byte "
                               f"elements from {old}-byte ones)")
    if dtype.category == dt.FLOAT and ag.needs_grad(input):
        raise RuntimeError("view(dtype) of a tensor that requires grad is not differentiable")
    return Tensor._make(data.view(dtype.np), dtype,
                        base=input._base if input._base is not None else input)


@table.op(function=False, backward=(view_backward0,), out=False)
def view_as(input, other):
    return view(input, require_tensor(other, "view_as", "other", 2)._data.shape)


@table.op(backward=(view_backward0, reshape_alias_backward0, unsafe_view_backward0),
          composes=("clone",), out=False)
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


@table.op(function=False,
          backward=(view_backward0, reshape_alias_backward0, unsafe_view_backward0),
          composes=("clone",), out=False)
def reshape_as(input, other):
    return reshape(input, require_tensor(other, "reshape_as", "other", 2)._data.shape)


@table.op(backward=(view_backward0, reshape_alias_backward0, unsafe_view_backward0),
          composes=("clone",), out=False)
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


@table.internal
def squeeze_dims(input: Tensor, dim):
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
    dims, node = squeeze_dims(input, dim)
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
    return expand(input, require_tensor(other, "expand_as", "other", 2)._data.shape)


@table.op(backward=(_expand_backward,), out=False)
def broadcast_to(input, size):
    """``input`` expanded to ``size`` (a view, as ``expand``)."""
    return expand(input, tuple(size))


@table.op(method=False, backward=(_expand_backward,), out=False)
def broadcast_tensors(*tensors):
    """Every tensor expanded to the shape they broadcast to together."""
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
