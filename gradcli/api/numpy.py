"""The small NumPy surface a program sees through ``import numpy as np``.

A program never holds a real NumPy object: a real ``ndarray`` or NumPy scalar
has methods that reach the machine (``tofile``, ``ctypes``, ``dump``...), and
the sandbox only hides ``_``-prefixed names. So a program sees wrappers:

- :class:`NDArray` (``np.ndarray``) wraps a real array in ``_array``; indexing
  returns wrappers of NumPy views, so writes go through to the base array,
  and ``torch.from_numpy`` / ``Tensor.numpy()`` share that same array.
- NumPy scalars (``a.sum()``, ``a[0]``, ``np.float32(2.5)``) are instances of
  :class:`generic`'s subclasses, which print as NumPy 2 does
  (``np.float64(1.5)``, ``np.True_``). The float ones subclass Python's
  ``float`` and the integer ones ``int``, so the engine takes them wherever it
  takes a Python number (as PyTorch takes NumPy scalars).
- :class:`DType` (``a.dtype``) prints as ``dtype('float32')`` and compares equal
  to ``np.float32``, ``'float32'``, ``float`` as NumPy's does.

Every value coming back from real NumPy passes through :func:`_wrap`, which
refuses anything it does not know; every argument going in passes through
:func:`_unwrap`. Printing uses NumPy's default print options (plus what the
program set with ``np.set_printoptions``), whatever the process set globally.
"""

from __future__ import annotations

import contextlib
import operator
import warnings

from ..engine import dtypes as dt
from ..engine.backend import xp
from ..engine.tensor import SharedArray, Tensor
from .module import Module


# ================================================================ plumbing
class _NumpyType(type):
    """Makes the wrapper classes print as NumPy's: ``<class 'numpy.float32'>``.

    Sealed once this module is loaded: a program that reaches the metaclass
    (``type(np.ndarray)``) cannot make new classes with it.
    """

    _sealed = False

    def __new__(mcs, name, bases, namespace):
        if _NumpyType._sealed:
            raise TypeError("cannot create new NumPy types")
        return super().__new__(mcs, name, bases, namespace)

    def __repr__(cls) -> str:
        return f"<class '{cls._qualified}'>"


_DEFAULT_PRINT = {
    "edgeitems": 3, "threshold": 1000, "floatmode": "maxprec", "precision": 8,
    "suppress": False, "linewidth": 75, "nanstr": "nan", "infstr": "inf", "sign": "-",
    "formatter": None, "legacy": False,
}
_PRINT_KEYS = ("edgeitems", "threshold", "floatmode", "precision", "suppress", "linewidth",
               "nanstr", "infstr", "sign", "legacy")
_print_options: dict = {}
"""What the running program changed with ``np.set_printoptions`` (reset by :func:`build`)."""


def _printing():
    return xp.printoptions(**{**_DEFAULT_PRINT, **_print_options})


@contextlib.contextmanager
def _quiet():
    """NumPy's floating-point warnings would name gradcli's files: silence them."""
    with xp.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_TENSOR = _Marker("tensor")  # an operand that is a torch tensor
_DEFER = _Marker("defer")  # an operand that is a real NumPy object (engine code)


def _wrap(value):
    """What a program sees of a value real NumPy returned."""
    if isinstance(value, xp.ndarray):
        return NDArray._of(value)
    if isinstance(value, xp.generic):
        return _scalar(value)
    if isinstance(value, xp.dtype):
        return DType._of(value)
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    if isinstance(value, dict):
        return {k: _wrap(v) for k, v in value.items()}
    module = getattr(type(value), "__module__", "") or ""
    if module.split(".")[0] == "numpy" or isinstance(value, (memoryview, type)):
        raise TypeError(f"gradcli's numpy does not support values of type "
                        f"{type(value).__name__}")
    return value


def _unwrap(value):
    """A program's value as real NumPy should see it."""
    if isinstance(value, NDArray):
        return value._array
    if isinstance(value, generic):
        return value._np()
    if isinstance(value, DType):
        return value._dtype
    if isinstance(value, type) and issubclass(value, generic):
        return value._np_type
    if isinstance(value, Tensor):
        return _tensor_array(value)
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_unwrap(v) for v in value)
    if isinstance(value, slice):
        return slice(_unwrap(value.start), _unwrap(value.stop), _unwrap(value.step))
    return value


