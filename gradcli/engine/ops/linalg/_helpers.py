"""Helpers shared by the linear-algebra modules: argument checks, scalars, ``_unsafe_view``."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...tensor import Tensor
from ..common import new


def check_tensor(value, name: str, arg: str = "input", position: int = 1) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}() expects a tensor for argument '{arg}' (position "
                        f"{position}), not a value of type {type(value).__name__}")


def requires(value) -> bool:
    return isinstance(value, Tensor) and value._requires_grad


def scaled(t: Tensor, factor) -> Tensor:
    """PyTorch's ``maybe_multiply``: ``t * factor`` (mul.Scalar) unless the factor is 1."""
    return t if factor == 1 else ops.mul_scalar(t, factor)


def check_not_bool(t: Tensor, what: str) -> None:
    if t._dtype is dt.bool_:
        raise NotImplementedError(f"{what} is not implemented for tensors of dtype torch.bool")


def cast_scalar(value, dtype: dt.DType):
    """``beta``/``alpha`` in the op's dtype (PyTorch truncates them for integer ops)."""
    if dtype.category == dt.FLOAT:
        return dtype.np.type(value)
    return dtype.np.type(int(value))


@backward("UnsafeViewBackward0")
def unsafe_view_backward(ctx, grad):
    return (ops.reshape(grad, ctx.shape),)


def unsafe_view(input: Tensor, shape) -> Tensor:
    """PyTorch's ``_unsafe_view``: same values, new shape, not tracked as a view."""
    try:
        array = xp.reshape(input._data, tuple(shape), copy=False)
    except ValueError:
        raise RuntimeError(
            f"cannot view a tensor of shape {list(input.shape)} as shape {list(shape)} without "
            "copying, because of how its elements are laid out in memory; use .reshape(...) "
            "instead") from None
    result = new(array, input._dtype)
    if ag.needs_grad(input):
        ag.record(unsafe_view_backward, (input,), result,
                  SavedContext(shape=input._data.shape))
    return result


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a matrix the decomposition cannot handle (singular,
    not positive-definite). PyTorch's class is ``torch._C._LinAlgError``, the name shown."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"


def check_matrices(input, name: str, square: bool = True, floats: bool = True) -> None:
    """``input`` is a (batch of) matrix, square where ``square``, of a float dtype."""
    check_tensor(input, name, "A")
    if input.ndim < 2:
        raise RuntimeError(f"{name}() needs a matrix or a batch of matrices, but the input "
                           f"has {input.ndim} dimension{'' if input.ndim == 1 else 's'}")
    rows, cols = input._data.shape[-2:]
    if square and rows != cols:
        raise RuntimeError(f"{name}() needs square matrices, but got {rows} by {cols} "
                           "matrices")
    if floats and input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"{name}() works on float matrices, but got {input._dtype!r}; "
                           "convert with .float() or .double()")
    if floats and input._dtype.itemsize < 4:
        raise RuntimeError(f"{name}() is not implemented for {input._dtype!r}; convert "
                           "with .float()")


def mT(t: Tensor) -> Tensor:
    """The transpose of the last two dims (``t.mT``)."""
    return ops.transpose(t, -2, -1)
