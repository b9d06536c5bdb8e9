"""Making tensors: from data, factories, random numbers, copies and dtype conversions."""

from __future__ import annotations

import math
import numbers

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..kernels.normal import _fma64 as fma64
from ..limits import check_size
from ..node import SavedContext, backward
from ..tensor import SharedArray, Tensor, check_device
from .common import check_nonnegative, new, shape_arg
from .registry import OpTable

table = OpTable("creation")


# =========================================================== from Python data
# What converts like a list (a range does, as in PyTorch: tensor(range(3))).
_SEQUENCES = (list, tuple, range)


def _infer(data):
    """Shape and dtype of nested lists/tuples of numbers (or 0-dim tensors)."""
    shape = []
    probe = data
    while isinstance(probe, _SEQUENCES) or (isinstance(probe, Tensor) and probe.ndim > 0):
        if isinstance(probe, Tensor):
            shape.extend(probe._data.shape)
            break
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    kinds = set()
    flat = []

    def walk(item, depth):
        if isinstance(item, Tensor):
            if tuple(item._data.shape) != tuple(shape[depth:]):
                raise ValueError(f"the nested data is ragged: at dimension {depth} a "
                                 f"sequence has length {item._data.shape[0] if item.ndim else 0} "
                                 f"where {shape[depth]} was expected (every row must have the "
                                 "same length)")
            kinds.add(item._dtype)
            flat.extend(item._data.reshape(-1).tolist())
            return
        if isinstance(item, _SEQUENCES):
            if depth >= len(shape) or len(item) != shape[depth]:
                if depth >= len(shape):
                    raise ValueError(f"the nested data is ragged: at dimension {depth} a "
                                     "number was expected, but found a sequence")
                raise ValueError(f"the nested data is ragged: at dimension {depth} a sequence "
                                 f"has length {len(item)} where {shape[depth]} was expected "
                                 "(every row must have the same length)")
            for sub in item:
                walk(sub, depth + 1)
            return
        if depth != len(shape):
            raise TypeError(f"the nested data is ragged: at dimension {depth} a sequence of "
                            f"length {shape[depth]} was expected, but found a value of type "
                            f"{type(item).__name__}")
        if isinstance(item, bool):
            kinds.add(dt.bool_)
        elif isinstance(item, numbers.Integral):
            kinds.add(dt.int64)
        elif isinstance(item, numbers.Real):
            kinds.add(dt.get_default_dtype())
        else:
            raise TypeError(f"cannot make a tensor from a value of type {type(item).__name__}: "
                            "only numbers, tensors and nested lists or tuples of them convert")
        flat.append(item)

    walk(data, 0)
    dtype = None
    for k in kinds:
        dtype = k if dtype is None else dt.promote_types(dtype, k)
    return tuple(shape), flat, dtype or dt.get_default_dtype()


def _array_from_data(data, dtype: dt.DType | None):
    """(array, dtype) for ``torch.tensor(data, dtype=...)``."""
    if dtype is not None:
        dtype = as_dtype(dtype, "tensor")
    if isinstance(data, SharedArray):
        arr = data._array
        inferred = dt.from_numpy(arr.dtype)
        target = dtype or inferred
        return arr.astype(target.np, copy=True), target
    if isinstance(data, Tensor):
        target = dtype or data._dtype
        return data._data.astype(target.np, copy=True), target
    shape, flat, inferred = _infer(data)
    target = dtype or inferred
    if target.category != dt.FLOAT:
        for v in flat:
            if isinstance(v, float) and not math.isfinite(v):
                raise RuntimeError(f"cannot convert {v} to {target!r}: it has no integer "
                                   "value")
        if target is dt.bool_:
            values = [bool(v) for v in flat]
        else:
            values = [int(v) for v in flat]  # floats truncate toward zero
        try:
            arr = xp.array(values, dtype=target.np)
        except OverflowError:
            info = xp.iinfo(target.np)
            bad = next((v for v in values if not info.min <= v <= info.max), "a value")
            raise RuntimeError(f"{bad} does not fit in {target!r}, whose range is {info.min} "
                               f"to {info.max}") from None
    else:
        arr = xp.array([float(v) for v in flat], dtype=xp.float64).astype(target.np)
    return arr.reshape(shape), target


