"""Writing results into existing tensors: ``x.op_()``, ``out=``, ``copy_``, ``fill_``.

An in-place op is computed out of place from a snapshot of the target, then
written into the target's storage; the target takes over the result's
history. Writing into a view of a tensor that takes part in autograd records
a ``CopySlices`` node on the view's base, as PyTorch does.
"""

from __future__ import annotations

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..node import SavedContext
from ..tensor import Tensor
from .common import new

LEAF_MESSAGE = ("a leaf Variable that requires grad is being used in an in-place operation.")


def can_cast(src: dt.DType, dst: dt.DType) -> bool:
    """PyTorch's rule for writing a result into a tensor: no float->int, no int->bool."""
    return src.category <= dst.category


def check_writable(target: Tensor) -> None:
    if ag.is_grad_enabled() and target._requires_grad and target._grad_fn is None:
        raise RuntimeError(LEAF_MESSAGE)
    base = target._base
    if ag.is_grad_enabled() and base is not None and base._requires_grad \
            and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def _snapshot(target: Tensor) -> Tensor:
    """A copy of ``target``'s values that carries the same history."""
    snap = Tensor._make(target._data.copy(), target._dtype)
    snap._requires_grad = target._requires_grad
    snap._grad_fn = target._grad_fn
    snap._output_nr = target._output_nr
    if target._requires_grad and target._grad_fn is None:
        snap._accumulator = target._accumulator
    return snap


def apply_inplace(target: Tensor, fn, args, kwargs) -> Tensor:
    """Runs ``fn(target, *args, **kwargs)`` and writes the result into ``target``."""
    check_writable(target)
    grad_on = ag.is_grad_enabled()
    source = _snapshot(target) if grad_on else target
    result = fn(source, *args, **kwargs)
    return commit(target, result)


def commit(target: Tensor, result: Tensor) -> Tensor:
    """Writes ``result``'s values into ``target`` and moves its history over."""
    if not can_cast(result._dtype, target._dtype):
        raise RuntimeError(f"result type {result._dtype.short} can't be cast to the desired "
                           f"output type {target._dtype.short}")
    if result._data.shape != target._data.shape:
        try:
            xp.broadcast_to(result._data, target._data.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(target.shape)} doesn't match the broadcast shape "
                f"{list(result.shape)}") from None
    xp.copyto(target._data, result._data, casting="unsafe")
    target._version.value += 1
    if result._grad_fn is not None or target._grad_fn is not None \
            or (target._base is not None and target._base._requires_grad):
        _rebase_history(target, result)
    return target


def _rebase_history(target: Tensor, result: Tensor) -> None:
    base = target._base
    if base is None or not ag.is_grad_enabled():
        if result._requires_grad and ag.is_grad_enabled():
            if result._data.shape != target._data.shape:
                from .shape import expand
                result = expand(result, target._data.shape)
            if result._dtype is not target._dtype:
                from .creation import to_dtype
                result = to_dtype(result, target._dtype)
            target._grad_fn = result._grad_fn
            target._output_nr = result._output_nr
            target._requires_grad = True
        return
    if not (result._requires_grad or base._requires_grad):
        return
    _copy_slices(base, target, result)


