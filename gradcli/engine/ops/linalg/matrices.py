"""Matrix ops: ``diag``, ``trace``, ``tril``/``triu`` and ``matrix_power``."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ..common import new, plural
from ..registry import OpTable
from ._helpers import check_tensor
from .matmul import matmul
from .products import mm_backward

table = OpTable("linalg.matrices")


# ======================================================== diagonals, trace
def _diagonal_geometry(shape, strides, offset: int, dim1: int, dim2: int):
    size1, size2 = shape[dim1], shape[dim2]
    if offset >= 0:
        length = max(0, min(size1, size2 - offset))
        start = offset * strides[dim2] if length else 0
    else:
        length = max(0, min(size1 + offset, size2))
        start = -offset * strides[dim1] if length else 0
    rest = [i for i in range(len(shape)) if i not in (dim1, dim2)]
    return (tuple(shape[i] for i in rest) + (length,),
            tuple(strides[i] for i in rest) + (strides[dim1] + strides[dim2],), start)


def _diagonal_array(array, offset: int, dim1: int, dim2: int):
    """A writable NumPy view of the diagonal (last axis of the result)."""
    shape, strides, start = _diagonal_geometry(array.shape, array.strides, offset, dim1, dim2)
    base = array
    if start:
        index = [slice(None)] * array.ndim
        axis = dim2 if offset >= 0 else dim1
        index[axis] = slice(abs(offset), None)
        base = array[tuple(index)]
    return xp.lib.stride_tricks.as_strided(base, shape=shape, strides=strides,
                                           writeable=array.flags.writeable)


@backward("DiagonalBackward0_copy")
def _diagonal_backward(ctx, grad):
    return (ops.diagonal_backward(grad, ctx.shape, ctx.offset, ctx.dim1, ctx.dim2),)


@table.op(backward=(_diagonal_backward,), composes=("diag_embed",))
def diag(input, diagonal=0):
    """A 1-D tensor becomes a diagonal matrix; a matrix gives its diagonal (a copy)."""
    check_tensor(input, "diag")
    if input.ndim == 1:  # PyTorch records DiagEmbedBackward0 here too
        return ops.diag_embed(input, diagonal, 0, 1)
    if input.ndim != 2:
        raise RuntimeError(f"diag() takes a 1- or 2-dimensional tensor, but got one with "
                           f"{plural(input.ndim, 'dimension')}")
    result = new(_diagonal_array(input._data, diagonal, 0, 1).copy(), input._dtype)
    if ag.needs_grad(input):
        ag.record(_diagonal_backward, (input,), result,
                  SavedContext(shape=input._data.shape, offset=diagonal, dim1=0, dim2=1))
    return result


@backward("TraceBackward0")
def _trace_backward(ctx, grad):
    """PyTorch's ``trace_backward``: ``grad`` written on the flattened diagonal."""
    rows, cols = ctx.shape
    indices = new(xp.arange(0, rows * cols, cols + 1, dtype=xp.int64), dt.int64)
    flat = ops.index_fill(ops.zeros(rows * cols, dtype=grad._dtype), 0, indices, grad)
    return (ops.view(flat, ctx.shape),)


@table.op(backward=(_trace_backward,), out=False)
def trace(input):
    """Sum of the main diagonal of a matrix (integers give int64)."""
    check_tensor(input, "trace")
    if input.ndim != 2:
        raise RuntimeError(f"trace() needs a matrix (2 dimensions), but got a tensor with "
                           f"{plural(input.ndim, 'dimension')}")
    values = _diagonal_array(input._data, 0, 0, 1)
    if input._dtype.category == dt.FLOAT:
        target = input._dtype
        wide = xp.float32 if target is dt.float16 else xp.float64
        total = xp.cumsum(values.astype(wide))[-1] if values.size else wide(0)
    else:
        target = dt.int64
        total = values.astype(xp.int64).sum()
    result = new(xp.asarray(total).astype(target.np).reshape(()), target)
    if ag.needs_grad(input):
        ag.record(_trace_backward, (input,), result,
                  SavedContext(shape=input._data.shape))
    return result


def _make_triangle(name: str, np_fn, node_name: str):
    """Declares ``tril``/``triu``: the op, its in-place form and its backward node."""

    def rule(ctx, grad):
        return (triangle(grad, ctx.diagonal),)

    node = Backward(node_name, rule)

    def triangle(input, diagonal=0):
        check_tensor(input, name)
        if input.ndim < 2:
            raise RuntimeError(f"{name}() needs a tensor with at least 2 dimensions, but got "
                               f"one with {plural(input.ndim, 'dimension')}")
        result = new(np_fn(input._data, diagonal), input._dtype)
        if ag.needs_grad(input):
            ag.record(node, (input,), result, SavedContext(diagonal=diagonal))
        return result

    triangle.__name__ = name
    triangle.__doc__ = (f"The {'lower' if name == 'tril' else 'upper'} triangle of the last two "
                        "dims (others zeroed), relative to ``diagonal``.")
    return table.op(inplace=True, backward=(node,))(triangle)


tril = _make_triangle("tril", xp.tril, "TrilBackward0")
triu = _make_triangle("triu", xp.triu, "TriuBackward0")


@table.op(backward=(mm_backward,), composes=("inverse",), qualified=("linalg.matrix_power",))
def matrix_power(input, n):
    """``input`` multiplied by itself ``n`` times (0 gives the identity; a negative ``n``
    inverts ``input`` first)."""
    check_tensor(input, "matrix_power")
    if input.ndim < 2 or input._data.shape[-1] != input._data.shape[-2]:
        raise RuntimeError(f"matrix_power() needs square matrices, but got "
                           f"{input._data.shape[-2] if input.ndim > 1 else 1} by "
                           f"{input._data.shape[-1] if input.ndim else 1} matrices")
    if n < 0:  # the inverse itself for n = -1, as PyTorch returns it
        inverse = ops.inverse(input)
        return inverse if n == -1 else matrix_power(inverse, -n)
    if n == 0:
        eye = xp.broadcast_to(xp.eye(input._data.shape[-1], dtype=input._dtype.np),
                              input._data.shape).copy()
        return new(eye, input._dtype)
    if n == 1:
        return ops.clone(input)
    if n == 2:
        return matmul(input, input)
    if n == 3:
        return matmul(matmul(input, input), input)
    # Binary decomposition of n, lowest bit first, as PyTorch multiplies.
    square = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        square = input if square is None else matmul(square, square)
        if bit:
            result = square if result is None else matmul(result, square)
    return result
