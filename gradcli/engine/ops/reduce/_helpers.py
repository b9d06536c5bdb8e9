"""What the reduction modules share: the dim arguments, reduced shapes, checks.

Every reduction names the dims it reduces the way PyTorch does (``None``, an
int, a possibly empty tuple, or nothing at all, :data:`ALL`); the helpers
here turn those into NumPy axes and result shapes, put reduced dims back for
backward rules, and raise PyTorch's errors for bad arguments.
"""

from __future__ import annotations

from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...tensor import Tensor
from ..common import dims_arg, new


class _AllDims:
    """The default ``dim`` of ops whose dim-less call is a different overload.

    ``x.sum()`` records SumBackward0 while ``x.sum(None)`` (or ``dim=()``) records
    SumBackward1: the sentinel tells the two calls apart.
    """

    def __repr__(self) -> str:
        return "None"


ALL = _AllDims()


def _check_tensor(input, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}() expects a tensor, not a value of type "
                        f"{type(input).__name__}")


def _reduced_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, an int, or a possibly empty sequence) -> the wrapped dims it reduces."""
    if dim is None or dim is ALL or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, str):
        raise TypeError(f"a reduction dimension must be an int or a tuple of ints, not the "
                        f"string {dim!r}")
    return dims_arg(dim, ndim)


def _axes(dims: tuple, ndim: int) -> tuple:
    """The NumPy axes for ``dims`` (a 0-dim tensor's dim 0 is no axis at all)."""
    return tuple(d for d in dims if d < ndim)


def _reduced_shape(shape: tuple, dims: tuple, keepdim: bool) -> tuple:
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)


def _unsqueeze_dims(grad: Tensor, dims: tuple, ndim: int) -> Tensor:
    """PyTorch's ``unsqueeze_multiple``: puts the reduced dims back as size-1 dims."""
    for d in sorted(dims):
        if d < ndim:
            grad = ops.unsqueeze(grad, d)
    return grad


def _restore(grad: Tensor, shape: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """A reduced gradient (or result) with its reduced dims back as size 1."""
    if keepdim or grad.ndim == len(shape):
        return grad
    return _unsqueeze_dims(grad, dims, len(shape))


def _named_dims(dim, dims: tuple) -> tuple:
    """The dims a call named: ``()`` when it reduced everything by default."""
    if dim is None or dim is ALL or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return ()
    return dims


def _expand_back(grad: Tensor, shape, named: tuple, keepdim: bool) -> Tensor:
    """PyTorch's ``sum_backward``: unsqueeze the ``named`` reduced dims, then expand."""
    shape = tuple(shape)
    if not keepdim and named and shape:
        grad = _unsqueeze_dims(grad, named, len(shape))
    return ops.expand(grad, shape)


def _sum_dtype(input: Tensor, dtype) -> dt.DType:
    if dtype is not None:
        return dtype
    return dt.int64 if input._dtype.category != dt.FLOAT else input._dtype


def _zero_where(mask, t: Tensor) -> Tensor:
    """PyTorch's ``t.masked_fill(mask, 0)`` (``mask``: a bool array)."""
    return ops.masked_fill(t, new(xp.asarray(mask, dtype=bool), dt.bool_), 0)


def _check_keepdim_needs_dim(keepdim, name: str) -> None:
    """``x.sum(keepdim=True)`` without ``dim`` matches none of PyTorch's overloads."""
    if keepdim:
        raise TypeError(f"{name}(keepdim=True) also needs dim, the dimension(s) to reduce")


def _check_float(input: Tensor, name: str) -> None:
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"{name}() needs a floating-point tensor, but got one of dtype "
                           f"{input._dtype!r}")