@table.op(method=False, out=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """``torch.tensor``: a new leaf tensor copying ``data``, with its dtype inferred."""
    check_device(device)
    arr, target = _array_from_data(data, dtype)
    t = Tensor._make(arr, target)
    if requires_grad:
        t.requires_grad_(True)
    return t


@table.op(method=False, out=False)
def as_tensor(data, dtype=None, device=None):
    """``data`` itself when it is a tensor of ``dtype``; a NumPy array of that dtype is
    shared (as ``from_numpy``); anything else is copied (as ``tensor``)."""
    if isinstance(data, Tensor) and (dtype is None or dtype is data._dtype):
        return data
    if isinstance(data, SharedArray):
        array = data._array
        inferred = dt.from_numpy(array.dtype)
        if (dtype is None or dtype is inferred) and all(s >= 0 for s in array.strides):
            return Tensor._make(array, inferred)
    return tensor(data, dtype=dtype, device=device)


@table.internal
def legacy_new(cls, dtype: dt.DType, args, kwargs):
    """``Tensor(...)`` / ``FloatTensor(...)``: from data, or a zero-filled shape."""
    device = kwargs.pop("device", None)
    check_device(device)
    if kwargs:
        raise TypeError(f"the legacy tensor constructor does not accept the keyword "
                        f"argument '{next(iter(kwargs))}'")
    if not args:
        return Tensor._make(xp.zeros((0,), dtype=dtype.np), dtype)
    if len(args) == 1 and not isinstance(args[0], numbers.Integral) \
            and not (isinstance(args[0], Tensor) and False):
        data = args[0]
        if isinstance(data, Tensor):
            if data._dtype is not dtype:
                raise TypeError(f"this constructor makes {dtype!r} tensors and cannot take a "
                                f"tensor of dtype {data._dtype!r}; convert it first with "
                                f".to({dtype!r})")
            return data.detach() if False else data
        arr, _ = _array_from_data(data, dtype)
        return Tensor._make(arr, dtype)
    shape = shape_arg(args)
    check_nonnegative(shape)
    return Tensor._make(xp.zeros(shape, dtype=dtype.np), dtype)


# ================================================================ factories
@table.internal
def factory(shape_args, dtype, requires_grad, device, fill, default=None):
    """A new tensor of the shape given as ``shape_args``, filled by ``fill(shape, np_dtype)``."""
    check_device(device)
    shape = shape_arg(shape_args)
    check_nonnegative(shape)
    check_size(shape)
    target = as_dtype(dtype) if dtype is not None else default or dt.get_default_dtype()
    t = Tensor._make(fill(shape, target.np), target)
    if requires_grad:
        t.requires_grad_(True)
    return t


@table.op(method=False)
def zeros(*size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return factory(size, dtype, requires_grad, device, xp.zeros)


@table.op(method=False)
def ones(*size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return factory(size, dtype, requires_grad, device, xp.ones)


@table.op(method=False)
def empty(*size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False,
          memory_format=None):
    # Zero-filled instead of uninitialized memory, so output is deterministic.
    return factory(size, dtype, requires_grad, device, xp.zeros)


@table.op(method=False)
def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    default = dt.scalar_dtype(fill_value)
    return factory((size,) if isinstance(size, numbers.Integral) else tuple(size), dtype,
                    requires_grad, device,
                    lambda shape, np_dtype: xp.full(shape, fill_value, dtype=np_dtype), default)


@table.op(method=False)
def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, layout=None):
    m = n if m is None else m
    for v in (n, m):
        if v < 0:
            raise RuntimeError(f"eye() needs non-negative sizes, but got {v}")
    return factory((n, m), dtype, requires_grad, device,
                    lambda shape, np_dtype: xp.eye(shape[0], shape[1], dtype=np_dtype))


def _number(v):
    return v.item() if isinstance(v, Tensor) else v


@table.op(method=False)
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False,
           layout=None):
    check_device(device)
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange() needs a non-zero step")
    if (end - start) / step < 0:
        raise RuntimeError(f"arange() cannot go from {start} to {end} with step {step}: the "
                           "step points away from the end")
    all_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    target = dtype or (dt.int64 if all_int else dt.get_default_dtype())
    count = max(0, math.ceil((end - start) / step))
    if target.category == dt.FLOAT:
        values = start + xp.arange(count, dtype=xp.float64) * step
    else:
        values = start + xp.arange(count, dtype=xp.int64) * step if all_int else \
            xp.floor(start + xp.arange(count, dtype=xp.float64) * step)
    t = Tensor._make(values.astype(target.np), target)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _linspace_values(start, end, steps: int, target: dt.DType):
    """PyTorch's linspace kernel: the first half counts up from ``start``, the second
    down from ``end``, in the result's own type (double for integer results), each
    point one fused multiply-add of the step, as the compiled kernel computes it."""
    if target is dt.float16:
        return _linspace_half(start, end, steps)
    if target.category == dt.FLOAT:
        work = target.np.type
        first, last = work(start), work(end)
    else:  # the ends become integers first (truncated), the steps are doubles
        work = xp.float64
        first, last = work(int(start)), work(int(end))
    if steps == 1:
        return xp.array([first], dtype=work)
    step = (last - first) / work(steps - 1)
    idx = xp.arange(steps)
    up = idx < steps // 2
    counts = xp.where(up, idx, steps - 1 - idx).astype(xp.float64)
    bases = xp.where(up, xp.float64(first), xp.float64(last))
    signed = xp.where(up, xp.float64(step), -xp.float64(step))
    if work is xp.float64:
        values = fma64(signed, counts, bases)
    else:  # float32: the product is exact in float64, so one more rounding is the fma's
        values = (signed * counts + bases).astype(work)
    if target.category != dt.FLOAT:
        values = xp.trunc(values)
    return values


def _linspace_half(start, end, steps: int):
    """float16 linspace as c10::Half computes it: every operation in float32, rounded
    to half (no fused multiply-add)."""
    half, single = xp.float16, xp.float32
    first, last = half(start), half(end)
    if steps == 1:
        return xp.array([first], dtype=half)
    step = half(single(half(single(last) - single(first))) / single(half(steps - 1)))
    idx = xp.arange(steps)
    up = idx < steps // 2
    counts = xp.where(up, idx, steps - 1 - idx).astype(half).astype(single)
    products = (single(step) * counts).astype(half).astype(single)
    with xp.errstate(all="ignore"):
        return xp.where(up, single(first) + products, single(last) - products).astype(half)


@table.op(method=False)
def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, layout=None):
    check_device(device)
    start, end = _number(start), _number(end)
    if steps < 0:
        raise RuntimeError(f"linspace() needs a non-negative number of steps, but got "
                           f"{steps}")
    target = dtype or dt.get_default_dtype()
    values = _linspace_values(start, end, steps, target)
    t = Tensor._make(values.astype(target.np), target)
    if requires_grad:
        t.requires_grad_(True)
    return t