def _tensor_array(t: Tensor):
    """What ``np.asarray(t)`` sees of a tensor (its array, shared), as PyTorch's __array__."""
    if t._requires_grad:
        raise RuntimeError("cannot use a tensor that requires grad as a NumPy array; "
                           "call .detach() on it first")
    return t._data


def _operand(value):
    """The other operand of an arithmetic operator, as real NumPy should see it."""
    if isinstance(value, NDArray):
        return value._array
    if isinstance(value, generic):
        return value._np()
    if isinstance(value, Tensor):
        return _TENSOR
    if isinstance(value, (xp.ndarray, xp.generic)):
        return _DEFER
    if isinstance(value, (list, tuple)):
        return _unwrap(value)
    return value


def _call(fn, args, kwargs):
    """Calls a real NumPy function on unwrapped arguments and wraps what it returns."""
    args = [_unwrap(a) for a in args]
    kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
    with _quiet():
        result = fn(*args, **kwargs)
    return _wrap(result)


# ================================================================= scalars
class generic(metaclass=_NumpyType):
    """``np.generic``: the base of the NumPy scalar types a program sees."""

    _qualified = "numpy.generic"
    _np_type = xp.generic
    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        # np.float32(2.5), np.int64('3'), np.float32([1, 2]) (an array), ...
        return _call(cls._np_type, args, kwargs)

    @classmethod
    def _from_np(cls, value):
        raise NotImplementedError

    def _np(self):
        """The real NumPy scalar this stands for."""
        return self._np_type(self._py())

    def __repr__(self) -> str:
        with _printing():
            return repr(self._np())

    def __str__(self) -> str:
        with _printing():
            return str(self._np())

    def __format__(self, spec: str) -> str:
        with _printing():
            return format(self._np(), spec)

    def __round__(self, ndigits=None):
        with _quiet():
            return _wrap(round(self._np(), ndigits) if ndigits is not None else round(self._np()))

    @property
    def dtype(self) -> DType:
        return DType._of(xp.dtype(self._np_type))

    @property
    def shape(self) -> tuple:
        return ()

    @property
    def ndim(self) -> int:
        return 0

    @property
    def size(self) -> int:
        return 1

    @property
    def itemsize(self) -> int:
        return xp.dtype(self._np_type).itemsize

    def item(self, *args):
        return _call(self._np().item, args, {})

    def tolist(self):
        return self._np().tolist()


def _scalar_binary(op, reflected: bool = False):
    def method(self, other):
        o = _operand(other)
        if o is _TENSOR or o is _DEFER:
            return NotImplemented  # a tensor takes a NumPy scalar as a Python number
        with _quiet():
            return _wrap(op(o, self._np()) if reflected else op(self._np(), o))
    return method


def _scalar_unary(op):
    def method(self):
        with _quiet():
            return _wrap(op(self._np()))
    return method


_BINARY = {  # dunder stem: (operator, symbol shown in TypeErrors)
    "add": (operator.add, "+"), "sub": (operator.sub, "-"), "mul": (operator.mul, "*"),
    "truediv": (operator.truediv, "/"), "floordiv": (operator.floordiv, "//"),
    "mod": (operator.mod, "%"), "pow": (operator.pow, "**"), "matmul": (operator.matmul, "@"),
    "and": (operator.and_, "&"), "or": (operator.or_, "|"), "xor": (operator.xor, "^"),
    "lshift": (operator.lshift, "<<"), "rshift": (operator.rshift, ">>"),
    "divmod": (divmod, "divmod()"),
}
_COMPARE = {
    "eq": (operator.eq, "=="), "ne": (operator.ne, "!="), "lt": (operator.lt, "<"),
    "le": (operator.le, "<="), "gt": (operator.gt, ">"), "ge": (operator.ge, ">="),
}
_UNARY = {"neg": operator.neg, "pos": operator.pos, "abs": operator.abs,
          "invert": operator.invert}

