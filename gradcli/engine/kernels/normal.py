"""Normal samples as ATen's CPU kernels compute them: libm-exact functions,
fused multiply-adds, and the AVX2 Box-Muller transform for float32.

See :mod:`gradcli.engine.kernels.random` for how the samplers use them.
"""

from __future__ import annotations

import math

import numpy as np


# ================================================================ libm in NumPy
def _through_math(fn):
    """A vectorised ``fn`` from :mod:`math`, one libm call per element."""

    def apply(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        flat = x.ravel().tolist()
        return np.fromiter(map(fn, flat), dtype=np.float64, count=len(flat)).reshape(x.shape)

    return apply


def _libm(name: str, probe: np.ndarray):
    """NumPy's ufunc ``name`` if it agrees with libm on ``probe``, else a libm loop."""
    ufunc = getattr(np, name)
    slow = _through_math(getattr(math, name))
    with np.errstate(all="ignore"):
        fast = ufunc(probe)
    if np.array_equal(fast.view(np.uint64), slow(probe).view(np.uint64)):
        return ufunc
    return slow


_PROBE = ((np.arange(1, 4097, dtype=np.float64) * 0.6180339887498949) % 1.0) * (1 - 2.0 ** -20)
_PROBE += 2.0 ** -30
_log = _libm("log", _PROBE)
_log1p = _libm("log1p", -_PROBE)
_sin = _libm("sin", 2 * math.pi * _PROBE)
_cos = _libm("cos", 2 * math.pi * _PROBE)
_tan = _libm("tan", math.pi * (_PROBE - 0.5))
_exp_fn = _libm("exp", 40 * (_PROBE - 0.5))


def _exp(x: np.ndarray) -> np.ndarray:
    """libm ``exp`` (overflow gives ``inf``, as in C)."""
    x = np.asarray(x, dtype=np.float64)
    big = x > 709.0
    if not big.any():
        return _exp_fn(x)
    out = _exp_fn(np.where(big, 0.0, x))
    with np.errstate(over="ignore"):
        out[big] = np.exp(x[big]) if _exp_fn is np.exp else [_c_exp(v) for v in x[big]]
    return out


def _c_exp(v: float) -> float:
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


# ================================================================ fused mul-add
def _to_f32_exact(num: int, den: int) -> float:
    """``num / den`` (``den`` a power of two) rounded once to float32."""
    sign = -1.0 if num < 0 else 1.0
    num = abs(num)
    shift = den.bit_length() - 1
    extra = num.bit_length() - 53
    if extra > 0:  # round to odd at 53 bits, then once to 24 bits
        sticky = 1 if num & ((1 << extra) - 1) else 0
        num = (num >> extra) | sticky
        shift -= extra
    return float(np.float32(sign * math.ldexp(num, -shift)))


def _exact_sum(a: float, b: float, c: float) -> tuple[int, int]:
    """``a * b + c`` as an exact fraction ``(num, den)``."""
    na, da = a.as_integer_ratio()
    nb, db = b.as_integer_ratio()
    nc, dc = c.as_integer_ratio()
    return na * nb * dc + nc * da * db, da * db * dc


def _fma32(a, b, c) -> np.ndarray:
    """float32 ``fma(a, b, c)`` (single rounding), elementwise.

    The product of two float32 values is exact in float64; the sum is rounded
    to float64 and then to float32, which differs from one rounding only when
    the float64 sum lies exactly halfway between two float32 values. Those
    rare elements are recomputed exactly.
    """
    s = np.multiply(a, b, dtype=np.float64)
    s += c
    out = s.astype(np.float32)
    bits = s.view(np.uint64)
    halfway = (bits & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    if halfway.any():
        a_, b_, c_ = (np.broadcast_to(np.asarray(v, np.float32), s.shape) for v in (a, b, c))
        for i in zip(*np.nonzero(halfway)):
            va, vb, vc = float(a_[i]), float(b_[i]), float(c_[i])
            if all(math.isfinite(v) for v in (va, vb, vc)):
                out[i] = _to_f32_exact(*_exact_sum(va, vb, vc))
    return out


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = a * 134217729.0
    hi = c - (c - a)
    return hi, a - hi


def _fma64(a, b, c) -> np.ndarray:
    """float64 ``fma(a, b, c)`` (single rounding), elementwise.

    Boldo and Melquiond's emulation: an exact product and sum, the two error
    terms added with rounding to odd, then one final rounding.
    """
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c)))
    with np.errstate(all="ignore"):
        plain = a * b + c
        uh = a * b
        ah, al = _split(a)
        bh, bl = _split(b)
        ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl
        th, tl = _two_sum(c, uh)
        v, err = _two_sum(tl, ul)
        even = (v.view(np.uint64) & np.uint64(1)) == 0
        fix = (err != 0) & even
        if fix.any():
            v[fix] = np.nextafter(v[fix], np.where(err[fix] > 0, np.inf, -np.inf))
        out = th + v
    good = np.isfinite(out) & np.isfinite(plain) & (out != 0)
    return np.where(good, out, plain)


