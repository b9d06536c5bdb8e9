"""The small NumPy surface a program sees through ``import numpy as np``."""

from __future__ import annotations


class NDArray:
    """A NumPy array as a program sees it (wraps the real array)."""

    __slots__ = ("_array",)

    def __init__(self, array) -> None:
        self._array = array

    def __repr__(self) -> str:
        return repr(self._array)

    def __str__(self) -> str:
        return str(self._array)


def wrap_shared(tensor) -> NDArray:
    """``t.numpy()``: an array sharing the tensor's memory."""
    return NDArray(tensor._data)


def build():
    """The ``numpy`` module a program imports (filled in by the tutorial level)."""
    from .api import Module
    return Module("numpy", {})