for _stem, (_op, _sym) in _BINARY.items():
    if _stem != "matmul":
        setattr(generic, f"__{_stem}__", _scalar_binary(_op))
        setattr(generic, f"__r{_stem}__", _scalar_binary(_op, reflected=True))
for _stem, (_op, _sym) in _COMPARE.items():
    setattr(generic, f"__{_stem}__", _scalar_binary(_op))
for _stem, _op in _UNARY.items():
    setattr(generic, f"__{_stem}__", _scalar_unary(_op))
generic.__hash__ = None  # each concrete class says how it hashes

for _name in ("astype", "round", "sum", "mean", "max", "min", "prod", "all", "any",
              "reshape", "argmax", "argmin", "copy", "squeeze", "flatten", "ravel",
              "transpose", "conjugate"):
    def _delegate(self, *args, _name=_name, **kwargs):
        return _call(getattr(self._np(), _name), args, kwargs)
    _delegate.__name__ = _delegate.__qualname__ = _name
    setattr(generic, _name, _delegate)


def _abstract(name: str, base, np_type):
    return _NumpyType(name, (base,), {"__slots__": (), "_np_type": np_type,
                                      "_qualified": f"numpy.{name}"})


number = _abstract("number", generic, xp.number)
integer = _abstract("integer", number, xp.integer)
signedinteger = _abstract("signedinteger", integer, xp.signedinteger)
unsignedinteger = _abstract("unsignedinteger", integer, xp.unsignedinteger)
inexact = _abstract("inexact", number, xp.inexact)
floating = _abstract("floating", inexact, xp.floating)
complexfloating = _abstract("complexfloating", inexact, xp.complexfloating)


def _concrete(np_type, base, python_type):
    name = np_type.__name__
    attrs = {"__slots__": (), "_np_type": np_type, "_qualified": f"numpy.{name}",
             "_py": {int: int.__int__, float: float.__float__,
                     complex: complex.__complex__}[python_type],
             "__hash__": python_type.__hash__}

    def _from_np(cls, value):
        return python_type.__new__(cls, value)

    attrs["_from_np"] = classmethod(_from_np)
    return _NumpyType(name, (base, python_type), attrs)


float16 = _concrete(xp.float16, floating, float)
float32 = _concrete(xp.float32, floating, float)
float64 = _concrete(xp.float64, floating, float)
int8 = _concrete(xp.int8, signedinteger, int)
int16 = _concrete(xp.int16, signedinteger, int)
int32 = _concrete(xp.int32, signedinteger, int)
int64 = _concrete(xp.int64, signedinteger, int)
uint8 = _concrete(xp.uint8, unsignedinteger, int)
uint16 = _concrete(xp.uint16, unsignedinteger, int)
uint32 = _concrete(xp.uint32, unsignedinteger, int)
uint64 = _concrete(xp.uint64, unsignedinteger, int)
complex64 = _concrete(xp.complex64, complexfloating, complex)
complex128 = _concrete(xp.complex128, complexfloating, complex)


