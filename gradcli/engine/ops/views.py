"""View bookkeeping shared by every op that makes or writes views.

A view's array is a NumPy view of its base's array, and the view tensor keeps
``_base`` so that writes through either are seen by both, as in PyTorch. View
arrays are built with PyTorch's own stride rules (so ``stride()`` and
``is_contiguous()`` agree with torch, size-1 dimensions included).

Every view is also an autograd view: :func:`view_info` tells which tensor it
is a view of for autograd (``detach()`` shares storage but is no view), how it
was created (in grad mode, under ``no_grad``, or as one output of a
multi-output op such as ``unbind``), which ``ops/inplace.py`` needs for
PyTorch's in-place rules and for rewriting a view's history after a write.
"""

from __future__ import annotations

import math
import weakref

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..tensor import Tensor
from .common import new


def list_repr(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ============================================================== view bookkeeping
DEFAULT, NO_GRAD, MULTI = "default", "no_grad", "multi_output"


class ViewInfo:
    """What autograd knows about a view: its base and how it was made."""

    __slots__ = ("base", "creation", "op")

    def __init__(self, base: Tensor, creation: str, op: str | None) -> None:
        self.base = base  # the tensor this is a view of (never itself a view)
        self.creation = creation
        self.op = op  # the multi-output op's name, for error messages


_INFO: dict[int, tuple] = {}  # id(view) -> (ViewInfo, weakref to the view)
_VIEWS_OF: dict[int, dict] = {}  # id(base) -> {id(view): weakref to the view}


def _forget(view_id: int, base_id: int):
    def callback(_ref) -> None:
        _INFO.pop(view_id, None)
        views = _VIEWS_OF.get(base_id)
        if views is not None:
            views.pop(view_id, None)
            if not views:
                del _VIEWS_OF[base_id]
    return callback


def view_info(t: Tensor) -> ViewInfo | None:
    """The autograd view information of ``t``, or None when ``t`` is not a view."""
    entry = _INFO.get(id(t))
    return entry[0] if entry is not None else None


def views_of(base: Tensor) -> list:
    """The live views of ``base`` (for autograd: views of its views included)."""
    refs = _VIEWS_OF.get(id(base))
    if not refs:
        return []
    return [v for v in (r() for r in list(refs.values())) if v is not None]


def make_view(input: Tensor, array, creation: str | None = None, op: str | None = None) -> Tensor:
    """A tensor over ``array``, a NumPy view of ``input``'s storage.

    The result is registered as an autograd view of ``input``'s base. Made
    under ``no_grad`` from a tensor that requires grad, it still reports
    ``requires_grad=True`` (as a leaf), as PyTorch's views do.
    """
    root = input._base if input._base is not None else input
    result = Tensor._make(array, input._dtype, base=root)
    parent = view_info(input)
    base = parent.base if parent is not None else input
    if not ag.is_grad_enabled():
        creation, op = NO_GRAD, None
    elif creation is None:
        creation = DEFAULT
    if parent is not None and parent.creation != DEFAULT and creation == DEFAULT:
        creation, op = parent.creation, parent.op
    view_id, base_id = id(result), id(base)
    ref = weakref.ref(result, _forget(view_id, base_id))
    _INFO[view_id] = (ViewInfo(base, creation, op), ref)
    _VIEWS_OF.setdefault(base_id, {})[view_id] = ref
    if base._requires_grad:
        result._requires_grad = True
    return result


# ============================================================== strides
def strides_of(t: Tensor) -> tuple:
    """``t``'s strides counted in elements."""
    itemsize = t._data.itemsize
    return tuple(s // itemsize for s in t._data.strides)


def restride(array, shape, strides):
    """A NumPy view of ``array`` (same start) with the given element strides."""
    itemsize = array.itemsize
    return xp.lib.stride_tricks.as_strided(array, shape=tuple(shape),
                                           strides=tuple(s * itemsize for s in strides))


def contiguous_strides(shape) -> tuple:
    """PyTorch's strides for a contiguous tensor of ``shape`` (size-0/1 dims count as 1)."""
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def fresh(array, dtype: dt.DType, copy: bool = False) -> Tensor:
    """A new tensor over a C-contiguous ``array`` (copied if asked), with PyTorch's strides.

    NumPy picks its own strides for dims of size 0 or 1; PyTorch's are fixed,
    and ``stride()`` shows them. ``copy=True`` is for arrays that may be views
    of an input (NumPy calls a view contiguous when only size-1 dims differ).
    """
    array = xp.array(array, order="C", copy=True) if copy else xp.ascontiguousarray(array)
    if array.ndim and tuple(s // array.itemsize for s in array.strides) != \
            contiguous_strides(array.shape):
        array = restride(array, array.shape, contiguous_strides(array.shape))
    return new(array, dtype)


def compute_stride(oldshape, oldstride, newshape):
    """PyTorch's ``computeStride``: strides viewing ``oldshape`` as ``newshape``, or None."""
    if not oldshape:
        return tuple(1 for _ in newshape)
    numel = math.prod(oldshape)
    if numel == 0 and tuple(oldshape) == tuple(newshape):
        return tuple(oldstride)
    newstride = [0] * len(newshape)
    if numel == 0:
        for d in range(len(newshape) - 1, -1, -1):
            newstride[d] = 1 if d == len(newshape) - 1 else \
                max(newshape[d + 1], 1) * newstride[d + 1]
        return tuple(newstride)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (oldshape[tensor_d - 1] != 1
                             and oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


# ============================================================ view/reshape
def infer_shape(shape, numel: int) -> tuple:
    """Resolves one ``-1`` in ``shape`` and checks the element count."""
    shape = list(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("a shape may contain -1 only once: only one size can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"shape {list_repr(shape)} has the invalid size {s} at "
                               f"index {i}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot infer the -1 of shape {list_repr(shape)} for a tensor with no "
                    "elements: any size would fit")
            raise RuntimeError(f"shape {list_repr(shape)} does not fit a tensor of {numel} "
                               "elements")
        if numel % known:
            raise RuntimeError(f"shape {list_repr(shape)} does not fit a tensor of {numel} "
                               "elements")
        shape[unknown[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape {list_repr(shape)} does not fit a tensor of {numel} elements")
    return tuple(shape)