@table.op(method=False)
def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False,
             layout=None):
    target = dtype or dt.get_default_dtype()
    exps = linspace(start, end, steps, dtype=dt.float64)._data
    values = xp.power(float(base), exps)
    t = Tensor._make(values.astype(target.np), target)
    if requires_grad:
        t.requires_grad_(True)
    return t


# ---------------------------------------------------------------- *_like
@table.internal
def like_factory(source, dtype, requires_grad, fill):
    """A new tensor of ``source``'s shape (and dtype unless given), filled by ``fill``."""
    target = as_dtype(dtype) if dtype is not None else source._dtype
    t = Tensor._make(fill(source._data.shape, target.np), target)
    if requires_grad:
        t.requires_grad_(True)
    return t


@table.op(method=False)
def zeros_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None):
    return like_factory(input, dtype, requires_grad, xp.zeros)


@table.op(method=False)
def ones_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None):
    return like_factory(input, dtype, requires_grad, xp.ones)


@table.op(method=False)
def empty_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None):
    return like_factory(input, dtype, requires_grad, xp.zeros)


@table.op(method=False)
def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None):
    return like_factory(input, dtype, requires_grad,
                 lambda shape, np_dtype: xp.full(shape, fill_value, dtype=np_dtype))


# ------------------------------------------------------------- new_* methods
@table.op(function=False)
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=dtype or self._dtype, requires_grad=requires_grad)