class bool_(generic):
    """``np.bool_``: prints as ``np.True_`` / ``np.False_``; not an int (as in NumPy)."""

    _np_type = xp.bool_
    _qualified = f"numpy.{xp.bool_.__name__}"
    __slots__ = ("_value",)

    @classmethod
    def _from_np(cls, value):
        obj = object.__new__(cls)
        obj._value = bool(value)
        return obj

    def _py(self) -> bool:
        return self._value

    def __bool__(self) -> bool:
        return self._value

    def __int__(self) -> int:
        return int(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __hash__(self) -> int:
        return hash(self._value)


_SCALARS = {c._np_type: c for c in (float16, float32, float64, int8, int16, int32, int64,
                                    uint8, uint16, uint32, uint64, complex64, complex128,
                                    bool_)}


def _scalar(value):
    """A real NumPy scalar -> the program's scalar (a Python value where we have no type)."""
    cls = _SCALARS.get(type(value))
    if cls is not None:
        return cls._from_np(value)
    if isinstance(value, (xp.str_, xp.bytes_, xp.number)):
        return value.item()
    raise TypeError(f"gradcli's numpy does not support scalars of type "
                    f"{type(value).__name__}")


def numpy_scalar_dtype(value) -> dt.DType | None:
    """The torch dtype of a program's NumPy scalar (None for anything else).

    ``torch.tensor(np.float64(1.5))`` is float64 in PyTorch, where a Python
    float would give the default dtype.
    """
    if isinstance(value, generic):
        try:
            return dt.from_numpy(value._np_type)
        except TypeError:
            return None
    return None


# =================================================================== dtype
class DType(metaclass=_NumpyType):
    """``np.dtype``: what ``a.dtype`` gives (``dtype('float32')``)."""

    _qualified = "numpy.dtype"
    __slots__ = ("_dtype",)

    def __new__(cls, dtype, align=False, copy=False):
        return _call(xp.dtype, (dtype,), {"align": align, "copy": copy})

    @classmethod
    def _of(cls, real) -> DType:
        obj = object.__new__(cls)
        obj._dtype = real
        return obj

    def __repr__(self) -> str:
        return repr(self._dtype)

    def __str__(self) -> str:
        return str(self._dtype)

    def __eq__(self, other) -> bool:
        if isinstance(other, Tensor):
            return False
        try:
            with _quiet():
                return bool(self._dtype == xp.dtype(_unwrap(other)))
        except (TypeError, ValueError):
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._dtype)

    @property
    def name(self) -> str:
        return self._dtype.name

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def kind(self) -> str:
        return self._dtype.kind

    @property
    def char(self) -> str:
        return self._dtype.char

    @property
    def str(self) -> str:
        return self._dtype.str

    @property
    def type(self):
        return _SCALARS.get(self._dtype.type)

    @property
    def ndim(self) -> int:
        return 0

    @property
    def shape(self) -> tuple:
        return ()


# ================================================================= ndarray
def _tensor_of(array) -> Tensor:
    """A tensor with the values of ``array`` (shared when torch could share them)."""
    dtype = dt.from_numpy(array.dtype)
    if any(s < 0 for s in array.strides):
        array = array.copy()
    return Tensor._make(array, dtype)


def _array_binary(op, symbol: str, stem: str, reflected: bool = False):
    def method(self, other):
        o = _operand(other)
        if o is _TENSOR:
            return _with_tensor(self, other, op, symbol, stem, reflected)
        if o is _DEFER:
            return NotImplemented
        with _quiet():
            return _wrap(op(o, self._array) if reflected else op(self._array, o))
    method.__name__ = f"__{'r' if reflected else ''}{stem}__"
    return method


def _with_tensor(self, tensor, op, symbol, stem, reflected):
    """``array OP tensor`` / ``tensor OP array`` as PyTorch + NumPy answer them.

    A tensor's operator gives way (NotImplemented) to an ndarray operand; NumPy's
    reflected operator then computes on the tensor's values, with NumPy's type
    promotion, and PyTorch's ``__array_wrap__`` makes the result a tensor. The
    array's own forward operators give way to the tensor instead, which only
    ``==`` (Tensor.__eq__) and ``/`` (Tensor.__rtruediv__, a reciprocal times
    the array) turn into a result.
    """
    if reflected:
        return _numpy_result_as_tensor(op, _tensor_array(tensor), self._array)
    if stem == "eq":
        return _numpy_result_as_tensor(op, self._array, _tensor_array(tensor))
    if stem == "truediv":
        values = _tensor_array(tensor)
        if values.dtype.kind in "biu":
            values = values.astype(dt.get_default_dtype().np)
        with _quiet():
            reciprocal = xp.reciprocal(values)
        return _numpy_result_as_tensor(operator.mul, reciprocal, self._array)
    if stem == "ne":
        return True  # both sides decline; Python falls back to identity
    if stem in _COMPARE:
        raise TypeError(f"cannot compare a NumPy array with a tensor using '{symbol}'; "
                        "convert one side first (torch.from_numpy(a) or t.numpy())")
    raise TypeError(f"cannot apply '{symbol}' to a NumPy array and a tensor; convert one side "
                    "first (torch.from_numpy(a) or t.numpy())")


