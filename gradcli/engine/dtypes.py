"""PyTorch's dtypes and its type-promotion rules, mapped onto NumPy dtypes."""

from __future__ import annotations

import numpy as np

# Categories, ordered: a result takes the highest category among its operands.
BOOL, INT, FLOAT = 0, 1, 2


class _DTypeType(type):
    """Makes ``type(x.dtype)`` print as ``<class 'torch.dtype'>``."""

    def __repr__(cls) -> str:
        return "<class 'torch.dtype'>"


class DType(metaclass=_DTypeType):
    """A torch dtype such as ``torch.float32``.

    Example:
        >>> float32
        torch.float32
        >>> float32.is_floating_point
        True
    """

    __slots__ = ("category", "itemsize", "legacy", "name", "np", "short")

    def __init__(self, name: str, np_dtype, category: int, legacy: str, short: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.legacy = legacy  # 'torch.FloatTensor', from Tensor.type()
        self.short = short  # 'Float', as PyTorch's messages name it

    @property
    def is_floating_point(self) -> bool:
        return self.category == FLOAT

    @property
    def is_complex(self) -> bool:
        return False

    @property
    def is_signed(self) -> bool:
        return self.name not in ("uint8", "bool")

    def to_real(self) -> DType:
        return self

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    __str__ = __repr__

    def __reduce__(self):
        return (by_name, (self.name,))


float16 = DType("float16", np.float16, FLOAT, "torch.HalfTensor", "Half")
float32 = DType("float32", np.float32, FLOAT, "torch.FloatTensor", "Float")
float64 = DType("float64", np.float64, FLOAT, "torch.DoubleTensor", "Double")
uint8 = DType("uint8", np.uint8, INT, "torch.ByteTensor", "Byte")
int8 = DType("int8", np.int8, INT, "torch.CharTensor", "Char")
int16 = DType("int16", np.int16, INT, "torch.ShortTensor", "Short")
int32 = DType("int32", np.int32, INT, "torch.IntTensor", "Int")
int64 = DType("int64", np.int64, INT, "torch.LongTensor", "Long")
bool_ = DType("bool", np.bool_, BOOL, "torch.BoolTensor", "Bool")

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL}
_BY_LEGACY = {d.legacy: d for d in ALL}

# The names under which torch exposes each dtype (torch.float is torch.float32).
ALIASES = {
    "float16": float16, "half": float16,
    "float32": float32, "float": float32,
    "float64": float64, "double": float64,
    "uint8": uint8, "int8": int8,
    "int16": int16, "short": int16,
    "int32": int32, "int": int32,
    "int64": int64, "long": int64,
    "bool": bool_,
}

_default_float = float32


def by_name(name: str) -> DType:
    """Returns the dtype named ``name`` ('float32')."""
    return _BY_NAME[name]


def from_numpy(np_dtype) -> DType:
    """Returns the torch dtype of a NumPy dtype; TypeError if torch has none."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"cannot make a tensor from a NumPy array of dtype {np.dtype(np_dtype).name}; "
            "the dtypes that convert are float64, float32, float16, int64, int32, int16, "
            "int8, uint8 and bool") from None


def from_legacy(name: str) -> DType | None:
    """Returns the dtype of a legacy type name such as 'torch.FloatTensor'."""
    return _BY_LEGACY.get(name)


def get_default_dtype() -> DType:
    """The dtype Python floats and float factories produce (float32 unless changed)."""
    return _default_float


def set_default_dtype(dtype: DType) -> None:
    """Changes the default float dtype, as ``torch.set_default_dtype``."""
    global _default_float
    if not isinstance(dtype, DType) or not dtype.is_floating_point:
        raise TypeError(f"the default dtype must be a floating-point dtype, not {dtype!r}")
    _default_float = dtype


def reset() -> None:
    """Restores the default float dtype (each program starts from float32)."""
    global _default_float
    _default_float = float32


def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both ``a`` and ``b`` convert to, as ``torch.promote_types``.

    Example:
        >>> promote_types(int64, float16)
        torch.float16
        >>> promote_types(uint8, int8)
        torch.int16
    """
    if a is b:
        return a
    if a.category == FLOAT or b.category == FLOAT:
        if a.category != FLOAT:
            return b
        if b.category != FLOAT:
            return a
        return a if a.itemsize >= b.itemsize else b
    return _BY_NP[np.promote_types(a.np, b.np)]


def scalar_dtype(value) -> DType:
    """The dtype PyTorch gives a Python number on its own."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return _default_float


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    # PyTorch's combine_categories: a lower-priority group only matters when it
    # is of a higher category than everything above it.
    if higher is None:
        return lower
    if lower is None or higher.category == FLOAT:
        return higher
    if higher.category == BOOL or lower.category == FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> DType:
    """The dtype of an operation on tensors and Python numbers, as ``torch.result_type``.

    Dimensioned tensors win over 0-dim tensors, which win over Python numbers,
    unless the lower group is of a higher category (bool < int < float).

    Example:
        >>> result_type(1.5, 2)
        torch.float32
    """
    dim_result = zero_result = wrapped = None
    for operand in operands:
        dtype = getattr(operand, "_dtype", None)
        if dtype is None:
            d = scalar_dtype(operand)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
        elif operand._data.ndim == 0:
            zero_result = dtype if zero_result is None else promote_types(zero_result, dtype)
        else:
            dim_result = dtype if dim_result is None else promote_types(dim_result, dtype)
    return _combine(dim_result, _combine(zero_result, wrapped))
