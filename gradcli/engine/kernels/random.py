"""PyTorch's CPU random number generator, bit for bit, in NumPy.

:class:`Generator` keeps the state PyTorch 2.13's ``CPUGeneratorImpl`` keeps:
an mt19937 Mersenne Twister (624 words, PyTorch's ``left``/``next``
counters), the seed it was made from and the two cached normal samples. Its
samplers consume the stream exactly as ATen's CPU kernels do and turn the
words into numbers with the same arithmetic, so a program seeded with
``torch.manual_seed(s)`` gets PyTorch's values.

How draws become numbers (all verified against PyTorch 2.13.0 on x86-64):

* ``random()`` is one tempered 32-bit word; ``random64()`` is two words, the
  first one in the high half.
* A float32 uniform is ``(random() & (2**24 - 1)) * 2**-24``; a float64
  uniform is ``(random64() & (2**53 - 1)) * 2**-53``. ``uniform_(a, b)``
  then computes ``fma(u, b - a, a)`` in that dtype and maps a result equal to
  ``b`` back to ``a``.
* Normal samples: tensors of 16 or more elements take uniforms for every
  element, then Box-Muller on blocks of 16 (``u1 = 1 - d[j]`` for the first
  eight, ``u2 = d[j + 8]`` for the last eight; cosines go to the first half,
  sines to the second). When the size is not a multiple of 16, 16 fresh
  uniforms replace the last 16 elements and that block is transformed again.
  float32 uses ATen's AVX2 kernel (``log256_ps``/``sincos256_ps`` from
  ``avx_mathfun.h``, compiled with fused multiply-adds; PyTorch dispatches its
  AVX2 kernel on AVX-512 machines too), float64 uses libm ``log``/``sincos``.
  Smaller tensors draw one double-precision pair per two samples and cache
  the sine for the next call (``next_double_normal_sample``), whatever the
  dtype.
* ``exponential_``, ``cauchy_``, ``log_normal_``, ``geometric_``, scalar
  ``bernoulli_`` (hence dropout), ``poisson`` and multinomial's sampling draw
  one ``random64()`` double per use and compute in double with libm; a
  probability array of float32/float16 compares against float32 uniforms.
* Integers in ``[low, high)`` are ``(v % range) + low`` with ``v = random64()``
  when ``range >= 2**28`` and ``v = random()`` otherwise (any dtype);
  ``randperm`` swaps with ``random() % (n - i)``.
* float16 results are computed in float32 (or come from double through
  float32, as ``c10::Half`` converts); its normal fill draws nothing for the
  leftover elements before the final block of 16.

Transcendental functions must be libm's (PyTorch calls glibc): a NumPy ufunc
is used only when it agrees with :mod:`math` (which calls libm) on a probe
set at import time, otherwise the values go through :mod:`math` one by one.
The one exception is ``lgamma`` in ``poisson``'s rejection test: CPython's
``math.lgamma`` is its own implementation, so a sample whose test lands
within an ulp of the bound could in principle differ.

Example:
    >>> g = Generator(0)
    >>> g.rand(3).tolist()
    [0.49625658988952637, 0.7682217955589294, 0.08847743272781372]
"""

from __future__ import annotations

import math
import os

import numpy as np

from .mt19937 import (
    _DIGITS,
    _FLOAT,
    _FLOAT_AT,
    _FLOATS,
    _HEAD,
    _N,
    _NORMAL,
    _NORMAL_AT,
    _U32,
    _U64,
    _WORDS_AT,
    _cast,
    _count,
    _doubles,
    _float_dtype,
    _floats,
    _int_max,
    _int_min,
    _seed_words,
    _shape,
    _temper,
    _twist,
    _u64,
    _update_from,
    _update_to,
)
from .normal import (
    _box_muller_f32,
    _box_muller_f64,
    _cos,
    _exp,
    _f32,
    _fma32,
    _fma64,
    _log,
    _log1p,
    _sin,
    _tan,
)
from .sampling import _sample_poisson, _topk_indices

__all__ = ["DEFAULT_SEED", "STATE_SIZE", "Generator"]

DEFAULT_SEED = 67280421310721
"""The seed of a fresh ``torch.Generator()`` (``c10::detail::default_rng_seed_val``)."""

STATE_SIZE = 5056
"""Bytes in ``torch.get_rng_state()`` for the CPU generator."""