def _numpy_result_as_tensor(op, left, right) -> Tensor:
    with _quiet():
        result = xp.asarray(op(left, right))
    return Tensor._make(result, dt.from_numpy(result.dtype))


def _array_inplace(op, symbol: str):
    def method(self, other):
        o = _operand(other)
        if o is _TENSOR:
            raise TypeError(f"cannot apply '{symbol}=' to a NumPy array with a tensor; "
                            "convert the tensor first (t.numpy())")
        if o is _DEFER:
            return NotImplemented
        with _quiet():
            result = op(self._array, o)
        return self if result is self._array else _wrap(result)
    return method


def _array_unary(op):
    def method(self):
        with _quiet():
            return _wrap(op(self._array))
    return method


class NDArray(SharedArray, metaclass=_NumpyType):
    """``np.ndarray`` as a program sees it: a real array in ``_array``.

    Calling the class (``np.ndarray((2, 3))``) makes a zero-filled array, as
    ``np.empty`` does here.
    """

    _qualified = "numpy.ndarray"
    __slots__ = ("__weakref__", "_array")
    __array_ufunc__ = None  # real NumPy never computes with a wrapper

    def __new__(cls, shape, dtype=float, buffer=None, offset=0, strides=None, order=None):
        if buffer is not None:
            raise TypeError("np.ndarray(): buffer= is not supported")
        return _call(xp.zeros, (shape,), {"dtype": dtype})

    @classmethod
    def _of(cls, array) -> NDArray:
        obj = object.__new__(cls)
        obj._array = array
        return obj

    # ------------------------------------------------------------- printing
    def __repr__(self) -> str:
        with _printing():
            return repr(self._array)

    def __str__(self) -> str:
        with _printing():
            return str(self._array)

    def __format__(self, spec: str) -> str:
        with _printing():
            return format(self._array, spec)

    # ----------------------------------------------------------- attributes
    @property
    def shape(self) -> tuple:
        return tuple(int(s) for s in self._array.shape)

    @property
    def dtype(self) -> DType:
        return DType._of(self._array.dtype)

    @property
    def ndim(self) -> int:
        return self._array.ndim

    @property
    def size(self) -> int:
        return int(self._array.size)

    @property
    def itemsize(self) -> int:
        return self._array.itemsize

    @property
    def nbytes(self) -> int:
        return int(self._array.nbytes)

    @property
    def strides(self) -> tuple:
        return tuple(int(s) for s in self._array.strides)

    @property
    def T(self) -> NDArray:
        return NDArray._of(self._array.T)

    @property
    def mT(self) -> NDArray:
        return _wrap(self._array.mT)

    @property
    def real(self) -> NDArray:
        return _wrap(self._array.real)

    @property
    def imag(self) -> NDArray:
        return _wrap(self._array.imag)

    # --------------------------------------------------------- conversions
    def tolist(self):
        return _wrap(self._array.tolist())

    def item(self, *args):
        return _wrap(self._array.item(*[_unwrap(a) for a in args]))

    def __len__(self) -> int:
        return len(self._array)

    def __iter__(self):
        # A list iterator, never a generator (whose frame a program could reach).
        return iter([_wrap(x) for x in self._array])

    def __contains__(self, value) -> bool:
        with _quiet():
            return bool(_unwrap(value) in self._array)

    def __bool__(self) -> bool:
        return bool(self._array)

    def __float__(self) -> float:
        return float(self._array)

    def __int__(self) -> int:
        return int(self._array)

    def __index__(self) -> int:
        return operator.index(self._array)

    def __complex__(self) -> complex:
        return complex(self._array)

    __hash__ = None  # arrays are unhashable, as in NumPy

    # ------------------------------------------------------------ indexing
    def __getitem__(self, key):
        return _wrap(self._array[_unwrap(key)])

    def __setitem__(self, key, value) -> None:
        if isinstance(value, Tensor) and value._data.ndim == 0:
            value = value._data  # PyTorch converts a one-element tensor (even with grad)
        else:
            value = _unwrap(value)
        with _quiet():
            self._array[_unwrap(key)] = value

    def __round__(self, ndigits=None):
        return _call(self._array.round, (0 if ndigits is None else ndigits,), {})


