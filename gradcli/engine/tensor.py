"""The Tensor: an array of values with a dtype, plus the autograd state PyTorch keeps.

Operations live in ``gradcli.engine.ops``; ``gradcli.engine`` installs them as
methods and operators on :class:`Tensor` once, at import. What stays here is
what a tensor *is*: its storage, views, attributes and conversions.
"""

from __future__ import annotations

import math
import numbers

from . import dtypes as dt
from .backend import xp
from .namespace import ops


class SharedArray:
    """Base of the NumPy array a program holds (``np.ndarray`` in ``gradcli.api.numpy``).

    The engine only wraps and unwraps: ``Tensor.numpy()`` wraps its own array
    (sharing memory) with :meth:`wrap`, and ``torch.tensor(a)`` reads ``a._array``.
    The program-facing class registers itself by subclassing this one, so the
    engine never imports the API layer above it.
    """

    __slots__ = ()
    _program_class = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        SharedArray._program_class = cls

    @staticmethod
    def wrap(array) -> SharedArray:
        """A program-facing array whose ``_array`` is ``array`` itself."""
        cls = SharedArray._program_class
        if cls is None:
            raise RuntimeError("numpy() needs the NumPy namespace (gradcli.api.numpy) loaded")
        obj = object.__new__(cls)
        obj._array = array
        return obj