# ------------------------------------------------------------- CopySlices
def _geometry(view: Tensor, base: Tensor):
    itemsize = base._dtype.itemsize
    offset = (view._data.__array_interface__["data"][0]
              - base._data.__array_interface__["data"][0]) // itemsize
    strides = tuple(s // itemsize for s in view._data.strides)
    return view._data.shape, strides, offset


def strided_view(array, shape, strides, offset):
    """The region of a contiguous ``array`` that a view with this geometry covers."""
    flat = array.reshape(-1)
    itemsize = array.itemsize
    return xp.lib.stride_tricks.as_strided(flat[offset:], shape=shape,
                                           strides=tuple(s * itemsize for s in strides))


def _copy_slices_backward(ctx, grad):
    # PyTorch's CopySlices: the region's gradient goes through the op that
    # wrote it; the rest of the base's gradient passes straight through.
    shape, strides, offset = ctx.geometry
    full = grad._data.copy()
    region = strided_view(full, shape, strides, offset)
    inner = ctx.inner
    inner_grads = inner.apply((new(region.copy(), grad._dtype),))
    first = inner_grads[0] if inner_grads else None
    if first is None:
        region[...] = 0
    else:
        region[...] = xp.broadcast_to(first._data, region.shape)
    return (new(full, grad._dtype),) + tuple(inner_grads[1:])


def _as_strided_backward(ctx, grad):
    shape, strides, offset = ctx.geometry
    full = xp.zeros(ctx.base_shape, dtype=grad._dtype.np)
    strided_view(full, shape, strides, offset)[...] += grad._data
    return (new(full, grad._dtype),)


def _copy_slices(base: Tensor, view: Tensor, result: Tensor) -> None:
    """Records that ``view``'s region of ``base`` was overwritten by ``result``."""
    inner = result._grad_fn
    ctx = SavedContext()
    ctx.geometry = _geometry(view, base)
    ctx.inner = inner
    base_edge = ag.edge(base)
    node = ag.record("CopySlices", _copy_slices_backward, (base,), base, ctx)
    grad_fn = base._grad_fn
    if inner is not None:
        grad_fn.next_functions = (base_edge,) + inner.next_functions[1:]
        grad_fn._input_meta = ((base._data.shape, base._dtype),) + inner._input_meta[1:]
    del node
    view_ctx = SavedContext()
    view_ctx.geometry = ctx.geometry
    view_ctx.base_shape = base._data.shape
    view._grad_fn = None
    ag.record("AsStridedBackward0", _as_strided_backward, (base,), view, view_ctx)


# ------------------------------------------------------------------- out=
def write_out(out: Tensor, result: Tensor) -> Tensor:
    """PyTorch's ``out=``: resize ``out`` if needed, then write ``result`` into it."""
    if not isinstance(out, Tensor):
        raise TypeError(f"out must be a Tensor, not {type(out).__name__}")
    if ag.is_grad_enabled() and (result._requires_grad or out._requires_grad):
        raise RuntimeError("functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if not can_cast(result._dtype, out._dtype):
        raise RuntimeError(f"result type {result._dtype.short} can't be cast to the desired "
                           f"output type {out._dtype.short}")
    if out._data.shape != result._data.shape:
        if out._data.size == 0 or out._base is None:
            out._data = xp.empty(result._data.shape, dtype=out._dtype.np)
        else:
            raise RuntimeError("cannot resize a view used as out=")
    xp.copyto(out._data, result._data, casting="unsafe")
    out._version.value += 1
    return out


# ----------------------------------------------------------- fill, copy_
def _fill_backward(ctx, grad):
    from .creation import zeros_like
    return (zeros_like(grad),)


def fill_values(target: Tensor, value) -> Tensor:
    """``fill_``/``zero_``: every element becomes ``value``."""
    check_writable(target)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        value = value.item()
    result = new(xp.full(target._data.shape, value, dtype=target._dtype.np), target._dtype)
    if ag.needs_grad(target):
        snap = _snapshot(target)
        ag.record("FillBackward0" if value != 0 or True else "ZeroBackward0",
                  _fill_backward, (snap,), result)
    return commit(target, result)


def _copy_backward(ctx, grad):
    from .creation import zeros_like, to_dtype
    return zeros_like(grad), to_dtype(grad, ctx.src_dtype)


def copy_(target: Tensor, src, non_blocking: bool = False) -> Tensor:
    """``target.copy_(src)``: broadcast ``src`` into ``target``, converting its dtype."""
    check_writable(target)
    if not isinstance(src, Tensor):
        from .creation import tensor
        src = tensor(src)
    try:
        xp.broadcast_to(src._data, target._data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({target.shape[-1] if target.ndim else 1}) "
                           f"must match the size of tensor b ({src.shape[-1]}) at "
                           f"non-singleton dimension {target.ndim - 1}") from None
    data = xp.broadcast_to(src._data, target._data.shape).astype(target._dtype.np)
    result = new(data, target._dtype)
    if ag.needs_grad(target, src):
        ctx = SavedContext()
        ctx.src_dtype = src._dtype
        snap = _snapshot(target) if target._requires_grad else None
        ag.record("CopyBackwards", _copy_backward, (snap, src), result, ctx)
    xp.copyto(target._data, result._data, casting="unsafe")
    target._version.value += 1
    if result._grad_fn is not None or (target._base is not None
                                       and target._base._requires_grad):
        _rebase_history(target, result)
    return target