def _array_method(name: str):
    def method(self, *args, **kwargs):
        result = _call(getattr(self._array, name), args, kwargs)
        return self if isinstance(result, NDArray) and result._array is self._array else result
    method.__name__ = method.__qualname__ = name
    return method


for _name in ("reshape", "astype", "copy", "flatten", "ravel", "squeeze", "transpose",
              "swapaxes", "fill", "sum", "mean", "max", "min", "prod", "std", "var",
              "argmax", "argmin", "cumsum", "cumprod", "all", "any", "clip", "round", "dot",
              "nonzero", "sort", "argsort", "repeat", "take", "trace", "diagonal", "ptp",
              "conj", "conjugate", "searchsorted", "put", "choose", "compress"):
    setattr(NDArray, _name, _array_method(_name))

for _stem, (_op, _sym) in _BINARY.items():
    setattr(NDArray, f"__{_stem}__", _array_binary(_op, _sym, _stem))
    setattr(NDArray, f"__r{_stem}__", _array_binary(_op, _sym, _stem, reflected=True))
    if _stem != "divmod":
        setattr(NDArray, f"__i{_stem}__", _array_inplace(getattr(operator, f"i{_stem}"), _sym))
for _stem, (_op, _sym) in _COMPARE.items():
    setattr(NDArray, f"__{_stem}__", _array_binary(_op, _sym, _stem))
for _stem, _op in _UNARY.items():
    setattr(NDArray, f"__{_stem}__", _array_unary(_op))

NDArray.__name__ = NDArray.__qualname__ = "ndarray"
ndarray = NDArray


# =============================================================== the torch side
def from_numpy(ndarray):
    """``torch.from_numpy(a)``: a fresh leaf tensor whose ``_data`` is ``a``'s array."""
    if not isinstance(ndarray, NDArray):
        raise TypeError(f"from_numpy() expects a NumPy array, not a value of type "
                        f"{type(ndarray).__name__}")
    array = ndarray._array
    dtype = dt.from_numpy(array.dtype)
    if any(s < 0 for s in array.strides):
        raise ValueError(
            f"cannot share memory with a NumPy array that has a negative stride "
            f"(strides {list(array.strides)}, as in a reversed view); pass a copy made "
            "with array.copy()")
    return Tensor._make(array, dtype)


def as_tensor_operand(value):
    """``value`` with an array turned into a tensor (what PyTorch does with ndarray operands)."""
    if isinstance(value, NDArray):
        return _tensor_of(value._array)
    return value


# ================================================================ the module
class ufunc(metaclass=_NumpyType):
    """A NumPy ufunc (``np.exp``): prints as ``<ufunc 'exp'>``.

    Given a tensor it answers with a tensor, as a real ufunc does through
    PyTorch's ``__array_wrap__``.
    """

    _qualified = "numpy.ufunc"
    __slots__ = ("_fn", "_name")

    def __new__(cls, *args, **kwargs):
        raise TypeError("numpy.ufunc cannot be instantiated; use the ufuncs np provides, "
                        "such as np.add")

    @classmethod
    def _of(cls, name: str) -> ufunc:
        obj = object.__new__(cls)
        obj._fn = getattr(xp, name)
        obj._name = obj._fn.__name__
        return obj

    def __call__(self, *args, **kwargs):
        result = _call(self._fn, args, kwargs)
        if isinstance(result, NDArray) and "out" not in kwargs \
                and any(isinstance(a, Tensor) for a in args):
            return _tensor_of(result._array)
        return result

    def __repr__(self) -> str:
        return f"<ufunc '{self._name}'>"

    @property
    def nin(self) -> int:
        return self._fn.nin

    @property
    def nout(self) -> int:
        return self._fn.nout

    def reduce(self, *args, **kwargs):
        return _call(self._fn.reduce, args, kwargs)

    def accumulate(self, *args, **kwargs):
        return _call(self._fn.accumulate, args, kwargs)

    def outer(self, *args, **kwargs):
        return _call(self._fn.outer, args, kwargs)