class VersionCounter:
    """Counts in-place changes to one storage; shared by a base and all its views."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class InferenceCounter(VersionCounter):
    """The counter of a tensor made under ``inference_mode``: PyTorch keeps no version
    for such a tensor, so reading ``_version`` is an error, and an in-place change made
    outside ``inference_mode`` is refused when it bumps the counter, that is after the
    write, as in PyTorch (inside, changes still count, for the views' bookkeeping)."""

    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value = 0

    @property
    def value(self) -> int:
        return self._value

    @value.setter
    def value(self, number: int) -> None:
        if _counter_factory is not InferenceCounter:
            raise RuntimeError("a tensor made under inference_mode() cannot be changed in "
                               "place outside inference_mode(); change a clone of it instead")
        self._value = number


# What a new storage's counter is: switched by autograd.inference_mode.
_counter_factory = VersionCounter


def set_inference(flag: bool) -> bool:
    """Makes new tensors inference tensors (``inference_mode``); returns the old setting."""
    global _counter_factory
    previous = _counter_factory is InferenceCounter
    _counter_factory = InferenceCounter if flag else VersionCounter
    if flag and not INFERENCE_USED:
        INFERENCE_USED.append(True)
    return previous


# Not empty once inference_mode() has been entered: the checks on inference tensors
# cost nothing in programs that never make one.
INFERENCE_USED: list = []


def inference_enabled() -> bool:
    """Whether new tensors are inference tensors (inside ``inference_mode()``)."""
    return _counter_factory is InferenceCounter


class Device:
    """A device such as ``device(type='cpu')``.

    Example:
        >>> Device("cpu")
        device(type='cpu')
    """

    __slots__ = ("index", "type")

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:
        if isinstance(type, Device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', not {type!r}")
        if ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta", "mps"):
            raise RuntimeError(
                f"unknown device type {type!r}; a device string starts with cpu, cuda, mps "
                "or meta")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = Device("cpu")


def check_device(device) -> None:
    """Accepts the CPU device in any spelling; anything else is an error."""
    if device is None:
        return
    dev = device if isinstance(device, Device) else Device(device)
    if dev.type != "cpu":
        raise RuntimeError(
            f"gradcli runs on the CPU only; device {str(dev)!r} is not available "
            "(torch.cuda.is_available() is False)")


class _SizeType(type):
    """Makes ``type(x.shape)`` print as ``<class 'torch.Size'>``."""

    def __repr__(cls) -> str:
        return "<class 'torch.Size'>"


class Size(tuple, metaclass=_SizeType):
    """``torch.Size``: a tuple of ints that prints as ``torch.Size([2, 3])``.

    Example:
        >>> Size([2, 3])
        torch.Size([2, 3])
    """

    def __new__(cls, sizes=()):
        items = []
        for s in sizes:
            if isinstance(s, Tensor):
                s = s.item()
            if not isinstance(s, numbers.Integral) or isinstance(s, bool) and False:
                raise TypeError(f"torch.Size() needs integer sizes, but item {len(items)} is "
                                f"of type {type(s).__name__}")
            items.append(int(s))
        return super().__new__(cls, items)

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def __getitem__(self, index):
        result = super().__getitem__(index)
        return Size(result) if isinstance(index, slice) else result

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def numel(self) -> int:
        return math.prod(self)


class TensorType(type):
    """Makes ``type(x)`` print as ``<class 'torch.Tensor'>``."""

    def __repr__(cls) -> str:
        return f"<class '{cls._qualified}'>"


class Tensor(metaclass=TensorType):
    """A PyTorch tensor on the CPU, backed by a NumPy array.

    ``_data`` is the array (a NumPy view when the tensor is a view); ``_base``
    is the tensor whose storage a view shares. Autograd state: ``_grad_fn`` and
    ``_output_nr`` locate the node that made the tensor; a leaf that requires
    grad has ``_grad_fn`` None and feeds an AccumulateGrad node.
    """

    _qualified = "torch.Tensor"
    __slots__ = (
        "__weakref__",
        "_accumulator",
        "_base",
        "_counter",
        "_data",
        "_dtype",
        "_grad",
        "_grad_fn",
        "_hooks",
        "_output_nr",
        "_requires_grad",
        "_retains_grad",
    )

    # ------------------------------------------------------------------ making
    def __new__(cls, *args, **kwargs):
        # The legacy constructor: Tensor([1, 2]) or Tensor(2, 3); always the default dtype.
        return ops.legacy_new(cls, dt.get_default_dtype(), args, kwargs)

    def __init__(self, *args, **kwargs) -> None:
        pass

    @classmethod
    def _make(cls, data, dtype: dt.DType, requires_grad: bool = False,
              base: Tensor | None = None) -> Tensor:
        """Wraps an array that already has ``dtype``'s NumPy type (the fast path)."""
        t = object.__new__(cls)
        t._data = data
        t._dtype = dtype
        t._requires_grad = requires_grad
        t._grad = None
        t._grad_fn = None
        t._output_nr = 0
        t._base = base
        t._counter = base._counter if base is not None else _counter_factory()
        t._hooks = None
        t._retains_grad = False
        t._accumulator = None
        return t

    # ------------------------------------------------------------ attributes
    @property
    def dtype(self) -> dt.DType:
        return self._dtype

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    @property
    def device(self) -> Device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag) -> None:
        self._set_requires_grad(bool(flag))

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self._set_requires_grad(bool(requires_grad))
        return self

    def _set_requires_grad(self, flag: bool) -> None:
        if self._grad_fn is not None:
            if flag:
                self._requires_grad = True
                return
            raise RuntimeError(
                "cannot turn off requires_grad on a tensor computed from others (only a leaf "
                "tensor's flag can change); use `.detach()` for a copy that does not require "
                "grad")
        if flag and self._dtype.category != dt.FLOAT:
            raise RuntimeError(f"only floating-point tensors can require grad, but this one "
                               f"has dtype {self._dtype!r}")
        self._requires_grad = flag

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            _warn_nonleaf_grad()
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f".grad can only be set to a tensor or None, not to a value "
                                f"of type {type(value).__name__}")
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"cannot set .grad to a tensor of dtype {value._dtype!r}: the tensor it "
                    f"belongs to has dtype {self._dtype!r}")
            if value.shape != self.shape:
                raise RuntimeError(
                    f"cannot set .grad to a tensor of shape {list(value.shape)}: the tensor it "
                    f"belongs to has shape {list(self.shape)}")
        self._grad = value

    @property
    def data(self) -> Tensor:
        # Shares the storage but not the version counter: in-place changes
        # through .data are invisible to autograd's saved-value checks.
        t = self.detach()
        t._counter = VersionCounter()
        return t

    @data.setter
    def data(self, value) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f".data can only be set to a tensor, not to a value of type "
                            f"{type(value).__name__}")
        # Like PyTorch's set_data: this tensor now uses the other's storage,
        # keeping its own identity and autograd state.
        self._data = value._data
        self._dtype = value._dtype
        self._base = value._base if value._base is not None else value
        self._counter = value._counter

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's storage has seen (``x._version``)."""
        if type(self._counter) is InferenceCounter:
            raise RuntimeError("a tensor made under inference_mode() has no version counter; "
                               "clone it outside inference_mode() for one that has")
        return self._counter.value

    def is_inference(self) -> bool:
        """Whether this tensor was made under ``inference_mode()``."""
        return type(self._counter) is InferenceCounter

    @property
    def T(self) -> Tensor:
        return ops.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        return ops.transpose(self, -2, -1)

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of the last two dims: ``mT`` (tensors are real)."""
        return ops.transpose(self, -2, -1)

    def is_contiguous(self, memory_format=None) -> bool:
        return _is_contiguous(self._data)

    def is_floating_point(self) -> bool:
        return self._dtype.category == dt.FLOAT

    def is_complex(self) -> bool:
        return False

    def stride(self, dim: int | None = None):
        strides = tuple(s // self._dtype.itemsize for s in self._data.strides)
        return strides if dim is None else strides[self._wrap_dim(dim)]

    def storage_offset(self) -> int:
        if self._base is None:
            return 0
        return (_address(self._data) - _address(self._base._data)) // self._dtype.itemsize

    def data_ptr(self) -> int:
        return _address(self._data)

    def get_device(self) -> int:
        return -1

    # ------------------------------------------------------------ conversions
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"item() needs a tensor with exactly one element, but this one has "
                f"{self._data.size} elements")
        return _python_scalar(self._data.reshape(()).item(), self._dtype)

    def tolist(self):
        if self._data.ndim == 0:
            return self.item()
        values = self._data.tolist()
        if self._dtype.category == dt.FLOAT and self._dtype is not dt.float64:
            return values  # numpy already gives Python floats
        return values

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() is undefined for a 0-dimensional tensor: it has no first "
                            "dimension")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("cannot iterate over a 0-dimensional tensor: it has no first "
                            "dimension")
        return iter(ops.unbind(self, 0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            what = "an empty tensor" if self._data.size == 0 else \
                f"a tensor with {self._data.size} elements"
            raise RuntimeError(
                f"the truth value of {what} is ambiguous; reduce it first with .any() or .all()")
        return bool(self._data.reshape(()).item())

    def __float__(self) -> float:
        return float(self._scalar_for("float"))

    def __int__(self) -> int:
        return int(self._scalar_for("int"))

    def __index__(self) -> int:
        if self._dtype.category == dt.FLOAT or self._data.size != 1:
            count = "1 element" if self._data.size == 1 else f"{self._data.size} elements"
            raise TypeError(
                f"cannot use this tensor as an index: it has dtype {self._dtype!r} and {count}, "
                "but only an integer tensor with exactly one element can be one")
        return int(self._data.reshape(()).item())

    def __complex__(self) -> complex:
        return complex(self._scalar_for("complex"))

    def _scalar_for(self, what: str):
        if self._data.size != 1:
            raise TypeError(f"cannot convert a tensor with {self._data.size} elements to a "
                            f"Python {what}: only a one-element tensor converts")
        return self.item()

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(f"format spec {spec!r} only applies to a 0-dimensional tensor, "
                            f"not to one of shape {list(self._data.shape)}")
        return repr(self)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        grad_fn = self._grad_fn
        return _printer(self._data, self._dtype.name, requires_grad=self._requires_grad,
                        grad_fn=None if grad_fn is None else grad_fn._name,
                        is_parameter=getattr(self, "_is_parameter", False))

    __str__ = __repr__

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def numpy(self, *, force: bool = False):
        if self._requires_grad and not force:
            raise RuntimeError(
                "cannot call numpy() on a tensor that requires grad; call .detach().numpy() "
                "instead")
        data = self._data if isinstance(self._data, xp.ndarray) else xp.asarray(self._data)
        return SharedArray.wrap(data)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return self._dtype.legacy
        if isinstance(dtype, str):
            target = dt.from_legacy(dtype)
            if target is None:
                raise ValueError(f"unknown tensor type name {dtype!r}; use a name such as "
                                 f"'torch.FloatTensor'")
        elif isinstance(dtype, TensorType) and hasattr(dtype, "_legacy_dtype"):
            target = dtype._legacy_dtype
        else:
            target = dtype
        return ops.to_dtype(self, target)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args, **kwargs):
        raise RuntimeError("CUDA is not available: gradcli runs on the CPU only")

    # ---------------------------------------------------------------- helpers
    def _wrap_dim(self, dim: int) -> int:
        return wrap_dim(dim, self._data.ndim)


def wrap_dim(dim, ndim: int) -> int:
    """Turns a possibly negative ``dim`` into an index, with PyTorch's IndexError."""
    if isinstance(dim, Tensor):
        dim = dim.__index__()
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"a dimension must be an int, not a value of type "
                        f"{type(dim).__name__}")
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(
            f"dimension {dim} is out of range for a tensor with {ndim} "
            f"dimension{'' if ndim == 1 else 's'} (valid: {-bound} to {bound - 1})")
    return dim + bound if dim < 0 else dim