@table.op(function=False)
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    return factory(size, dtype or self._dtype, requires_grad, device, xp.zeros)


@table.op(function=False)
def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    return factory(size, dtype or self._dtype, requires_grad, device, xp.ones)


@table.op(function=False)
def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    return factory(size, dtype or self._dtype, requires_grad, device, xp.zeros)


@table.op(function=False)
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(size, fill_value, dtype=dtype or self._dtype, requires_grad=requires_grad)


@table.op(function=False, name="new")
def legacy_new_method(self, *args, **kwargs):
    """``x.new(...)``: the legacy constructor with ``x``'s dtype."""
    return legacy_new(Tensor, self._dtype, args, kwargs)


# ====================================================== copies and dtypes
@backward("CloneBackward0")
def _clone_backward(ctx, grad):
    return (grad,)


@table.op(backward=(_clone_backward,))
def clone(input, *, memory_format=None):
    """A copy with its own storage; recorded as ``CloneBackward0``.

    Like PyTorch's default ``preserve_format``, a dense permuted layout (such as
    a transpose) keeps its strides; anything else is copied C-contiguous.
    """
    result = new(input._data.copy(order="K" if _dense_permutation(input._data) else "C"),
                 input._dtype)
    if ag.needs_grad(input):
        ag.record(_clone_backward, (input,), result)
    return result


@backward("ToCopyBackward0")
def _to_copy_backward(ctx, grad):
    return (to_dtype(grad, ctx.dtype),)


# Python's own types name dtypes too: x.to(float) is float64, as in PyTorch.
_PYTHON_TYPES = {float: dt.float64, int: dt.int64, bool: dt.bool_}


@table.internal
def as_dtype(value, op: str = "to") -> dt.DType:
    """``value`` as a dtype: a ``DType`` or one of Python's ``float``, ``int``, ``bool``."""
    if isinstance(value, dt.DType):
        return value
    if isinstance(value, type) and value in _PYTHON_TYPES:
        return _PYTHON_TYPES[value]
    raise TypeError(f"{op}() expects a dtype such as torch.float32, not a value of type "
                    f"{type(value).__name__}")


def _converted(data, source: dt.DType, target: dt.DType):
    """``data`` cast from ``source`` to ``target`` as PyTorch casts.

    Floats go to integers as x86 CPUs convert them: truncated toward zero
    into int64 (for int64) or int32 (for the narrower types, which then keep
    the low bits: ``300.7`` as uint8 is 44); a value out of that range, NaN
    included, becomes its minimum.
    """
    with xp.errstate(invalid="ignore", over="ignore"):
        if source.category == dt.FLOAT and target.category == dt.INT:
            via = xp.int64 if target is dt.int64 else xp.int32
            wide = xp.trunc(data.astype(xp.float64))
            limit = 2.0 ** (xp.iinfo(via).bits - 1)
            out_of_range = ~((wide >= -limit) & (wide < limit))  # NaN included
            ints = xp.where(out_of_range, 0, wide).astype(via)
            ints[out_of_range] = xp.iinfo(via).min
            return ints.astype(target.np)
        return data.astype(target.np)


