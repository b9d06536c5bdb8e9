"""Float sums, products and norms over arrays, combined in PyTorch's CPU order.

PyTorch's CPU kernels add (and multiply) the elements of a reduction in a
fixed order: interleaved partial sums, vector lanes, a cascade over rows.
The kernels here rebuild that order on NumPy arrays, so that results agree
with PyTorch's to the last bit, not just to the four printed decimals (see
:func:`float_sum`). They take and return arrays, never tensors.
"""

from __future__ import annotations

import builtins
import math

from .. import dtypes as dt
from ..backend import xp

# PyTorch's CPU reductions run single-threaded below this many elements.
_GRAIN_SIZE = 32768


# ======================================================= float kernels
# PyTorch reduces through a TensorIterator: dims are ordered by stride (reduced
# dims first), adjacent dims are merged, and a 2-D kernel runs on the first two
# dims. The helpers below rebuild that layout so that float sums and products
# combine the same numbers in the same order as PyTorch's CPU kernels (AVX2
# widths: 8 floats or 4 doubles per vector).
class _Layout:
    """The TensorIterator view of a reduction: ``values`` has axis 0 fastest."""

    def __init__(self, array, axes: tuple) -> None:
        ndim = array.ndim
        shape = list(array.shape)
        keep_shape = tuple(1 if d in axes else s for d, s in enumerate(shape))
        out_strides, step = [0] * ndim, array.itemsize
        for d in range(ndim - 1, -1, -1):
            out_strides[d] = 0 if d in axes else step
            step *= keep_shape[d]
        operands = ((True, out_strides), (False, list(array.strides)))
        perm = _iteration_order(operands, shape)
        merged_shape, merged_strides = _coalesce(perm, shape, operands)
        self.itemsize = array.itemsize
        self.out_size = math.prod(keep_shape)
        positions = xp.broadcast_to(
            xp.arange(self.out_size, dtype=xp.int64).reshape(keep_shape), array.shape)
        self.values = _iteration_view(array, perm, merged_shape)
        self.positions = _iteration_view(positions, perm, merged_shape)
        self.out_strides, self.in_strides = merged_strides
        self.reduced_dims = builtins.sum(1 for s in self.out_strides if s == 0)
        if len(merged_shape) == 1:
            self.values = self.values[:, None]
            self.positions = self.positions[:, None]
            self.out_strides = self.out_strides + [0]
            self.in_strides = self.in_strides + [0]


def _iteration_order(operands, shape) -> list:
    """TensorIterator's dim order (fastest first): reduced dims, then by strides."""

    def should_swap(d0, d1) -> int:
        for is_output, strides in operands:
            s0, s1 = strides[d0], strides[d1]
            if is_output and (s0 == 0) != (s1 == 0):
                return 1 if s1 == 0 else -1
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    ndim = len(shape)
    perm = list(range(ndim - 1, -1, -1))
    for i in range(1, ndim):
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            order = should_swap(perm[dim0], perm[dim1])
            if order > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif order < 0:
                break
    return perm


def _coalesce(perm, shape, operands):
    """Merges adjacent iteration dims whose strides line up in every operand."""
    pshape = [shape[p] for p in perm]
    pstrides = [[strides[p] for p in perm] for _, strides in operands]
    merged = [pshape[0]]
    mstrides = [[s[0]] for s in pstrides]
    for d in range(1, len(pshape)):
        size0, size1 = merged[-1], pshape[d]
        if size0 == 1 or size1 == 1 or builtins.all(size0 * ms[-1] == ps[d]
                                           for ms, ps in zip(mstrides, pstrides)):
            if size0 == 1:
                for ms, ps in zip(mstrides, pstrides):
                    ms[-1] = ps[d]
            merged[-1] = size0 * size1
        else:
            merged.append(size1)
            for ms, ps in zip(mstrides, pstrides):
                ms.append(ps[d])
    return merged, mstrides


def _iteration_view(array, perm, merged_shape):
    slow_first = xp.transpose(array, perm[::-1]).reshape(merged_shape[::-1])
    return xp.transpose(slow_first, tuple(range(len(merged_shape) - 1, -1, -1)))


def _ceil_log2(n: int) -> int:
    return 0 if n <= 1 else int(n - 1).bit_length()


