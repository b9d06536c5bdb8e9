"""Rearrangements built from the shape ops: ``rot90``, ``diagflat``, ``diagonal_scatter``,
``hsplit``/``vsplit``/``dsplit``, ``repeat_interleave``, ``take_along_dim``, ``unfold``,
``cartesian_prod``, ``combinations``, ``vander``, ``diff``, the index helpers
``tril_indices``/``triu_indices``, ``unravel_index`` and ``broadcast_shapes``, and
``as_strided`` (a view of the storage).

Composites are written in PyTorch's steps, so their graphs show PyTorch's nodes
(``diff`` is ``SubBackward0`` over two slices, ``cartesian_prod`` a stack).
"""

from __future__ import annotations

import itertools
import math
import numbers

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Size, Tensor, wrap_dim
from ..common import broadcast_shapes as _broadcast
from ..common import new, require_tensor
from ..inplace import _as_strided_backward, view_geometry
from ..registry import OpTable
from ..views import contiguous_strides, make_view

table = OpTable("shape.arrangements")


# ================================================================ rot90
@backward("Rot90Backward0")
def _rot90_backward(ctx, grad):
    return (rot90(grad, -ctx.k, ctx.dims),)


@table.op(backward=(_rot90_backward,), out=False)
def rot90(input, k=1, dims=(0, 1)):
    """Rotates by 90 degrees ``k`` times, from the first of ``dims`` towards the second."""
    require_tensor(input, "rot90")
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"rot90() needs exactly 2 dims, but got {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90() needs a tensor with at least 2 dimensions, but got "
                           f"{input.ndim}")
    d0, d1 = (wrap_dim(d, input.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90() needs two different dims, but got {list(dims)}")
    value = xp.ascontiguousarray(xp.rot90(input._data, k, (d0, d1)))
    result = new(value, input._dtype)
    if ag.needs_grad(input):
        ag.record(_rot90_backward, (input,), result, SavedContext(k=k, dims=dims))
    return result


@table.op(composes=("view", "contiguous", "diag_embed"))
def diagflat(input, offset=0):
    """A matrix with the flattened input on its ``offset`` diagonal."""
    require_tensor(input, "diagflat")
    return ops.diag_embed(ops.view(ops.contiguous(input), (-1,)), offset, 0, 1)


# ======================================================= diagonal_scatter
@backward("DiagonalScatterBackward0")
def _diagonal_scatter_backward(ctx, grad):
    zeros = ops.zeros(ctx.src_shape, dtype=grad._dtype)
    return (diagonal_scatter(grad, zeros, ctx.offset, ctx.dim1, ctx.dim2),
            ops.clone(ops.diagonal(grad, ctx.offset, ctx.dim1, ctx.dim2)))


@table.op(backward=(_diagonal_scatter_backward,))
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` written on its diagonal."""
    require_tensor(input, "diagonal_scatter")
    require_tensor(src, "diagonal_scatter", "src", 2)
    target = ops.clone(input).detach()
    with ag.no_grad():
        diagonal = ops.diagonal(target, offset, dim1, dim2)
        if tuple(diagonal.shape) != tuple(src.shape):
            raise RuntimeError(f"diagonal_scatter(): src of shape {list(src.shape)} does not "
                               f"fit the diagonal, of shape {list(diagonal.shape)}")
        diagonal._data[...] = src._data
    result = new(target._data, input._dtype)
    if ag.needs_grad(input, src):
        ctx = SavedContext(src_shape=src._data.shape, offset=offset, dim1=dim1, dim2=dim2)
        ag.record(_diagonal_scatter_backward, (input, src), result, ctx)
    return result


# ============================================================== splits
def _split_along(input, sections, dim: int, name: str, need: int):
    require_tensor(input, name)
    if input.ndim < need:
        raise RuntimeError(f"{name}() needs a tensor with at least {need} dimension"
                           f"{'s' if need > 1 else ''}, but got {input.ndim}")
    if isinstance(sections, numbers.Integral) and input._data.shape[dim] % sections:
        raise RuntimeError(f"{name}(): dimension {dim} of size {input._data.shape[dim]} does "
                           f"not split into {sections} equal parts")
    return ops.tensor_split(input, sections, dim)


@table.op(composes=("tensor_split",), out=False)
def hsplit(input, sections):
    """Splits along dim 1 (dim 0 of a vector): ``sections`` parts or at the given indices."""
    return _split_along(input, sections, 1 if input.ndim > 1 else 0, "hsplit", 1)


@table.op(composes=("tensor_split",), out=False)
def vsplit(input, sections):
    """Splits along dim 0: ``sections`` equal parts or at the given indices."""
    return _split_along(input, sections, 0, "vsplit", 2)


@table.op(composes=("tensor_split",), out=False)
def dsplit(input, sections):
    """Splits along dim 2: ``sections`` equal parts or at the given indices."""
    return _split_along(input, sections, 2, "dsplit", 3)


# ===================================================== repeat_interleave
@table.op(composes=("index_select", "flatten", "reshape", "expand", "clone", "view"))
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each element ``repeats`` times (a number, or one count per element) along
    ``dim`` (the flattened input by default). ``repeat_interleave(counts)`` alone gives
    the indices ``0`` repeated ``counts[0]`` times, then ``1``..."""
    require_tensor(input, "repeat_interleave")
    if repeats is None:  # torch.repeat_interleave(repeats)
        counts = input._data
        if input.ndim != 1 or input._dtype.category != dt.INT:
            raise RuntimeError("repeat_interleave(repeats) needs a 1-dimensional integer "
                               "tensor of counts")
        return new(xp.repeat(xp.arange(counts.size, dtype=xp.int64), counts), dt.int64)
    source = input if dim is not None else ops.flatten(input)
    d = wrap_dim(dim if dim is not None else 0, source.ndim)
    if isinstance(repeats, Tensor):
        counts = repeats._data.reshape(-1).astype(xp.int64)
        size = source._data.shape[d] if source.ndim else 1
        if counts.size == 1:
            counts = xp.full(size, counts[0])
        if counts.size != size or (counts < 0).any():
            raise RuntimeError(f"repeat_interleave(): repeats must hold {size} non-negative "
                               f"counts, one per element along dim {d}")
        index = new(xp.repeat(xp.arange(size, dtype=xp.int64), counts), dt.int64)
        return ops.index_select(source, d, index)
    if repeats < 0:
        raise RuntimeError(f"repeat_interleave() needs non-negative repeats, not {repeats}")
    if source.ndim == 0:
        source = ops.reshape(source, (1,))
    shape = list(source.shape)
    expanded = ops.expand(ops.unsqueeze(source, d + 1),
                          *(shape[:d + 1] + [repeats] + shape[d + 1:]))
    # PyTorch copies the expanded tensor, then views it (CloneBackward0, ViewBackward0).
    return ops.view(ops.clone(expanded), shape[:d] + [shape[d] * repeats] + shape[d + 1:])


@table.op(composes=("gather", "view", "expand", "contiguous"))
def take_along_dim(input, indices, dim=None):
    """``gather`` with broadcasting: the values of ``input`` at ``indices`` along ``dim``
    (of the flattened input when ``dim`` is None)."""
    require_tensor(input, "take_along_dim")
    require_tensor(indices, "take_along_dim", "indices", 2)
    if indices._dtype.category != dt.INT:
        raise RuntimeError(f"take_along_dim() needs integer indices, not {indices._dtype!r}")
    if dim is None:
        return ops.gather(ops.view(ops.contiguous(input), (-1,)),
                          0, ops.view(ops.contiguous(indices), (-1,)))
    d = wrap_dim(dim, input.ndim)
    if input.ndim != indices.ndim:
        raise RuntimeError(f"take_along_dim(): input and indices must have the same number "
                           f"of dimensions, but have {input.ndim} and {indices.ndim}")
    in_shape, ix_shape = list(input.shape), list(indices.shape)
    in_shape[d] = ix_shape[d] = 1
    common = list(_broadcast(tuple(in_shape), tuple(ix_shape)))
    source_shape, index_shape = common.copy(), common.copy()
    source_shape[d], index_shape[d] = input.shape[d], indices.shape[d]
    # PyTorch expands both, even to their own shapes (ExpandBackward0 in the graph).
    return ops.gather(ops.expand(input, *source_shape), d, ops.expand(indices, *index_shape))


# ============================================================== unfold
@backward("UnfoldBackward0")
def _unfold_backward(ctx, grad):
    d, size, step = ctx.dim, ctx.size, ctx.step
    result = ops.zeros(ctx.shape, dtype=grad._dtype)
    for i in range(grad._data.shape[d]):
        window = ops.movedim(ops.select(grad, d, i), -1, d)
        index = new(xp.arange(i * step, i * step + size, dtype=xp.int64), dt.int64)
        result = ops.index_add(result, d, index, window)
    return (result,)


@table.op(function=False, backward=(_unfold_backward,))
def unfold(input, dimension, size, step):
    """``Tensor.unfold``: every window of ``size`` elements along ``dimension``, ``step``
    apart, as a new last dimension (a copy in gradcli; PyTorch returns a view)."""
    require_tensor(input, "unfold")
    if input.ndim == 0:
        if size != 1 or step <= 0:
            raise RuntimeError("unfold() of a 0-dimensional tensor takes size 1")
        return ops.reshape(input, (1,))
    d = wrap_dim(dimension, input.ndim)
    length = input._data.shape[d]
    if size > length or step <= 0 or size < 0:
        raise RuntimeError(f"unfold(): windows of size {size} with step {step} do not fit "
                           f"dimension {d} of size {length}")
    count = (length - size) // step + 1
    windows = xp.lib.stride_tricks.sliding_window_view(input._data, size, axis=d)
    windows = xp.take(windows, xp.arange(count) * step, axis=d)
    result = new(xp.ascontiguousarray(windows), input._dtype)
    if ag.needs_grad(input):
        ctx = SavedContext(dim=d, size=size, step=step, shape=input._data.shape)
        ag.record(_unfold_backward, (input,), result, ctx)
    return result


# ================================================== products of elements
@table.op(method=False, composes=("meshgrid", "flatten", "stack"), out=False)
def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, as rows."""
    for i, t in enumerate(tensors):
        require_tensor(t, "cartesian_prod", "tensors", i + 1)
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod() takes 1-dimensional tensors, but tensor {i} "
                               f"has {t.ndim} dimensions")
    if len(tensors) == 1:
        return tensors[0]
    grids = ops.meshgrid(*tensors, indexing="ij")
    return ops.stack([ops.flatten(g) for g in grids], 1)


@table.op(method=False, composes=("meshgrid", "masked_select", "stack"), out=False)
def combinations(input, r=2, with_replacement=False):
    """The ``r``-element combinations of a 1-D tensor's elements, as rows."""
    require_tensor(input, "combinations")
    if input.ndim != 1:
        raise RuntimeError(f"combinations() takes a 1-dimensional tensor, but got one with "
                           f"{input.ndim} dimensions")
    if r < 0:
        raise RuntimeError(f"combinations() needs r >= 0, not {r}")
    if r == 0:
        return new(xp.zeros((0,), input._data.dtype), input._dtype)
    # As PyTorch: an r-dimensional grid of the input, each axis masked to the index
    # tuples that are (non-)strictly increasing, then stacked as columns.
    n = input._data.shape[0]
    grids = ops.meshgrid(*([input] * r), indexing="ij")
    index = xp.indices((n,) * r)
    mask = xp.ones((n,) * r, dtype=bool)
    for a, b in itertools.pairwise(index):
        mask &= (a <= b) if with_replacement else (a < b)
    keep = new(mask, dt.bool_)
    return ops.stack([ops.masked_select(g, keep) for g in grids], 1)


@table.op(method=False, composes=("cumprod", "cat", "flip", "repeat"), out=False)
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a vector: columns ``x ** (N - 1)`` down to ``x ** 0``."""
    require_tensor(x, "vander", "x")
    if x.ndim != 1:
        raise RuntimeError(f"vander() takes a 1-dimensional tensor, but got {x.ndim} "
                           "dimensions")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError(f"vander() needs N >= 0, not {n}")
    target = dt.promote_types(x._dtype, dt.int64)
    ones = ops.ones((x.shape[0], 1), dtype=target)
    if n == 0:
        return ops.zeros((x.shape[0], 0), dtype=target)
    if n == 1:
        result = ones
    else:
        columns = ops.cumprod(ops.repeat(ops.unsqueeze(x, 1), 1, n - 1), 1)
        result = ops.cat([ones, columns], 1)
    return result if increasing else ops.flip(result, (1,))


@table.op(composes=("cat", "narrow", "sub", "logical_xor"))
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``prepend``/``append`` joined
    first); bools give ``!=`` of neighbours."""
    require_tensor(input, "diff")
    if input.ndim == 0:
        raise RuntimeError("diff() needs a tensor with at least 1 dimension")
    d = wrap_dim(dim, input.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    current = ops.cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = current.shape[d]
        if length == 0:
            break
        after = ops.narrow(current, d, 1, length - 1)
        before = ops.narrow(current, d, 0, length - 1)
        current = ops.logical_xor(after, before) if current._dtype is dt.bool_ else \
            after - before
    return current


# ====================================================== index helpers
def _triangle_indices(row, col, offset, dtype, lower: bool):
    mask = xp.tril(xp.ones((row, col), bool), offset) if lower else \
        xp.triu(xp.ones((row, col), bool), offset)
    target = dt.int64 if dtype is None else dtype
    if target.category != dt.INT:
        raise RuntimeError(f"{'tril' if lower else 'triu'}_indices() gives integer indices, "
                           f"not {target!r}")
    return new(xp.stack(xp.nonzero(mask)).astype(target.np), target)


@table.op(method=False, out=False)
def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the lower triangle of a ``row`` by ``col`` matrix."""
    return _triangle_indices(row, col, offset, dtype, True)


@table.op(method=False, out=False)
def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the upper triangle of a ``row`` by ``col`` matrix."""
    return _triangle_indices(row, col, offset, dtype, False)


@table.op(method=False, out=False)
def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in a tensor of ``shape``, one tensor per dim."""
    if not isinstance(indices, Tensor):
        indices = ops.tensor(indices)
    if indices._dtype.category != dt.INT:
        raise TypeError(f"unravel_index() needs integer indices, not {indices._dtype!r}")
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    total = 1
    for s in shape:
        total *= s
    flat = indices._data
    if ((flat < -total) | (flat >= total)).any():
        raise RuntimeError(f"unravel_index(): an index is out of range for shape "
                           f"{list(shape)} ({total} elements)")
    flat = xp.where(flat < 0, flat + total, flat)
    coords = xp.unravel_index(flat, shape) if shape else ()
    return tuple(new(xp.asarray(c, dtype=xp.int64), dt.int64) for c in coords)


@table.op(method=False, out=False)
def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to, as a ``torch.Size``."""
    normalized = []
    for s in shapes:
        normalized.append((s,) if isinstance(s, numbers.Integral) else tuple(s))
    return Size(_broadcast(*normalized))


# ============================================================ as_strided
@table.op(backward=(_as_strided_backward,), inplace=False, out=False)
def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given ``size`` and ``stride`` (in elements),
    starting ``storage_offset`` elements in (the input's own offset by default)."""
    require_tensor(input, "as_strided")
    base = input._base if input._base is not None else input
    if base._data.strides != tuple(s * base._data.itemsize
                                   for s in contiguous_strides(base._data.shape)):
        raise RuntimeError("as_strided() needs a tensor whose storage is laid out "
                           "contiguously in gradcli")
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"as_strided(): size {list(size)} and stride {list(stride)} must "
                           "have the same length")
    itemsize = base._data.itemsize
    if storage_offset is None:
        storage_offset = input.storage_offset()
    flat = base._data.reshape(-1)
    reach = storage_offset + sum((n - 1) * s for n, s in zip(size, stride) if n > 0)
    if storage_offset < 0 or (math.prod(size) and reach >= flat.size):
        raise RuntimeError(f"as_strided(): size {list(size)}, stride {list(stride)} and "
                           f"offset {storage_offset} reach outside the storage of "
                           f"{flat.size} elements")
    array = xp.lib.stride_tricks.as_strided(flat[storage_offset:], shape=size,
                                            strides=tuple(s * itemsize for s in stride),
                                            writeable=flat.flags.writeable)
    result = make_view(input, array)
    if ag.needs_grad(input):
        ctx = SavedContext(geometry=view_geometry(result, base), base_shape=base._data.shape)
        ag.record(_as_strided_backward, (base,), result, ctx)
    return result
