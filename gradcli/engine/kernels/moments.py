"""Row-wise mean and variance as ATen's CPU ``RowwiseMoments`` computes them in float32
(``layer_norm``): Welford updates on 8-lane vectors within chunks of 16 vectors, a
cascade of chunk merges, a scalar Welford loop over the tail, then the lanes
merged one by one. The compiler fuses each multiply feeding an add into an FMA
in the vector updates and the merges (not in the tail loop).

Measured against PyTorch 2.13 on the oracle machine: mean and ``rstd`` are
bit-exact for rows of up to 128 elements (a single chunk); longer rows can
differ in the last bit.

Example:
    >>> import numpy as np
    >>> mean, var = rowwise_moments(np.float32([[1, 2, 3, 4]]))
    >>> mean.tolist(), var.tolist()
    ([2.5], [1.25])
"""

from __future__ import annotations

import math

import numpy as np

from .pointwise import fma

_LANES = 8
_CHUNK = 16


def _ceil_log2(x: int) -> int:
    """c10's ``CeilLog2``: 1 for x <= 2."""
    return 1 if x <= 2 else math.ceil(math.log2(x))


def _merge(m0_add: int, m1_add, m2_add, m0: int, m1, m2):
    """``AddMoments``: fold the moments of ``m0_add`` values into those of ``m0``."""
    n = m0 + m0_add
    t = m1.dtype.type
    c = t(0) if n == 0 else t(m0_add) / t(n)
    delta = m1_add - m1
    c_full = np.full(np.shape(delta), c, m1.dtype)
    m1 = fma(delta, c_full, m1)
    m2 = m2 + fma(delta * delta * c, np.full(np.shape(delta), t(m0), m1.dtype), m2_add)
    return n, m1, m2


def rowwise_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, biased variance) of each row of a 2-D float32 array, as ATen rounds them."""
    rows, count = x.shape
    dtype = x.dtype
    t = dtype.type
    n = count // _LANES
    chunks = -(-n // _CHUNK)
    depth = _ceil_log2(chunks)
    zero = np.zeros((rows, _LANES), dtype)
    stack = [[0, zero, zero] for _ in range(max(depth, 1))]
    for i in range(chunks):
        base = i * _CHUNK * _LANES
        size = min(_CHUNK, n - i * _CHUNK)
        m1, m2 = zero, zero
        for j in range(size):
            v = x[:, base + j * _LANES: base + (j + 1) * _LANES]
            delta = v - m1
            m1 = fma(delta, np.full(delta.shape, t(1) / t(j + 1), dtype), m1)
            m2 = fma(delta, v - m1, m2)
        stack[0] = list(_merge(size, m1, m2, *stack[0]))
        mask = i + 1
        level = 1
        while level < depth and mask & 1 == 0:
            stack[level] = list(_merge(*stack[level - 1], *stack[level]))
            stack[level - 1] = [0, zero, zero]
            mask >>= 1
            level += 1
    for level in range(1, depth):
        stack[0] = list(_merge(*stack[level], *stack[0]))
    m0, m1, m2 = 0, np.zeros(rows, dtype), np.zeros(rows, dtype)
    for i in range(n * _LANES, count):
        v = x[:, i]
        delta = v - m1
        m0 += 1
        m1 = m1 + delta / t(m0)
        m2 = m2 + delta * (v - m1)
    for lane in range(_LANES):
        m0, m1, m2 = _merge(n, stack[0][1][:, lane], stack[0][2][:, lane], m0, m1, m2)
    return m1, m2 / t(count)