def _running_sum(x):
    """Adds the rows of ``x`` one after another, starting from +0 (per remaining lane)."""
    if x.shape[0] == 0:
        return xp.zeros(x.shape[1:], x.dtype)
    return xp.cumsum(x, axis=0, dtype=x.dtype)[-1] + x.dtype.type(0)


def _multi_row_sum(x):
    """PyTorch's ``multi_row_sum``: a cascade over axis 0 with four levels of partial sums."""
    size = x.shape[0]
    level_power = builtins.max(4, _ceil_log2(size) // 4)
    level_step = 1 << level_power
    level_mask = level_step - 1
    acc = [xp.zeros(x.shape[1:], x.dtype) for _ in range(4)]
    i = 0
    while i + level_step <= size:
        acc[0] = acc[0] + _running_sum(x[i:i + level_step])
        i += level_step
        for j in range(1, 4):
            acc[j] = acc[j] + acc[j - 1]
            acc[j - 1] = xp.zeros_like(acc[j - 1])
            if i & (level_mask << (j * level_power)):
                break
    for k in range(i, size):
        acc[0] = acc[0] + x[k]
    for j in range(1, 4):
        acc[0] = acc[0] + acc[j]
    return acc[0]


def _row_sum(x):
    """PyTorch's ``row_sum``: four interleaved partial sums over axis 0, then combined."""
    size = x.shape[0]
    rows = size // 4
    partial = _multi_row_sum(x[:rows * 4].reshape((rows, 4) + x.shape[1:]))
    total = partial[0]
    for k in range(rows * 4, size):
        total = total + x[k]
    for k in range(1, 4):
        total = total + partial[k]
    return total


def _inner_vector_sum(x, width: int):
    """Reduction along contiguous axis 0, ``width`` lanes at a time."""
    size = x.shape[0]
    nvec = size // width
    lanes = _row_sum(x[:nvec * width].reshape((nvec, width) + x.shape[1:]))
    total = xp.zeros(x.shape[1:], x.dtype)
    for k in range(nvec * width, size):
        total = total + x[k]
    for k in range(width):
        total = total + lanes[k]
    return total


def _outer_vector_sum(x, width: int):
    """Reduction along axis 0 where axis 1 (the outputs) is contiguous."""
    size1 = x.shape[1]
    out = xp.empty(x.shape[1:], x.dtype)
    blocked = size1 // (4 * width) * (4 * width)
    if blocked:
        out[:blocked] = _multi_row_sum(x[:, :blocked])
    if blocked < size1:
        out[blocked:] = _row_sum(x[:, blocked:])
    return out


def _scalar_outer_sum(x):
    size1 = x.shape[1]
    grouped = size1 // 4 * 4
    out = xp.empty(x.shape[1:], x.dtype)
    if grouped:
        out[:grouped] = _multi_row_sum(x[:, :grouped])
    if grouped < size1:
        out[grouped:] = _row_sum(x[:, grouped:])
    return out


def _accumulate_blocks(layout: _Layout, blocks, positions, elementwise: bool):
    """Adds the 2-D kernel's per-block results into the outputs, in loop order."""
    outer_reduced = [k for k in range(2, layout.values.ndim) if layout.out_strides[k] == 0]
    shift = 0 if elementwise else 1
    order = [k - shift for k in sorted(outer_reduced, reverse=True)]
    if not elementwise and layout.out_strides[1] == 0:
        order.append(0)
    if order:
        rest = [k for k in range(blocks.ndim) if k not in order]
        blocks = xp.transpose(blocks, order + rest)
        positions = xp.transpose(positions, order + rest)
        count = math.prod(blocks.shape[:len(order)])
        blocks = blocks.reshape((count,) + blocks.shape[len(order):])
        positions = positions.reshape((count,) + positions.shape[len(order):])[0]
        values = _running_sum(blocks)
    else:
        values = blocks + blocks.dtype.type(0)
    out = xp.zeros(layout.out_size, blocks.dtype)
    out[xp.asarray(positions).reshape(-1)] = xp.asarray(values).reshape(-1)
    return out


def float_sum(array, axes: tuple):
    """Sum of a float array over ``axes`` (dropped), added in PyTorch's CPU order.

    PyTorch's ``cascade_sum`` splits each reduction into interleaved partial
    sums (four at a time, eight float lanes per vector) that are combined in a
    fixed order; reproducing it makes ``x.sum().item()`` agree bit for bit.
    """
    axes = tuple(sorted(axes))
    result_shape = tuple(s for d, s in enumerate(array.shape) if d not in axes)
    if array.dtype == xp.float16:
        return float_sum(array.astype(xp.float32), axes).astype(xp.float16)
    if array.ndim == 0 or not axes:
        return array + array.dtype.type(0)
    if array.size == 0 or array.size >= _GRAIN_SIZE:
        return xp.sum(array, axis=axes, dtype=array.dtype).reshape(result_shape)
    width = 32 // array.itemsize
    layout = _Layout(array, axes)
    values, itemsize = layout.values, layout.itemsize
    out0, out1 = layout.out_strides[:2]
    in0, in1 = layout.in_strides[:2]
    if out0 != 0 and out1 == 0:
        values = xp.swapaxes(values, 0, 1)
        layout.positions = xp.swapaxes(layout.positions, 0, 1)
        layout.out_strides[:2] = [out1, out0]
        out0, out1, in0, in1 = out1, out0, in1, in0
    if out0 != 0 and out1 != 0:
        out = _accumulate_blocks(layout, values, layout.positions, elementwise=True)
        return out.reshape(result_shape)
    if in0 == itemsize and values.shape[0] >= width:
        blocks = _inner_vector_sum(values, width)
    elif in1 == itemsize and values.shape[1] >= width:
        blocks = _outer_vector_sum(values, width)
    elif in0 < in1:
        blocks = _row_sum(values)
    else:
        blocks = _scalar_outer_sum(values)
    out = _accumulate_blocks(layout, blocks, layout.positions[0], elementwise=False)
    return out.reshape(result_shape)


def _sequential_product(array, axes: tuple):
    """Products over ``axes``, multiplying one element at a time in memory order."""
    ndim = array.ndim
    kept = [d for d in range(ndim) if d not in axes]
    order = sorted(axes, key=lambda d: -array.strides[d])
    moved = xp.transpose(array, kept + order)
    rows = moved.reshape(moved.shape[:len(kept)] + (-1,))
    if rows.shape[-1] == 0:
        return xp.ones(rows.shape[:-1], array.dtype)
    return xp.cumprod(rows, axis=-1, dtype=array.dtype)[..., -1]


def float_prod(array, axes: tuple):
    """Product over ``axes`` in PyTorch's order (four vector accumulators on long rows)."""
    axes = tuple(sorted(axes))
    result_shape = tuple(s for d, s in enumerate(array.shape) if d not in axes)
    if array.ndim == 0 or not axes:
        return array.copy()
    if array.dtype == xp.float16:
        return _sequential_product(array, axes).reshape(result_shape)
    if array.size == 0 or array.size >= _GRAIN_SIZE:
        return xp.prod(array, axis=axes, dtype=array.dtype).reshape(result_shape)
    width = 32 // array.itemsize
    chunk = 4 * width
    layout = _Layout(array, axes)
    values = layout.values
    if not (layout.out_strides[0] == 0 and layout.in_strides[0] == array.itemsize
            and values.shape[0] >= chunk and layout.reduced_dims == 1):
        return _sequential_product(array, axes).reshape(result_shape)
    # Long contiguous rows: four vectors multiply in turn, then combine lane by lane.
    size0 = values.shape[0]
    count = size0 // chunk
    blocks = values[:count * chunk].reshape((count, 4, width) + values.shape[1:])
    acc = xp.cumprod(blocks, axis=0, dtype=array.dtype)[-1]
    combined = (acc[0] * acc[1]) * (acc[2] * acc[3])
    total = xp.cumprod(combined, axis=0, dtype=array.dtype)[-1]
    for k in range(count * chunk, size0):
        total = total * values[k]
    out = xp.ones(layout.out_size, array.dtype)
    out[layout.positions[0].reshape(-1)] = total.reshape(-1)
    return out.reshape(result_shape)


def _reduce_sum(array, axes: tuple, dtype: dt.DType):
    """Sum of ``array`` (already of ``dtype``) over ``axes``."""
    if dtype.category == dt.FLOAT:
        return float_sum(array, axes)
    return xp.sum(array, axis=axes, dtype=dtype.np)


# ======================================================= variance and norm kernels
def _welford(rows):
    """Mean and sum of squared deviations over the last axis, one element at a time."""
    mean_acc = xp.zeros(rows.shape[:-1])
    m2 = xp.zeros(rows.shape[:-1])
    for k in range(rows.shape[-1]):
        x = rows[..., k]
        delta = x - mean_acc
        mean_acc = mean_acc + delta / (k + 1)
        m2 = m2 + delta * (x - mean_acc)
    return mean_acc, m2


def _sequential(values, step):
    """Runs ``acc = step(acc, x)`` over axis 0 of ``values`` (vectorized over the rest)."""
    acc = None
    for k in range(values.shape[0]):
        acc = step(acc, values[k])
    return acc


def _norm_two_lastdim(rows):
    """PyTorch's vectorized 2-norm over the last axis (eight float / four double lanes)."""
    width = 32 // rows.itemsize
    size = rows.shape[-1]
    nvec = size // width
    lanes = xp.zeros(rows.shape[:-1] + (width,), rows.dtype)
    for i in range(nvec):
        chunk = rows[..., i * width:(i + 1) * width]
        lanes = lanes + chunk * chunk
    total = lanes[..., 0]
    for j in range(1, width):
        total = total + lanes[..., j]
    tail = rows[..., nvec * width:]
    # The compiler squares a block of four tail elements with one vector multiply
    # and fuses the remaining multiply-adds.
    block = 4 if tail.shape[-1] >= 4 and rows.dtype == xp.float32 else 0
    for k in range(block):
        total = total + tail[..., k] * tail[..., k]
    wide = xp.float64 if rows.dtype == xp.float32 else xp.longdouble
    for k in range(block, tail.shape[-1]):
        x = tail[..., k].astype(wide)
        total = (x * x + total.astype(wide)).astype(rows.dtype)
    return xp.sqrt(total)


def _vector_norm_values(data, ord: float, axes: tuple):
    """``linalg.vector_norm`` of a float array (result has the reduced axes dropped)."""
    shape = tuple(s for d, s in enumerate(data.shape) if d not in axes)
    if data.ndim == 0 or not axes:
        return xp.abs(data) if ord != 0 else (data != 0).astype(data.dtype)
    if data.size == 0:
        return xp.full(shape, xp.inf if ord < 0 else 0, dtype=data.dtype)
    kept = [d for d in range(data.ndim) if d not in axes]
    order = sorted(axes, key=lambda d: -data.strides[d])
    rows = xp.transpose(data, kept + order).reshape(
        tuple(data.shape[d] for d in kept) + (-1,))
    work = rows.astype(xp.float32) if data.dtype == xp.float16 else rows
    absolute = xp.abs(work)
    with xp.errstate(all="ignore"):
        if data.size >= _GRAIN_SIZE and ord not in (0.0, math.inf, -math.inf):
            # Large inputs are split among threads in PyTorch: only the value is kept.
            wide = absolute.astype(xp.float64)
            result = (wide ** ord).sum(axis=-1) ** (1.0 / ord)
        elif ord == 2.0 and data.dtype != xp.float16 and _is_lastdim_reduction(data, axes):
            result = _norm_two_lastdim(work)
        elif ord == 2.0:
            total = _sequential(xp.moveaxis(work, -1, 0),
                                lambda acc, x: x * x if acc is None else acc + x * x)
            result = xp.sqrt(total)
        elif ord == 1.0:
            result = _sequential(xp.moveaxis(absolute, -1, 0),
                                 lambda acc, x: x + 0 if acc is None else acc + x)
        elif ord == 0.0:
            result = xp.count_nonzero(work, axis=-1).astype(work.dtype)
        elif ord == math.inf:
            result = xp.max(absolute, axis=-1)
        elif ord == -math.inf:
            result = xp.min(absolute, axis=-1)
        else:
            wide = xp.float64
            powered = (absolute.astype(wide) ** ord).astype(work.dtype)
            total = _sequential(xp.moveaxis(powered, -1, 0),
                                lambda acc, x: x + 0 if acc is None else acc + x)
            inverse = work.dtype.type(1) / work.dtype.type(ord)
            result = (total.astype(wide) ** wide(inverse)).astype(work.dtype)
    return xp.asarray(result).astype(data.dtype).reshape(shape)


def _is_lastdim_reduction(data, axes: tuple) -> bool:
    """PyTorch's ``is_reduce_lastdim``: one reduced iterator dim, first and contiguous."""
    if data.size >= _GRAIN_SIZE:
        return False
    layout = _Layout(data, axes)
    return (layout.reduced_dims == 1 and layout.out_strides[0] == 0
            and layout.in_strides[0] == data.itemsize)