# ================================================ AVX2 Box-Muller (float32)
def _f32(x: float) -> np.float32:
    return np.float32(x)


_ONE = _f32(1.0)
_HALF = _f32(0.5)
_SQRTHF = _f32(0.707106781186547524)
_LOG_P = [_f32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                            -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                            2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)
_TWO_PI = _f32(2.0 * math.pi)
_FOPI = _f32(1.27323954473516)
_DP1 = _f32(-0.78515625)
_DP2 = _f32(-2.4187564849853515625e-4)
_DP3 = _f32(-3.77489497744594108e-8)
_SIN_P = [_f32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [_f32(v) for v in (2.443315711809948e-005, -1.388731625493765e-003,
                            4.166664568298827e-002)]


# Every float32 value below is carried in float64 between operations: the
# product of two float32 values is exact in float64, so ``a * b + c`` there is
# one float64 rounding away from the exact FMA result, and casting to float32
# completes it. When the float64 sum is itself exact (the log polynomial:
# |x| < 0.42 is a multiple of 2**-24 and every partial sum is a float32 above
# 2**-5, so the terms span at most 51 bits; the ``DP3`` step: at most 52), the
# cast is the FMA's single rounding; elsewhere ``_fma_carried`` guards the rare
# float64 sums that sit exactly halfway between two float32 values. Both
# functions were checked against the fully guarded computation on all 2**24
# float32 uniforms.
_MASK29 = np.uint64(0x1FFFFFFF)
_HALF29 = np.uint64(0x10000000)
_LOG_P64 = [float(v) for v in _LOG_P]
_SIN_P64 = [float(v) for v in _SIN_P]
_COS_P64 = [float(v) for v in _COS_P]


def _round32(s: np.ndarray) -> np.ndarray:
    """float64 values rounded to float32, kept in float64."""
    return s.astype(np.float32).astype(np.float64)


def _fma_exact_sum(a, b, c) -> np.ndarray:
    """float32 ``fma(a, b, c)`` of carried values whose float64 sum is exact."""
    s = a * b
    s += c
    return s.astype(np.float32)


def _fma_carried(a, b, c) -> np.ndarray:
    """float32 ``fma(a, b, c)`` of carried values, as a carried (float64) result."""
    s = a * b
    s += c
    halfway = (s.view(np.uint64) & _MASK29) == _HALF29
    if halfway.any():
        a_, b_, c_ = (np.broadcast_to(v, s.shape) for v in (a, b, c))
        for i in np.flatnonzero(halfway):
            s[i] = _to_f32_exact(*_exact_sum(float(a_[i]), float(b_[i]), float(c_[i])))
    return _round32(s)


def _log256(u: np.ndarray) -> np.ndarray:
    """``log256_ps`` of ``avx_mathfun.h`` as GCC compiles it (with FMAs), for u > 0.

    ``u = m * 2**e`` with ``m`` in [sqrt(1/2), sqrt(2)); ``x = m - 1``; the
    result is ``x - x**2 / 2 + x**3 P(x) + e * log(2)`` with Cephes'
    polynomial ``P`` evaluated by FMAs and ``log(2)`` split in two parts.
    """
    m, e_int = np.frexp(u)  # m in [0.5, 1)
    small = m < _SQRTHF
    x = np.ldexp(m, small.view(np.int8))
    x -= _ONE
    e = (e_int - small).astype(np.float32)
    z = x * x
    x64 = x.astype(np.float64)
    y = _fma_exact_sum(_LOG_P64[0], x64, _LOG_P64[1]).astype(np.float64)
    for p in _LOG_P64[2:]:
        y = _fma_exact_sum(y, x64, p).astype(np.float64)
    y *= x64
    y = _round32(y)
    y = _fma_carried(y, z.astype(np.float64), (e * _LOG_Q1).astype(np.float64))
    y = y.astype(np.float32)
    y -= z * _HALF
    x += y
    x += e * _LOG_Q2
    return x


def _sincos256(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` of ``avx_mathfun.h`` as GCC compiles it, for theta >= 0.

    ``j`` is the even octant count ``(int(theta * 4 / pi) + 1) & ~1``; ``x``
    is theta reduced by ``j * pi / 4`` in three parts; both Cephes
    polynomials are evaluated and swapped and negated per octant.
    """
    j = (theta * _FOPI).astype(np.int32)
    j += 1
    j &= -2
    y = j.astype(np.float32)
    x = theta + y * _DP1
    x += y * _DP2
    x = _fma_exact_sum(y.astype(np.float64), float(_DP3), x)
    z = x * x
    z64 = z.astype(np.float64)
    c = _fma_carried(_COS_P64[0], z64, _COS_P64[1])
    c = _fma_carried(c, z64, _COS_P64[2])
    c *= z64
    c = _round32(c)
    c = _fma_carried(z64, c, (z * -_HALF).astype(np.float64)).astype(np.float32)
    c += _ONE
    s = _fma_carried(_SIN_P64[0], z64, _SIN_P64[1])
    s = _fma_carried(s, z64, _SIN_P64[2])
    s *= z64
    s = _round32(s)
    x64 = x.astype(np.float64)
    s = _fma_carried(x64, s, x64).astype(np.float32)
    s += np.float32(0.0)  # the blend adds +0.0: a -0.0 sine becomes +0.0
    # Bitwise blend and sign flips, as the intrinsics do (np.where is slow).
    sin_bits, cos_bits = c.view(np.int32), s.view(np.int32)
    mask = j & 2  # becomes all ones where the sine polynomial gives the sine
    mask >>= 1
    mask -= 1
    diff = sin_bits ^ cos_bits
    diff &= mask
    sin_bits ^= diff
    cos_bits ^= diff
    flip = j & 4
    flip <<= 29
    sin_bits ^= flip
    j -= 2
    j &= 4
    j ^= 4
    j <<= 29
    cos_bits ^= j
    return sin_bits.view(np.float32), cos_bits.view(np.float32)


_ROWS = 1 << 12  # blocks of 16 per chunk: keeps the temporaries in cache


def _box_muller_f32(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """ATen's AVX2 ``NormalFill16<float>`` on uniforms ``d`` (k x 16), as float32."""
    mean32, std32 = _f32(mean), _f32(std)
    plain = std32 == 1 and mean32 == 0
    out = np.empty_like(d)
    with np.errstate(all="ignore"):
        for start in range(0, d.shape[0], _ROWS):
            rows = d[start:start + _ROWS]
            radius = _log256(_ONE - rows[:, :8].ravel())
            radius *= _f32(-2.0)
            np.sqrt(radius, out=radius)
            sin, cos = _sincos256(_TWO_PI * rows[:, 8:].ravel())
            cos *= radius
            sin *= radius
            if plain:  # fma(n, 1, 0) is n + 0: only a -0.0 changes
                cos += mean32
                sin += mean32
            else:
                cos = _fma32(cos, std32, mean32)
                sin = _fma32(sin, std32, mean32)
            target = out[start:start + _ROWS]
            target[:, :8] = cos.reshape(-1, 8)
            target[:, 8:] = sin.reshape(-1, 8)
    return out


def _box_muller_f64(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """ATen's scalar ``NormalFill16<double>`` on uniforms ``d`` (k x 16)."""
    radius = np.sqrt(-2.0 * _log(1.0 - d[:, :8]))
    theta = (2.0 * math.pi) * d[:, 8:]
    out = np.empty_like(d)
    out[:, :8] = radius * _cos(theta)
    out[:, 8:] = radius * _sin(theta)
    if std == 1.0 and mean == 0.0:
        return out + 0.0
    return _fma64(out, std, mean)