_UFUNCS = (
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "square", "cbrt",
    "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
    "tanh", "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg", "degrees", "radians",
    "hypot", "abs", "absolute", "fabs", "sign", "floor", "ceil", "trunc", "rint", "negative",
    "positive", "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod",
    "remainder", "fmod", "power", "float_power", "maximum", "minimum", "fmax", "fmin", "equal",
    "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
    "logical_not", "logical_xor", "isnan", "isinf", "isfinite", "signbit", "copysign",
    "heaviside", "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift",
    "right_shift", "divmod", "modf",
)

_FUNCTIONS = (
    "array", "zeros", "ones", "full", "eye", "identity", "arange", "linspace", "logspace",
    "diag", "diagflat", "tri", "tril", "triu", "zeros_like", "ones_like", "full_like", "copy",
    "shape", "ndim", "size", "sum", "mean", "median", "average", "std", "var", "prod", "cumsum",
    "cumprod", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any", "nansum",
    "nanmean", "nanmax", "nanmin", "ptp", "count_nonzero", "percentile", "quantile", "dot",
    "vdot", "inner", "outer", "matmul", "tensordot", "einsum", "kron", "cross", "trace",
    "allclose", "array_equal", "array_equiv", "isclose", "reshape", "transpose", "swapaxes",
    "moveaxis", "squeeze", "expand_dims", "ravel", "flip", "fliplr", "flipud", "roll", "rot90",
    "concatenate", "stack", "vstack", "hstack", "dstack", "column_stack", "split",
    "array_split", "tile", "repeat", "broadcast_to", "broadcast_arrays", "atleast_1d",
    "atleast_2d", "atleast_3d", "meshgrid", "where", "clip", "round", "around", "sort",
    "argsort", "unique", "nonzero", "argwhere", "flatnonzero", "searchsorted", "diff",
    "gradient", "interp", "cov", "corrcoef", "histogram", "bincount", "digitize", "convolve",
    "ones_like", "result_type", "promote_types", "can_cast", "issubdtype",
)


def _function(name: str, fn=None):
    fn = fn or getattr(xp, name)

    def function(*args, **kwargs):
        return _call(fn, args, kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``np.{name}`` on gradcli's arrays."
    return function


def empty(shape, dtype=float, order="C", *, like=None):
    """``np.empty``: zero-filled (gradcli never shows uninitialized memory)."""
    return _call(xp.zeros, (shape,), {"dtype": dtype, "order": order})


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None):
    """``np.empty_like``: zero-filled."""
    return _call(xp.zeros_like, (prototype,), {"dtype": dtype, "order": order, "shape": shape})


def asarray(a, dtype=None, order=None, *, copy=None):
    """``np.asarray``: the array itself when no conversion is needed."""
    result = _call(xp.asarray, (a,), {"dtype": dtype, "order": order, "copy": copy})
    if isinstance(a, NDArray) and isinstance(result, NDArray) and result._array is a._array:
        return a
    return result


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     suppress=None, nanstr=None, infstr=None, formatter=None, sign=None,
                     floatmode=None, *, legacy=None, override_repr=None):
    """``np.set_printoptions`` for this program's arrays (no custom formatters)."""
    if formatter is not None or override_repr is not None:
        raise TypeError("set_printoptions(): formatter= and override_repr= are not supported")
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems,
             "linewidth": linewidth, "suppress": suppress, "nanstr": nanstr, "infstr": infstr,
             "sign": sign, "floatmode": floatmode, "legacy": legacy}
    given = {k: v for k, v in given.items() if v is not None}
    options = {**_print_options, **given}
    with xp.printoptions(**{**_DEFAULT_PRINT, **options}):  # NumPy checks the values
        pass
    _print_options.clear()
    _print_options.update(options)


def get_printoptions() -> dict:
    """``np.get_printoptions``: the options this program's arrays print with."""
    options = {**_DEFAULT_PRINT, **_print_options}
    return {k: options[k] for k in (*_PRINT_KEYS, "formatter")}


class printoptions:
    """``with np.printoptions(precision=3):`` sets print options for a block."""

    __slots__ = ("_options", "_saved")

    def __init__(self, **options) -> None:
        self._options = options
        self._saved = None

    def __enter__(self):
        self._saved = dict(_print_options)
        set_printoptions(**self._options)
        return get_printoptions()

    def __exit__(self, *exc) -> None:
        _print_options.clear()
        _print_options.update(self._saved)


