"""Small helpers every op family shares: wrapping arrays, promotion, broadcasting,
argument checks, and the one-node gradients of PyTorch's backward kernels."""

from __future__ import annotations

import numbers

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..limits import check_size
from ..node import Backward, SavedContext
from ..tensor import Tensor, wrap_dim

Number = (bool, int, float)


def new(array, dtype: dt.DType) -> Tensor:
    """A fresh tensor holding ``array`` converted to ``dtype``."""
    if not isinstance(array, xp.ndarray) or array.dtype != dtype.np:
        array = xp.asarray(array, dtype=dtype.np)
    return Tensor._make(array, dtype)


# Once a separate, warning-silencing constructor; NumPy's floating-point warnings are
# now off for the process (see backend), so it is ``new`` itself, with no extra call.
new_quiet = new


def is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, complex)


def check_operand(value, op: str, arg: str = "other", position: int = 2):
    """A tensor or a Python number; anything else is a TypeError (PyTorch's class)."""
    if isinstance(value, Tensor) or is_number(value):
        return value
    raise TypeError(f"{op}() expects a tensor or a number for argument '{arg}' (position "
                    f"{position}), not a value of type {type(value).__name__}")


def array_of(value, dtype: dt.DType):
    """The values of a tensor or number as an array of ``dtype``."""
    if isinstance(value, Tensor):
        data = value._data
        return data if data.dtype == dtype.np else data.astype(dtype.np)
    if dtype.category != dt.FLOAT and isinstance(value, float):
        return xp.asarray(int(value), dtype=dtype.np) if value == int(value) else \
            xp.asarray(value).astype(dtype.np)
    return xp.asarray(value, dtype=dtype.np)


def plural(count: int, word: str) -> str:
    """``count`` and ``word`` for a message: ``'1 dimension'``, ``'3 dimensions'``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def tensor_or_none(value):
    """``value`` if it is a tensor, else None (a number is no edge in the graph)."""
    return value if isinstance(value, Tensor) else None


def broadcast_shapes(*shapes) -> tuple:
    """The broadcast shape; a RuntimeError naming both shapes and the dimension.

    Example:
        >>> broadcast_shapes((2, 1), (3,))
        (2, 3)
    """
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    owner = [None] * ndim
    for shape in shapes:
        for i, size in enumerate(shape):
            pos = ndim - len(shape) + i
            if result[pos] == 1:
                result[pos], owner[pos] = size, shape
            elif size != 1 and size != result[pos]:
                raise RuntimeError(
                    f"shapes {list(owner[pos])} and {list(shape)} cannot be broadcast together: "
                    f"at dimension {pos} the sizes are {result[pos]} and {size}, and neither "
                    f"is 1")
    check_size(result)
    return tuple(result)


def check_broadcast(a, b) -> None:
    sa = a._data.shape if isinstance(a, Tensor) else ()
    sb = b._data.shape if isinstance(b, Tensor) else ()
    if sa != sb:
        broadcast_shapes(sa, sb)


def dims_arg(dim, ndim: int) -> tuple:
    """``dim`` given as an int, a list or a tuple -> a sorted tuple of wrapped dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            repeated = next(d for i, d in enumerate(dims) if d in dims[:i])
            raise RuntimeError(f"dimension {repeated} appears more than once in the dimensions "
                               f"{list(dim)}")
        return tuple(sorted(dims))
    return (wrap_dim(dim, ndim),)


def shape_arg(args, name: str = "size") -> tuple:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])`` -> a tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    sizes = []
    for s in args:
        if isinstance(s, Tensor):
            s = s.__index__()
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(f"{name} must be integers, but item {len(sizes)} is of type "
                            f"{type(s).__name__}")
        sizes.append(int(s))
    return tuple(sizes)


def check_nonnegative(shape) -> None:
    for s in shape:
        if s < 0:
            raise RuntimeError(f"cannot create a tensor with a negative size: {s} in shape "
                               f"{list(shape)}")


def float_dtype_of(t: Tensor) -> dt.DType:
    """The dtype a float-valued op on ``t`` produces (ints and bools give the default)."""
    return t._dtype if t._dtype.category == dt.FLOAT else dt.get_default_dtype()


def require_tensor(value, op: str, arg: str = "input", position: int = 1) -> Tensor:
    """``value`` if it is a tensor, else a TypeError (PyTorch's class)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}() expects a tensor for argument '{arg}' (position {position}), "
                        f"not a value of type {type(value).__name__}")
    return value


def not_implemented_for(op: str, dtype: dt.DType):
    """The error for an op (``'remainder()'``) that has no version for ``dtype``."""
    return NotImplementedError(f"{op} is not implemented for tensors of dtype {dtype!r}")


def values(value, dtype: dt.DType):
    """The values of a tensor or Python number as an array of ``dtype``.

    A Python int wraps into a narrower integer type as a C cast does
    (``uint8_tensor + 300`` adds 44), which NumPy refuses to do for scalars.
    """
    if isinstance(value, Tensor):
        data = value._data
        return data if data.dtype == dtype.np else data.astype(dtype.np)
    if dtype.category == dt.FLOAT:
        return xp.asarray(float(value), dtype=dtype.np)
    if dtype.category == dt.BOOL:
        return xp.asarray(bool(value))
    if isinstance(value, float):
        value = int(value)  # truncates toward zero, like PyTorch's casts
    return xp.asarray(int(value) % (1 << 64), dtype=xp.uint64).astype(dtype.np)


def _compute(fn, *arrays):
    """``fn(*arrays)`` (kept as one name for the places that compute with NumPy)."""
    return fn(*arrays)


def zeros_like_grad(grad: Tensor) -> Tensor:
    """A zero gradient with no history, as PyTorch's ``zeros_like(grad)`` in formulas."""
    return new_quiet(xp.zeros_like(grad._data), grad._dtype)


def backward_kernel(rule: Backward, array, dtype: dt.DType, inputs: tuple,
                    ctx: SavedContext | None = None) -> Tensor:
    """A gradient computed by one of PyTorch's backward kernels, as one node.

    PyTorch's first-order gradient of ``tanh`` is ``tanh_backward(grad, result)``,
    whose own node is ``TanhBackwardBackward0``; computing such a gradient here
    with this helper gives double backward the same graph.
    """
    result = new_quiet(array, dtype)
    if ag.needs_grad(*inputs):
        ag.record(rule, inputs, result, ctx)
    return result


def fill_value(value, op: str) -> tuple:
    """``(tensor_or_None, number)`` for a fill value: a number, or a 0-dim tensor (kept as
    the tensor that fills, for the gradient, and read as its number)."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"{op}(): the value must be a number or a 0-dim tensor, not a "
                               f"{value.ndim}-D tensor")
        return value, value.item()
    return None, value
