"""The Mersenne Twister behind PyTorch's CPU generator, and how its words become numbers.

mt19937 state words, the twist and tempering (vectorised over the 624 words),
the byte layout of ``torch.get_rng_state()``, the conversions of tempered
words to float32/float64 uniforms and 64-bit integers, and the shape and
dtype helpers the samplers share. Used by :mod:`gradcli.engine.kernels.random`.
"""

from __future__ import annotations

import math
import struct

import numpy as np

# ====================================================================== mt19937
_N = 624
_M = 397
_NM = _N - _M  # 227
_MATRIX_A = np.uint32(0x9908B0DF)
_UPPER = np.uint32(0x80000000)
_U32 = 0xFFFFFFFF
_U64 = 0xFFFFFFFFFFFFFFFF

# State bytes: the legacy THGenerator struct followed by the float normal cache.
#   uint64 the_initial_seed; int32 left; int32 seeded; uint64 next;
#   uint64 state[624]; double normal_x, normal_y, normal_rho; int32 normal_is_valid;
#   (4 bytes padding) float next_float_normal_sample; bool valid; (3 bytes padding)
_HEAD = struct.Struct("<QiiQ")
_WORDS_AT = _HEAD.size  # 24
_NORMAL = struct.Struct("<dddi4x")
_NORMAL_AT = _WORDS_AT + 8 * _N  # 5016
_FLOAT = struct.Struct("<f?3x")
_FLOAT_AT = _NORMAL_AT + _NORMAL.size  # 5048


def _seed_words(seed: int) -> np.ndarray:
    """The 624 state words mt19937 derives from the low 32 bits of ``seed``."""
    words = [seed & _U32]
    x = words[0]
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & _U32
        words.append(x)
    return np.array(words, dtype=np.uint32)


def _twist(src: np.ndarray, dst: np.ndarray, y: np.ndarray, t: np.ndarray,
           xor=np.bitwise_xor, and_=np.bitwise_and) -> None:
    """Writes the state that follows ``src`` into ``dst`` (both 624 words).

    ``new[i] = new_or_old[i + 397] ^ twist(old[i], old[i + 1])``: the twist
    part only reads old words, so it is computed for all words at once; the
    first term reads old words for ``i < 227`` and words this update already
    wrote after that, so it is applied in slices of 227 that respect the
    recurrence. ``y`` and ``t`` are scratch arrays of 623 words.
    """
    b = src[1:]
    xor(src[:-1], b, out=y)  # (a & UPPER) | (b & LOWER) == b ^ ((a ^ b) & UPPER)
    and_(y, _UPPER, out=y)
    xor(y, b, out=y)
    and_(b, 1, out=t)
    np.multiply(t, _MATRIX_A, out=t)
    np.right_shift(y, 1, out=y)
    xor(y, t, out=y)
    xor(src[_M:], y[:_NM], out=dst[:_NM])
    xor(dst[:_NM], y[_NM:2 * _NM], out=dst[_NM:2 * _NM])
    xor(dst[_NM:_M - 1], y[2 * _NM:], out=dst[2 * _NM:_N - 1])
    last = (src.item(_N - 1) & 0x80000000) | (dst.item(0) & 0x7FFFFFFF)
    dst[_N - 1] = dst.item(_M - 1) ^ (last >> 1) ^ (0x9908B0DF if last & 1 else 0)


_CHUNK = 1 << 16  # elements per pass in the elementwise loops (stays in cache)
_TEMPER_B = np.uint32(0x9D2C5680)
_TEMPER_C = np.uint32(0xEFC60000)
_LOW24 = np.uint32(0xFFFFFF)
_SCALE24 = np.float32(2.0 ** -24)


def _temper(y: np.ndarray) -> None:
    """Applies mt19937's output tempering to ``y`` in place."""
    buf = np.empty(min(y.size, _CHUNK), dtype=np.uint32)
    for start in range(0, y.size, _CHUNK):
        v = y[start:start + _CHUNK]
        t = buf[:v.size]
        np.right_shift(v, 11, out=t)
        v ^= t
        np.left_shift(v, 7, out=t)
        t &= _TEMPER_B
        v ^= t
        np.left_shift(v, 15, out=t)
        t &= _TEMPER_C
        v ^= t
        np.right_shift(v, 18, out=t)
        v ^= t


# ============================================================ words to numbers
def _floats(words: np.ndarray) -> np.ndarray:
    """float32 uniforms in [0, 1) from 32-bit words (24 bits each)."""
    out = np.empty(words.size, dtype=np.float32)
    buf = np.empty(min(words.size, _CHUNK), dtype=np.uint32)
    for start in range(0, words.size, _CHUNK):
        t = buf[:min(_CHUNK, words.size - start)]
        np.bitwise_and(words[start:start + _CHUNK], _LOW24, out=t)
        o = out[start:start + _CHUNK]
        np.copyto(o, t.view(np.int32), casting="unsafe")
        o *= _SCALE24
    return out


def _doubles(words: np.ndarray) -> np.ndarray:
    """float64 uniforms in [0, 1) from pairs of words (53 bits each)."""
    hi = (words[0::2] & np.uint32(0x1FFFFF)).astype(np.float64)
    hi *= 4294967296.0
    hi += words[1::2]
    hi *= 2.0 ** -53
    return hi


def _u64(words: np.ndarray) -> np.ndarray:
    """``random64()`` values from pairs of words (first word high)."""
    out = words[0::2].astype(np.uint64)
    out <<= np.uint64(32)
    out |= words[1::2]
    return out


# ===================================================================== helpers
def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _count(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in _FLOATS:
        raise TypeError(f"expected a floating point dtype, got {dtype}")
    return dtype


def _int_max(dtype: np.dtype) -> int:
    """The largest value ``random_`` may produce for ``dtype`` (inclusive)."""
    if dtype == np.bool_:
        return 1
    if dtype.kind == "f":
        return min(1 << _DIGITS[dtype], (1 << 63) - 1)
    return int(np.iinfo(dtype).max)


def _int_min(dtype: np.dtype) -> int:
    if dtype == np.bool_:
        return 0
    if dtype.kind == "f":
        return -_int_max(dtype)
    return int(np.iinfo(dtype).min)


def _cast(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """C++ ``static_cast<T>`` from float64 or int64 values.

    ``c10::Half`` is built from a float, so doubles reach float16 through
    float32 (two roundings).
    """
    if dtype == np.bool_:
        return values != 0
    with np.errstate(all="ignore"):
        if dtype == np.float16 and values.dtype == np.float64:
            values = values.astype(np.float32)
        return values.astype(dtype)


def _update_from(frm: int, dtype: np.dtype) -> int:
    """ATen's ``update_from``: the first integer >= from exact in ``dtype``."""
    plus_1 = int(np.array(frm + 1, dtype=np.int64).astype(dtype))
    if plus_1 < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = plus_1 + (1 << (n - _DIGITS[dtype] + 1))
    return frm


def _update_to(to: int, dtype: np.dtype) -> int:
    """ATen's ``update_to``: the last integer < to exact in ``dtype``, plus one."""
    minus_1 = int(np.array(to - 1, dtype=np.int64).astype(dtype))
    if minus_1 >= to:
        n = abs(to - 1).bit_length() - 1
        to = minus_1 - (1 << (n - _DIGITS[dtype] + 1))
    return to