def _dense_permutation(array) -> bool:
    """Whether ``array`` is a permutation of a C-contiguous block (no gaps, no stride 0)."""
    if array.ndim < 2 or array.flags.c_contiguous or 0 in array.strides:
        return False
    order = sorted(range(array.ndim), key=lambda d: -abs(array.strides[d]))
    return array.transpose(order).flags.c_contiguous


@table.internal
def to_dtype(input: Tensor, dtype, copy: bool = False) -> Tensor:
    """``input`` converted to ``dtype``: the same tensor when it already has it,
    unless ``copy``; a conversion to a float dtype records ``ToCopyBackward0``.

    Example:
        >>> to_dtype(tensor([1.7, -1.7]), dt.int64)
        tensor([ 1, -1])
    """
    dtype = as_dtype(dtype)
    if dtype is input._dtype and not copy:
        return input
    result = Tensor._make(_converted(input._data, input._dtype, dtype), dtype)
    if ag.needs_grad(input) and dtype.category == dt.FLOAT:
        ctx = SavedContext()
        ctx.dtype = input._dtype
        ag.record(_to_copy_backward, (input,), result, ctx)
    return result


@table.op(function=False, backward=(_to_copy_backward,))
def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False,
       memory_format=None):
    """``x.to(dtype)``, ``x.to('cpu')``, ``x.to(other)``, ``x.to('cpu', torch.float64)``.

    Positional arguments after the dtype are ``non_blocking`` and ``copy``.
    """
    flags = []
    for arg in args:
        if isinstance(arg, dt.DType) or (isinstance(arg, type) and arg in _PYTHON_TYPES):
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg._dtype
        elif isinstance(arg, bool):
            flags.append(arg)
        else:
            device = arg
    if len(flags) > 1:
        copy = flags[1]
    check_device(device)
    if dtype is None:
        dtype = self._dtype
    return to_dtype(self, dtype, copy)


def _converter(dtype: dt.DType, name: str):
    def convert(self, memory_format=None):
        return to_dtype(self, dtype)
    convert.__name__ = name
    convert.__doc__ = f"``x.{name}()`` is ``x.to(torch.{dtype.name})``."
    return convert


for _name, _dtype in (("float", dt.float32), ("double", dt.float64), ("half", dt.float16),
                      ("int", dt.int32), ("long", dt.int64), ("short", dt.int16),
                      ("char", dt.int8), ("byte", dt.uint8), ("bool", dt.bool_)):
    # Only a conversion to a float dtype is differentiable.
    table.op(function=False, name=_name,
             backward=(_to_copy_backward,) if _dtype.is_floating_point else ())(
        _converter(_dtype, _name))


@table.op(function=False, backward=(_to_copy_backward,))
def type_as(self, other):
    """``self`` converted to ``other``'s dtype."""
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as() expects a tensor, not a value of type "
                        f"{type(other).__name__}")
    return to_dtype(self, other._dtype)


# ================================================================ detach
@table.op()
def detach(input):
    """A tensor sharing ``input``'s storage, with no history and no grad."""
    t = Tensor._make(input._data, input._dtype, base=input._base if input._base is not None else input)
    return t


@table.op(function=False)
def detach_(self):
    if self._base is not None and self._grad_fn is not None:
        raise RuntimeError("cannot detach a view in place; use .detach(), which returns a "
                           "new detached tensor, instead")
    self._grad_fn = None
    self._requires_grad = False
    return self


@table.op(function=False)
def retain_grad(self):
    ag.retain_grad(self)


@table.op(function=False)
def register_hook(self, hook):
    return ag.register_hook(self, hook)


@table.op(function=False)
def register_post_accumulate_grad_hook(self, hook):
    return ag.register_post_accumulate_grad_hook(self, hook)


@table.op(function=False, out=False)
def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    ag.backward(self, gradient, retain_graph, create_graph, inputs)

