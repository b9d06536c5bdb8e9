"""Small helpers shared by the indexing modules."""

from __future__ import annotations

from ... import dtypes as dt
from ...backend import xp
from ...tensor import Tensor
from ..common import new


def zeros_tensor(shape, dtype: dt.DType) -> Tensor:
    return new(xp.zeros(shape, dtype=dtype.np), dtype)


def long_tensor(array) -> Tensor:
    return new(xp.asarray(array, dtype=xp.int64), dt.int64)
