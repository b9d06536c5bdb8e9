"""Ops that pick or place values by index along a dim, or in the flattened tensor.

``index_select``/``index_add``/``index_copy``/``index_fill``,
``gather``/``scatter``/``scatter_add``, ``take``/``put``.
"""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor, wrap_dim
from .. import inplace as ip
from ..common import fill_value, new, tensor_or_none
from ..registry import OpTable
from ..views import fresh, list_repr
from ._helpers import zeros_tensor

table = OpTable("index.gather")


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
    return (index_add(zeros_tensor(ctx.shape, grad._dtype), ctx.dim, ctx.index, grad),)


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
    value_tensor, value = fill_value(value, "index_fill")
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
    return (scatter_add(zeros_tensor(ctx.shape, grad._dtype), ctx.dim, ctx.index, grad),)


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
    return (put(zeros_tensor(ctx.shape, grad._dtype), ctx.index, grad, accumulate=True),)


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
    grad_self = grad if ctx.accumulate else put(grad, ctx.index, zeros_tensor(ctx.index_shape,
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
