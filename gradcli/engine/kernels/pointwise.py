"""The fused pointwise updates of ATen's CPU kernels, on arrays.

PyTorch's vectorised CPU kernels compute ``add(a, b, alpha=s)`` as one fused
multiply-add ``fma(b, s, a)``, ``lerp`` as ``fma(w, end - a, a)`` (or
``end - (end - a) * (1 - w)`` fused, for ``w >= 0.5``), ``addcmul`` as
``fma(s * t1, t2, a)`` and ``addcdiv`` as ``a + (s * t1) / t2``. The scalar is
rounded to the array's type first. The optimizers use these so that their
updates give PyTorch's bits (measured against PyTorch 2.13 on an AVX512 CPU).

Example:
    >>> import numpy as np
    >>> add_scaled(np.float32([1.0]), np.float32([2.0]), 0.5).tolist()
    [2.0]
"""

from __future__ import annotations

import numpy as np

from .normal import _fma32, _fma64


def fma(a, b, c) -> np.ndarray:
    """``a * b + c`` rounded once, in the type of ``c`` (float16, float32 or float64),
    the three operands broadcast together."""
    c = np.asarray(c)
    a, b, c = np.broadcast_arrays(np.asarray(a), np.asarray(b), c)
    if c.ndim == 0:  # the exact-halfway repair indexes elements
        return fma(a.reshape(1), b.reshape(1), c.reshape(1)).reshape(())
    if c.dtype == np.float64:
        return _fma64(a, b, c)
    if c.dtype == np.float32:
        return np.asarray(_fma32(np.asarray(a, np.float32), np.asarray(b, np.float32), c),
                          np.float32)
    # float16: computed in float32 (exact product), rounded once more to the type
    work = _fma32(np.asarray(a, np.float32), np.asarray(b, np.float32),
                  c.astype(np.float32))
    return np.asarray(work).astype(c.dtype)


def scalar(value: float, like: np.ndarray):
    """A Python number as the kernel sees it: rounded to the array's type."""
    return np.asarray(value, dtype=like.dtype)


def add_scaled(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    """``a.add(b, alpha=alpha)``: ``fma(b, alpha, a)``; plain ``a + b`` for alpha 1."""
    if alpha == 1:
        return a + b
    return fma(b, scalar(alpha, a), a)


def lerp(a: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``a.lerp(end, weight)`` with a number weight, fused as ATen's kernel is."""
    w = scalar(weight, a)
    diff = end - a
    if abs(float(w)) < 0.5:
        return fma(w, diff, a)
    return fma(-diff, np.asarray(1, a.dtype) - w, end)


def addcmul(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float = 1.0) -> np.ndarray:
    """``a.addcmul(t1, t2, value=value)``: ``fma(value * t1, t2, a)``."""
    return fma(scalar(value, a) * t1, t2, a)


def addcdiv(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float = 1.0) -> np.ndarray:
    """``a.addcdiv(t1, t2, value=value)``: ``a + (value * t1) / t2``."""
    with np.errstate(all="ignore"):
        return a + (scalar(value, a) * t1) / t2