class _DoubleStream:
    """Uniform doubles read one at a time, for samplers whose draws vary.

    Blocks are drawn ahead from the generator; :meth:`close` rewinds it and
    advances it by exactly the draws that were used.
    """

    def __init__(self, gen: Generator, block: int) -> None:
        self._gen = gen
        self._saved = gen._save()
        self._block = max(64, block)
        self._buf: list[float] = []
        self._pos = 0
        self.used = 0

    def __call__(self) -> float:
        if self._pos == len(self._buf):
            self._buf = _doubles(self._gen._words(2 * self._block)).tolist()
            self._pos = 0
        self._pos += 1
        self.used += 1
        return self._buf[self._pos - 1]

    def close(self) -> None:
        self._gen._restore(self._saved)
        self._gen._skip(2 * self.used)


# Above this many words a draw goes through NumPy's MT19937 (see _words_fast).
_FAST_WORDS = 4 * 624


# =================================================================== Generator
class Generator:
    """PyTorch's CPU generator: mt19937 state plus the cached normal samples.

    Every sampler returns a new NumPy array of the requested dtype and
    advances the state exactly as the PyTorch operation would.

    Args:
        seed: Passed to :meth:`manual_seed`; ``None`` seeds from ``os.urandom``.

    Example:
        >>> g = Generator(0)
        >>> g.randint(0, 10, (5,)).tolist()
        [4, 9, 3, 0, 3]
    """

    def __init__(self, seed: int | None = DEFAULT_SEED) -> None:
        self._y = np.empty(_N - 1, dtype=np.uint32)
        self._t = np.empty(_N - 1, dtype=np.uint32)
        if seed is None:
            self.seed()
        else:
            self.manual_seed(seed)

    # ----------------------------------------------------------------- seeding
    def manual_seed(self, seed: int) -> Generator:
        """Seeds the generator like ``torch.manual_seed``.

        The seed is kept as an unsigned 64-bit value (a negative seed wraps
        around, ``-1`` is ``2**64 - 1``); the Mersenne Twister is seeded with
        its low 32 bits. The cached normal samples are dropped.

        Args:
            seed: An integer in ``[-2**63, 2**64)``.

        Returns:
            The generator itself.

        Raises:
            ValueError: If ``seed`` is out of range.
        """
        seed = int(seed)
        if not -(1 << 63) <= seed <= _U64:
            raise ValueError("Overflow when unpacking long long")
        seed &= _U64
        self._seed = seed
        self._mt = _seed_words(seed)
        self._left = 1
        self._next = 0
        self._seeded = True
        self._double_normal: float | None = None
        self._float_normal: float | None = None
        return self

    def initial_seed(self) -> int:
        """The seed last given to :meth:`manual_seed` (or found in a set state)."""
        return self._seed

    def seed(self) -> int:
        """Seeds from ``os.urandom`` like ``torch.seed`` and returns the seed."""
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    # ------------------------------------------------------------------- state
    def get_state(self) -> bytes:
        """The state in the byte layout of ``torch.get_rng_state()`` (5056 bytes).

        Returns:
            The bytes of the legacy ``THGeneratorState`` struct followed by
            the float normal cache, all padding zero.
        """
        parts = [_HEAD.pack(self._seed, self._left, int(self._seeded), self._next),
                 self._mt.astype("<u8").tobytes()]
        valid = self._double_normal is not None
        parts.append(_NORMAL.pack(0.0, self._double_normal if valid else 0.0, 0.0, int(valid)))
        fvalid = self._float_normal is not None
        parts.append(_FLOAT.pack(self._float_normal if fvalid else 0.0, fvalid))
        return b"".join(parts)

    def set_state(self, state) -> None:
        """Restores a state taken by :meth:`get_state` or ``torch.get_rng_state()``.

        Args:
            state: 5056 bytes (``bytes``, ``bytearray`` or a uint8 array).

        Raises:
            ValueError: If the size is wrong or the mt19937 part is invalid.
        """
        if isinstance(state, (bytes, bytearray, memoryview)):
            data = bytes(state)
        else:
            data = np.ascontiguousarray(state, dtype=np.uint8).tobytes()
        if len(data) != STATE_SIZE:
            raise ValueError("Expected a CPUGeneratorImplState of size 5056 but found the "
                             f"input RNG state size to be {len(data)}")
        seed, left, seeded, nxt = _HEAD.unpack_from(data, 0)
        nxt &= _U32
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise ValueError("Invalid mt19937 state")
        words = np.frombuffer(data, dtype="<u8", count=_N, offset=_WORDS_AT)
        _, normal_y, _, normal_valid = _NORMAL.unpack_from(data, _NORMAL_AT)
        float_value, float_valid = _FLOAT.unpack_from(data, _FLOAT_AT)
        self._seed = seed
        self._left = left
        self._next = nxt
        self._seeded = True
        self._mt = (words & _U32).astype(np.uint32)
        self._double_normal = normal_y if normal_valid else None
        self._float_normal = float(float_value) if float_valid else None

    def _save(self) -> tuple:
        return self._mt.copy(), self._left, self._next

    def _restore(self, saved: tuple) -> None:
        mt, self._left, self._next = saved
        self._mt = mt.copy()

    # ------------------------------------------------------------- raw words
    def _words(self, n: int, temper: bool = True) -> np.ndarray:
        """The next ``n`` outputs of ``random()`` as uint32."""
        if n > _FAST_WORDS:
            return self._words_fast(n)
        out = np.empty(n, dtype=np.uint32)
        mt, nxt, left = self._mt, self._next, self._left
        take = min(n, max(0, min(left - 1, _N - nxt)))
        if take:
            out[:take] = mt[nxt:nxt + take]
            nxt += take
            left -= take
        pos = take
        while pos < n:
            k = min(_N, n - pos)
            if k == _N:
                dst = out[pos:pos + _N]
                _twist(mt, dst, self._y, self._t)
            else:
                dst = np.empty(_N, dtype=np.uint32)
                _twist(mt, dst, self._y, self._t)
                out[pos:pos + k] = dst[:k]
            mt = dst
            nxt, left = k, _N + 1 - k
            pos += k
        if mt is not self._mt:
            self._mt = mt.copy()
        self._next, self._left = nxt, left
        if temper:
            _temper(out)
        return out

    def _words_fast(self, n: int) -> np.ndarray:
        """Many words at once from NumPy's own MT19937 (C speed), loaded with this state.

        NumPy's MT19937 is the reference mt19937 (the same twist and tempering as
        PyTorch's): its ``key`` is the 624-word state and ``pos`` the next index,
        so the stream continues exactly; the state is read back afterwards.
        """
        remaining = max(0, min(self._left - 1, _N - self._next))
        bits = np.random.MT19937()
        bits.state = {"bit_generator": "MT19937",
                      "state": {"key": self._mt.copy(), "pos": _N - remaining}}
        out = bits.random_raw(n).astype(np.uint32)
        state = bits.state["state"]
        self._mt = np.asarray(state["key"], dtype=np.uint32)
        self._next = int(state["pos"])
        self._left = _N + 1 - self._next
        return out

    def _skip(self, n: int) -> None:
        """Advances the stream by ``n`` words."""
        self._words(n, temper=False)

    def random_u32(self, n: int) -> np.ndarray:
        """The next ``n`` values of ``CPUGeneratorImpl::random()`` (uint32)."""
        return self._words(int(n))

    def random_u64(self, n: int) -> np.ndarray:
        """The next ``n`` values of ``CPUGeneratorImpl::random64()`` (uint64)."""
        return _u64(self._words(2 * int(n)))

    def _uniform_doubles(self, n: int) -> np.ndarray:
        return _doubles(self._words(2 * n))

    # ----------------------------------------------------------------- uniform
    def rand(self, shape, dtype=np.float32) -> np.ndarray:
        """``torch.rand``: uniform values in [0, 1).

        float32 (and float16) use one 32-bit word per value, float64 two.

        Args:
            shape: The output shape (an int or a tuple).
            dtype: float16, float32 or float64.

        Returns:
            An array of ``shape`` and ``dtype``.
        """
        return self.uniform(shape, 0.0, 1.0, dtype)

    def uniform(self, shape, low: float = 0.0, high: float = 1.0, dtype=np.float32) -> np.ndarray:
        """``Tensor.uniform_(low, high)``: ``fma(u, high - low, low)`` per value.

        ``low`` and ``high`` are first rounded to the compute type (float32
        for float16/float32, float64 for float64); a value equal to ``high``
        (after rounding to ``dtype``) becomes ``low``.

        Args:
            shape: The output shape.
            low: Lower bound (inclusive).
            high: Upper bound.
            dtype: float16, float32 or float64.

        Returns:
            An array of ``shape`` and ``dtype``.

        Raises:
            ValueError: If ``low > high``.
        """
        dtype = _float_dtype(dtype)
        shape = _shape(shape)
        n = _count(shape)
        if low > high:
            raise ValueError(f"uniform_ expects to return a [from, to) range, but found "
                             f"from={low} > to={high}")
        if dtype == np.float64:
            u = self._uniform_doubles(n)
            lo, hi = float(low), float(high)
            if (lo, hi) == (0.0, 1.0):  # u * 1 + 0 is u, and never 1
                return u.reshape(shape)
            out = _fma64(u, hi - lo, lo)
            out[out == hi] = lo
        else:
            u = _floats(self._words(n))
            lo, hi = _f32(low), _f32(high)
            if (lo, hi) == (0, 1) and dtype == np.float32:
                return u.reshape(shape)
            out = u if (lo, hi) == (0, 1) else _fma32(u, hi - lo, lo)
            out = out.astype(dtype, copy=False)  # float16 may round up to ``high``
            out[out == dtype.type(high)] = dtype.type(low)
        return out.reshape(shape)

    # ------------------------------------------------------------------ normal
    def randn(self, shape, dtype=np.float32) -> np.ndarray:
        """``torch.randn``: standard normal values (``normal_(0, 1)``).

        Args:
            shape: The output shape.
            dtype: float16, float32 or float64.

        Returns:
            An array of ``shape`` and ``dtype``.
        """
        return self._normal_fill(_shape(shape), 0.0, 1.0, _float_dtype(dtype))

    def _normal_pairs(self, n: int, mean: float, std: float) -> np.ndarray:
        """``n`` draws of ``at::normal_distribution<double>(mean, std)``.

        Each fresh draw takes two doubles ``u1, u2``, returns
        ``fma(r cos(2 pi u1), std, mean)`` with ``r = sqrt(-2 log1p(-u2))``
        and caches ``r sin(2 pi u1)`` for the next draw.
        """
        out = np.empty(n, dtype=np.float64)
        start = 0
        if n and self._double_normal is not None:
            out[0] = self._double_normal
            self._double_normal = None
            start = 1
        pairs = (n - start + 1) // 2
        if pairs:
            u = self._uniform_doubles(2 * pairs)
            radius = np.sqrt(_log1p(-u[1::2]) * -2.0)
            theta = (2.0 * math.pi) * u[0::2]
            both = np.empty(2 * pairs, dtype=np.float64)
            both[0::2] = radius * _cos(theta)
            both[1::2] = radius * _sin(theta)
            out[start:] = both[:n - start]
            if (n - start) % 2:
                self._double_normal = float(both[-1])
        if std == 1.0 and mean == 0.0:
            return out + 0.0
        return _fma64(out, std, mean)

    def _normal_fill(self, shape: tuple[int, ...], mean: float, std: float,
                     dtype: np.dtype) -> np.ndarray:
        """``Tensor.normal_(mean, std)`` on a new contiguous tensor."""
        if std < 0:
            raise ValueError(f"normal expects std >= 0.0, but found std {std}")
        n = _count(shape)
        if n < 16:
            return _cast(self._normal_pairs(n, mean, std), dtype).reshape(shape)
        full = n - n % 16
        tail = 16 if n % 16 else 0
        # float16 fills a 16-float buffer per block: the leftover elements
        # draw nothing before the tail block; float32/float64 draw every element.
        drawn = full + tail if dtype == np.float16 else n + tail
        if dtype == np.float64:
            d = _doubles(self._words(2 * drawn))
            transform = _box_muller_f64
        else:
            d = _floats(self._words(drawn))
            transform = _box_muller_f32
        out = np.empty(n, dtype=d.dtype)
        out[:full] = transform(d[:full].reshape(-1, 16), mean, std).ravel()
        if tail:
            out[n - 16:] = transform(d[drawn - 16:].reshape(1, 16), mean, std).ravel()
        return _cast(out, dtype).reshape(shape)

    def normal(self, mean=0.0, std=1.0, shape=None, dtype=None) -> np.ndarray:
        """``torch.normal`` in its four forms.

        * ``normal(float, float, shape)``: ``normal_(mean, std)`` on a new
          tensor of ``shape`` (default dtype float32).
        * ``normal(array, float)``: ``normal_(0, std)`` on the mean's shape,
          then ``+= mean``.
        * ``normal(float, array)``: ``normal_(0, 1)`` on the std's shape, then
          ``*= std`` and ``+= mean`` (mean rounded to the dtype).
        * ``normal(array, array)``: ``normal_(0, 1)`` on the broadcast shape,
          then ``*= std`` and ``+= mean``.

        Each array step rounds to the output dtype (the first array's dtype
        unless ``dtype`` is given).

        Args:
            mean: A float or an array of means.
            std: A float or an array of standard deviations (>= 0).
            shape: The output shape when both are floats.
            dtype: The output dtype.

        Returns:
            The samples.

        Raises:
            ValueError: If a std is negative or ``shape`` is missing.
        """
        mean_arr = isinstance(mean, np.ndarray)
        std_arr = isinstance(std, np.ndarray)
        if not mean_arr and not std_arr:
            if shape is None:
                raise ValueError("normal(float, float) needs a shape")
            dtype = _float_dtype(np.float32 if dtype is None else dtype)
            return self._normal_fill(_shape(shape), float(mean), float(std), dtype)
        if dtype is None:
            dtype = mean.dtype if mean_arr else std.dtype
        dtype = _float_dtype(dtype)
        if std_arr and (std < 0).any():
            raise ValueError("normal expects all elements of std >= 0.0")
        if mean_arr and not std_arr:
            out = self._normal_fill(mean.shape, 0.0, float(std), dtype)
            return (out + mean.astype(dtype)).astype(dtype)
        target = std.shape if not mean_arr else np.broadcast_shapes(mean.shape, std.shape)
        out = self._normal_fill(target, 0.0, 1.0, dtype)
        out = (out * std.astype(dtype)).astype(dtype)
        mean_v = mean.astype(dtype) if mean_arr else dtype.type(mean)
        return (out + mean_v).astype(dtype)

    def log_normal(self, shape, mean: float = 1.0, std: float = 2.0, dtype=np.float32) -> np.ndarray:
        """``Tensor.log_normal_(mean, std)``: ``exp`` of normal draws in double.

        Uses (and refills) the cached double normal sample like small
        ``randn`` calls do, whatever the size.

        Args:
            shape: The output shape.
            mean: Mean of the underlying normal.
            std: Its standard deviation (> 0).
            dtype: float16, float32 or float64.

        Returns:
            An array of ``shape`` and ``dtype``.
        """
        dtype = _float_dtype(dtype)
        if std <= 0:
            raise ValueError(f"log_normal_ expects std > 0.0, but found std={std}")
        shape = _shape(shape)
        return _cast(_exp(self._normal_pairs(_count(shape), float(mean), float(std))),
                     dtype).reshape(shape)

    # ----------------------------------------------------- continuous (double)
    def exponential(self, shape, lambd: float = 1.0, dtype=np.float32) -> np.ndarray:
        """``Tensor.exponential_(lambd)``: ``(-1 / lambd) * log1p(-u)`` in double.

        Args:
            shape: The output shape.
            lambd: The rate (> 0).
            dtype: float16, float32 or float64.

        Returns:
            An array of ``shape`` and ``dtype``.
        """
        dtype = _float_dtype(dtype)
        if not lambd > 0:
            raise ValueError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        shape = _shape(shape)
        u = self._uniform_doubles(_count(shape))
        return _cast((-1.0 / float(lambd)) * _log1p(-u), dtype).reshape(shape)

    def cauchy(self, shape, median: float = 0.0, sigma: float = 1.0,
               dtype=np.float32) -> np.ndarray:
        """``Tensor.cauchy_(median, sigma)``: ``fma(tan(pi (u - 0.5)), sigma, median)``.

        Args:
            shape: The output shape.
            median: Location.
            sigma: Scale (> 0).
            dtype: float16, float32 or float64.

        Returns:
            An array of ``shape`` and ``dtype``.
        """
        dtype = _float_dtype(dtype)
        if not sigma > 0:
            raise ValueError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
        shape = _shape(shape)
        u = self._uniform_doubles(_count(shape))
        t = _tan(math.pi * (u - 0.5))
        median, sigma = float(median), float(sigma)
        values = t + median if sigma == 1.0 else _fma64(t, sigma, median)
        return _cast(values, dtype).reshape(shape)

    def geometric(self, shape, p: float, dtype=np.float32) -> np.ndarray:
        """``Tensor.geometric_(p)``: ``ceil(log(u) / log1p(-p))`` in double.

        Args:
            shape: The output shape.
            p: Success probability, ``0 < p < 1``.
            dtype: Any float or integer dtype.

        Returns:
            An array of ``shape`` and ``dtype``.
        """
        dtype = np.dtype(dtype)
        if not 0 < p < 1:
            raise ValueError(f"geometric_ expects p to be in (0, 1), but got p={p}")
        shape = _shape(shape)
        u = self._uniform_doubles(_count(shape))
        zero = u == 0
        logs = _log(np.where(zero, 1.0, u))
        logs[zero] = -math.inf
        values = np.ceil(logs / _log1p(np.array([-float(p)]))[0])
        return _cast(values, dtype).reshape(shape)

    # ---------------------------------------------------------------- bernoulli
    def bernoulli(self, p, shape=None, dtype=None) -> np.ndarray:
        """Bernoulli draws: 1 where a uniform is below the probability.

        * Scalar ``p`` (``Tensor.bernoulli_(p)``, ``torch.bernoulli(x, p)``):
          one float64 uniform per value (two words); ``shape`` is required,
          dtype defaults to float32.
        * Array ``p`` (``torch.bernoulli(p)``, ``Tensor.bernoulli_(p_tensor)``):
          float64 probabilities use a float64 uniform each, float32/float16
          ones a float32 uniform (one word); output shape is ``p``'s (or
          ``shape``, to which ``p`` broadcasts), dtype defaults to ``p``'s.

        Args:
            p: Probability (float) or array of probabilities in [0, 1].
            shape: Output shape (required for a scalar ``p``).
            dtype: Output dtype (any float, integer or bool dtype).

        Returns:
            An array of 0/1 values.
        """
        if isinstance(p, np.ndarray):
            dtype = np.dtype(p.dtype if dtype is None else dtype)
            shape = p.shape if shape is None else _shape(shape)
            probs = np.broadcast_to(p, shape)
            if ((probs < 0) | (probs > 1)).any():
                raise ValueError("bernoulli_ expects all elements of p to be in [0, 1]")
            n = _count(shape)
            if p.dtype == np.float64:
                u = self._uniform_doubles(n).reshape(shape)
                hit = u < probs
            else:
                u = _floats(self._words(n)).reshape(shape)
                hit = u < probs.astype(np.float32)
            return _cast(hit.astype(np.int64), dtype)
        p = float(p)
        if not 0 <= p <= 1:
            raise ValueError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        if shape is None:
            raise ValueError("bernoulli with a scalar p needs a shape")
        shape = _shape(shape)
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        u = self._uniform_doubles(_count(shape))
        return _cast((u < p).astype(np.int64), dtype).reshape(shape)

    def dropout_mask(self, shape, p: float, dtype=np.float32) -> np.ndarray:
        """The multiplier ``torch.nn.functional.dropout(x, p, training=True)`` uses.

        ATen draws ``noise = empty_like(x).bernoulli_(1 - p)`` and returns
        ``x * noise.div_(1 - p)``; this returns that ``noise`` (0 or
        ``1 / (1 - p)`` computed in ``dtype``), so ``x * mask`` is dropout's
        result. ``p == 0`` and ``p == 1`` draw nothing (ones, zeros).

        Args:
            shape: The input's shape.
            p: Drop probability in [0, 1].
            dtype: The input's float dtype.

        Returns:
            An array of ``shape`` and ``dtype``.
        """
        dtype = _float_dtype(dtype)
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        shape = _shape(shape)
        if p == 0:
            return np.ones(shape, dtype=dtype)
        if p == 1:
            return np.zeros(shape, dtype=dtype)
        noise = self.bernoulli(1.0 - p, shape, dtype)
        # float16 divides in float32 by the unrounded scalar (ATen's opmath).
        compute = np.dtype(np.float32) if dtype == np.float16 else dtype
        return (noise.astype(compute) / compute.type(1.0 - p)).astype(dtype)

    # ----------------------------------------------------------------- integers
    def _from_to(self, n: int, rng: int, base: int, dtype: np.dtype) -> np.ndarray:
        """``(val % range) + base``: ``random64()`` when ``range >= 2**28``, else ``random()``."""
        if rng >= 1 << 28:
            vals = _u64(self._words(2 * n)) % np.uint64(rng)
        else:
            vals = self._words(n).astype(np.uint64) % np.uint64(rng)
        vals += np.uint64(base & _U64)
        return _cast(vals.view(np.int64), dtype)

    def randint(self, low: int, high: int, shape, dtype=np.int64) -> np.ndarray:
        """``torch.randint(low, high, shape)``: ``random_(low, high)``.

        Ranges below 2**32 use one word per value, wider ones two.

        Args:
            low: Lowest value (inclusive).
            high: One above the highest value.
            shape: The output shape.
            dtype: Output dtype (integer, bool or float).

        Returns:
            An array of ``shape`` and ``dtype``.
        """
        return self.random(shape, int(low), int(high), dtype)

    def random(self, shape, low: int | None = None, high: int | None = None,
               dtype=np.int64) -> np.ndarray:
        """``Tensor.random_()``, ``random_(to)`` and ``random_(from, to)``.

        * ``random(shape)``: ``[0, 2**mantissa]`` for floats (``random() %
          (2**24 + 1)`` for float32, ``random64() % (2**53 + 1)`` for float64,
          ``random() % (2**11 + 1)`` for float16), ``[0, max]`` for integer
          types (``random64()`` for int64), ``random() & 1`` for bool.
        * ``random(shape, low, high)``: ``[low, high)`` (``low`` defaults to 0).
        * ``random(shape, low)``: ``[low, max]`` of the dtype; ``low = -2**63``
          with int64/float32/float64 is the full 64-bit range.

        Args:
            shape: The output shape.
            low: Lower bound or ``None``.
            high: Upper bound (exclusive) or ``None``.
            dtype: Output dtype.

        Returns:
            An array of ``shape`` and ``dtype``.

        Raises:
            ValueError: For an empty or out-of-range interval.
        """
        dtype = np.dtype(dtype)
        shape = _shape(shape)
        n = _count(shape)
        if low is None and high is None:
            if dtype == np.bool_:
                return (self._words(n) & np.uint32(1)).astype(np.bool_).reshape(shape)
            if dtype.kind == "f":
                rng = (1 << _DIGITS[dtype]) + 1
                wide = dtype == np.float64
            else:
                rng = _int_max(dtype) + 1
                wide = dtype == np.int64
            vals = _u64(self._words(2 * n)) if wide else self._words(n).astype(np.uint64)
            return _cast((vals % np.uint64(rng)).view(np.int64), dtype).reshape(shape)
        low = 0 if low is None else int(low)
        if high is not None:
            high = int(high)
            if not low < high:
                raise ValueError(f"random_ expects 'from' to be less than 'to', but got "
                                 f"from={low} >= to={high}")
            if dtype.kind == "f":
                low, high = _update_from(low, dtype), _update_to(high, dtype)
                if not low < high:
                    raise ValueError("random_ expects 'from' casted to dtype to be less than "
                                     f"'to' casted to dtype, but got from={low} >= to={high}")
            self._check_range(low, high - 1, dtype)
            rng = (high - low) & _U64
        elif low == -(1 << 63) and (dtype == np.int64 or dtype in _FLOATS[1:]):
            vals = _u64(self._words(2 * n)).view(np.int64)
            return _cast(vals, dtype).reshape(shape)
        else:
            to_inc = _int_max(dtype)
            if dtype.kind == "f":
                low = _update_from(low, dtype)
                if not low < to_inc:
                    raise ValueError("random_ expects 'from' casted to dtype to be less than or "
                                     f"equal to 'to_inc' casted to dtype, but got from={low} > "
                                     f"to_inc={to_inc}")
            self._check_range(low, to_inc, dtype)
            rng = (to_inc - low + 1) & _U64
        return self._from_to(n, rng, low, dtype).reshape(shape)

    @staticmethod
    def _check_range(low: int, high_inc: int, dtype: np.dtype) -> None:
        if dtype.kind == "f":
            return  # PyTorch only warns about bounds beyond the exact integers
        lo, hi = _int_min(dtype), _int_max(dtype)
        if not lo <= low <= hi:
            raise ValueError(f"from is out of bounds for {dtype}")
        if not lo <= high_inc <= hi:
            raise ValueError(f"to - 1 is out of bounds for {dtype}")

    def randperm(self, n: int, dtype=np.int64) -> np.ndarray:
        """``torch.randperm(n)``: ATen's CPU shuffle.

        For ``n < (2**32 - 1) // 20``: start from ``arange(n)`` and for
        ``i = 0 .. n - 2`` swap element ``i`` with element
        ``i + random() % (n - i)``. Larger ``n`` use the inside-out
        Fisher-Yates with ``random64() % (i + 1)``.

        Args:
            n: The number of elements (>= 0).
            dtype: Output dtype.

        Returns:
            A permutation of ``0 .. n - 1``.
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}")
        if n < _U32 // 20:
            steps = (self._words(n - 1).astype(np.int64) % np.arange(n, 1, -1)).tolist() \
                if n > 1 else []
            perm = list(range(n))
            for i, z in enumerate(steps):
                j = i + z
                perm[i], perm[j] = perm[j], perm[i]
        else:
            draws = _u64(self._words(2 * n))
            picks = (draws % np.arange(1, n + 1, dtype=np.uint64)).tolist()
            perm = [0] * n
            for i, z in enumerate(picks):
                perm[i] = perm[z]
                perm[z] = i
        return _cast(np.array(perm, dtype=np.int64), np.dtype(dtype))

    # ------------------------------------------------------------- multinomial
    def multinomial(self, probs: np.ndarray, num_samples: int,
                    replacement: bool = False) -> np.ndarray:
        """``torch.multinomial(probs, num_samples, replacement)`` (1-D or 2-D).

        Without replacement, or for one sample: ``q = exponential_(1)`` on an
        array like ``probs`` (one double each, in ``probs``'s dtype), then the
        ``num_samples`` largest ``probs / q`` per row (``argmax`` for one
        sample, else ATen's ``topk``, whose order among ties, which need zero
        probabilities, follows libstdc++'s selection algorithms).
        With replacement: per row, the cumulative sum in ``probs``'s dtype
        (float32 for float16) divided by the total (last entry forced to 1),
        then for each sample
        one double ``u`` and the first category whose cumulative value is
        ``>= u``.

        Args:
            probs: Non-negative weights, 1-D or 2-D (rows are distributions).
            num_samples: Samples per row.
            replacement: Whether to draw with replacement.

        Returns:
            int64 indices of shape ``(num_samples,)`` or ``(rows, num_samples)``.
        """
        probs = np.asarray(probs)
        if probs.ndim not in (1, 2):
            raise ValueError("prob_dist must be 1 or 2 dim")
        if probs.dtype.kind != "f":
            raise TypeError("multinomial only supports floating-point dtypes for input")
        num_samples = int(num_samples)
        if num_samples <= 0:
            raise ValueError("cannot sample n_sample <= 0 samples")
        n_cat = probs.shape[-1]
        if n_cat > 1 << 24:
            raise ValueError("number of categories cannot exceed 2^24")
        if not replacement and num_samples > n_cat:
            raise ValueError("cannot sample n_sample > prob_dist.size(-1) samples without "
                             "replacement")
        rows = probs.reshape(-1, n_cat)
        with np.errstate(invalid="ignore"):
            bad = not (np.all(rows >= 0) and np.all(np.isfinite(rows)))
        if bad:
            raise ValueError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise ValueError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement or num_samples == 1:
            q = self.exponential(rows.shape, 1.0, rows.dtype)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                keys = (rows / q).astype(rows.dtype)
            if num_samples == 1:
                result = np.argmax(keys, axis=1)[:, None]
            else:
                result = np.array([_topk_indices(row, num_samples) for row in keys])
        else:
            result = np.empty((rows.shape[0], num_samples), dtype=np.int64)
            acc = np.float32 if rows.dtype == np.float16 else rows.dtype  # ATen's opmath
            for r, row in enumerate(rows):
                cum = np.cumsum(row, dtype=acc)
                cum = (cum / cum[-1]).astype(acc)
                cum[-1] = 1
                u = self._uniform_doubles(num_samples)
                result[r] = np.searchsorted(cum.astype(np.float64), u, side="left")
        result = result.astype(np.int64)
        return result.reshape(num_samples) if probs.ndim == 1 else result

    # ------------------------------------------------------------------ poisson
    def poisson(self, rates: np.ndarray) -> np.ndarray:
        """``torch.poisson(rates)``: ATen's ``sample_poisson`` per element.

        Rates below 10 multiply uniforms until the product drops to
        ``exp(-rate)``; larger rates use Hörmann's transformed rejection
        (PTRS), two doubles per attempt.

        Args:
            rates: Non-negative rates (float array).

        Returns:
            Counts as an array of ``rates``'s shape and dtype.
        """
        rates = np.asarray(rates)
        dtype = _float_dtype(rates.dtype)
        flat = rates.astype(np.float64).ravel()
        if (flat < 0).any() or np.isnan(flat).any():
            raise ValueError("invalid Poisson rate, expected rate to be non-negative")
        stream = _DoubleStream(self, 4 * flat.size + 16)
        out = [float(_sample_poisson(lam, stream)) for lam in flat.tolist()]
        stream.close()
        return np.array(out, dtype=np.float64).astype(dtype).reshape(rates.shape)