def _random_module(module_cls):
    """``np.random``: its own seeded generator (seed 0 at start; never NumPy's global one)."""
    state = {"rng": xp.random.default_rng(0)}

    def rng():
        return state["rng"]

    def seed(seed=None):
        state["rng"] = xp.random.default_rng(None if seed is None else int(seed))

    def _shape(args):
        return tuple(int(operator.index(a)) for a in args)

    def rand(*shape):
        return _wrap(rng().random(_shape(shape)) if shape else rng().random())

    def randn(*shape):
        return _wrap(rng().standard_normal(_shape(shape)) if shape else rng().standard_normal())

    def random(size=None):
        return _call(rng().random, (_unwrap(size),), {})

    def randint(low, high=None, size=None, dtype=int):
        if high is None:
            low, high = 0, low
        return _call(rng().integers, (low, high, size), {"dtype": dtype})

    def normal(loc=0.0, scale=1.0, size=None):
        return _call(rng().normal, (loc, scale, size), {})

    def uniform(low=0.0, high=1.0, size=None):
        return _call(rng().uniform, (low, high, size), {})

    def choice(a, size=None, replace=True, p=None):
        return _call(rng().choice, (a, size, replace, p), {})

    def permutation(x):
        return _call(rng().permutation, (x,), {})

    def shuffle(x):
        if not isinstance(x, NDArray):
            raise TypeError(f"shuffle() expects a NumPy array, not a value of type "
                            f"{type(x).__name__}")
        rng().shuffle(x._array)

    functions = {"seed": seed, "rand": rand, "randn": randn, "random": random,
                 "random_sample": random, "randint": randint, "normal": normal,
                 "uniform": uniform, "choice": choice, "permutation": permutation,
                 "shuffle": shuffle}
    for name, fn in functions.items():
        fn.__name__ = fn.__qualname__ = name
    return module_cls("numpy.random", functions)


def build():
    """The ``numpy`` module a program imports (fresh per program: print options, seed)."""
    _print_options.clear()
    attrs = {name: _function(name) for name in _FUNCTIONS}
    attrs.update({name: ufunc._of(name) for name in _UFUNCS})
    attrs.update({
        "asarray": asarray, "empty": empty, "empty_like": empty_like,
        "set_printoptions": set_printoptions, "get_printoptions": get_printoptions,
        "printoptions": printoptions,
        "ndarray": NDArray, "dtype": DType, "ufunc": ufunc,
        "generic": generic, "number": number, "integer": integer,
        "signedinteger": signedinteger, "unsignedinteger": unsignedinteger,
        "inexact": inexact, "floating": floating, "complexfloating": complexfloating,
        "complex64": complex64, "complex128": complex128, "cdouble": complex128,
        "csingle": complex64,
        "True_": bool_._from_np(True), "False_": bool_._from_np(False),
        "float16": float16, "float32": float32, "float64": float64,
        "half": float16, "single": float32, "double": float64,
        "int8": int8, "int16": int16, "int32": int32, "int64": int64,
        "intc": int32, "int_": int64, "intp": int64, "longlong": int64,
        "uint8": uint8, "uint16": uint16, "uint32": uint32, "uint64": uint64, "ubyte": uint8,
        "bool_": bool_, "bool": bool_,
        "newaxis": None, "pi": float(xp.pi), "e": float(xp.e), "inf": float("inf"),
        "nan": float("nan"), "euler_gamma": float(xp.euler_gamma),
        "random": _random_module(Module),
        "linalg": Module("numpy.linalg", {
            name: _function(name, getattr(xp.linalg, name))
            for name in ("norm", "inv", "det", "solve", "eig", "eigh", "eigvals", "svd",
                         "qr", "cholesky", "matrix_rank", "pinv", "lstsq", "matrix_power")}),
    })
    return Module("numpy", attrs)


_NumpyType._sealed = True

__all__ = [
    "DType",
    "NDArray",
    "as_tensor_operand",
    "build",
    "from_numpy",
    "numpy_scalar_dtype",
]