def _is_contiguous(array) -> bool:
    if array.flags.c_contiguous:
        return True
    # PyTorch ignores the strides of dimensions of size 1.
    expected = array.itemsize
    for size, stride in zip(reversed(array.shape), reversed(array.strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def _address(array) -> int:
    return array.__array_interface__["data"][0]


def _python_scalar(value, dtype: dt.DType):
    if dtype.category == dt.FLOAT:
        return float(value)
    if dtype.category == dt.BOOL:
        return bool(value)
    return int(value)


_nonleaf_warned = False


def _warn_nonleaf_grad() -> None:
    # PyTorch warns on stderr when .grad of a non-leaf is read; the value is None.
    pass


def _default_printer(values, dtype: str, **suffixes) -> str:
    return f"tensor({values.tolist()!r})"


_printer = _default_printer


def set_printer(printer) -> None:
    """Installs the function that turns a tensor into its repr text.

    It is called as ``printer(values, dtype_name, requires_grad=, grad_fn=,
    is_parameter=)`` with the tensor's values (an array) and the facts its
    suffixes show (``grad_fn`` is the node's name or None).

    The engine has no formatting of its own: the front end wires in
    ``gradcli.render.tensor_repr`` (renderers read the engine, never the reverse).
    """
    global _printer
    _printer = printer


def as_array(value, dtype: dt.DType):
    """An array of ``dtype`` holding ``value`` (a tensor or a Python number)."""
    if isinstance(value, Tensor):
        data = value._data
        return data if data.dtype == dtype.np else data.astype(dtype.np)
    return xp.asarray(value, dtype=dtype.np)
