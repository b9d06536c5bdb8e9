"""Random sampling: ``torch.Generator``, the samplers and the in-place random fills.

Every draw comes from :mod:`gradcli.engine.kernels.random`, which reproduces
PyTorch's CPU generator bit for bit, so a program seeded with
``torch.manual_seed(s)`` prints PyTorch's numbers. A program starts as if
``torch.manual_seed(0)`` had run (``engine.reset_state``).

The kernel raises ``ValueError``/``TypeError`` in its own words; here they
become PyTorch's classes (``RuntimeError``, or ``NotImplementedError`` for a
dtype a sampler has no kernel for).
"""

from __future__ import annotations

import numbers

from .. import autograd as ag
from .. import dtypes as dt
from ..backend import xp
from ..kernels import random as kernel
from ..namespace import ops
from ..node import Backward, SavedContext
from ..tensor import Device, Tensor, check_device
from . import inplace as ip
from .common import new, shape_arg
from .registry import OpTable

table = OpTable("random")


# =============================================================== generator
class Generator:
    """``torch.Generator``: PyTorch's CPU Mersenne Twister, seeded as PyTorch seeds it.

    Example:
        >>> Generator().manual_seed(3).initial_seed()
        3
    """

    _qualified = "torch._C.Generator"

    def __init__(self, device="cpu") -> None:
        check_device(device)
        self._kernel = kernel.Generator(kernel.DEFAULT_SEED)

    def manual_seed(self, seed) -> Generator:
        """Seeds the generator; returns it, as PyTorch does."""
        if isinstance(seed, Tensor):
            seed = seed.item()
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"manual_seed() expects an int seed, not a value of type "
                            f"{type(seed).__name__}")
        with _torch_errors():
            self._kernel.manual_seed(int(seed))
        return self

    def seed(self) -> int:
        """Seeds from the operating system's randomness; returns the seed used."""
        return self._kernel.seed()

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._kernel.initial_seed()

    def get_state(self) -> Tensor:
        """The whole state as a uint8 tensor of 5056 bytes (``torch.get_rng_state()``)."""
        state = xp.frombuffer(self._kernel.get_state(), dtype=xp.uint8).copy()
        return Tensor._make(state, dt.uint8)

    def set_state(self, new_state) -> Generator:
        """Restores a state taken with :meth:`get_state` (here or in PyTorch)."""
        if not isinstance(new_state, Tensor) or new_state._dtype is not dt.uint8:
            raise TypeError("set_state() expects a torch.ByteTensor (a uint8 tensor) as "
                            "returned by get_state()")
        with _torch_errors():
            self._kernel.set_state(new_state._data.reshape(-1).copy())
        return self

    @property
    def device(self) -> Device:
        return Device("cpu")

    def __repr__(self) -> str:
        return "<torch._C.Generator>"


class _torch_errors:
    """Turns the kernel's ValueError/TypeError into PyTorch's RuntimeError."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if kind in (ValueError, TypeError):
            raise RuntimeError(str(error)) from None
        return False


default_generator = Generator()
ops.provide("default_generator", default_generator)
ops.provide("Generator", Generator)


def _kernel_of(generator) -> kernel.Generator:
    if generator is None:
        return default_generator._kernel
    if not isinstance(generator, Generator):
        raise TypeError(f"generator= expects a torch.Generator, not a value of type "
                        f"{type(generator).__name__}")
    return generator._kernel


@table.op(method=False, out=False)
def manual_seed(seed) -> Generator:
    """Seeds the default generator; returns it."""
    return default_generator.manual_seed(seed)


@table.op(method=False, out=False)
def seed() -> int:
    """Seeds the default generator from the operating system; returns the seed."""
    return default_generator.seed()


@table.op(method=False, out=False)
def initial_seed() -> int:
    return default_generator.initial_seed()


@table.op(method=False, out=False)
def get_rng_state() -> Tensor:
    return default_generator.get_state()


@table.op(method=False, out=False)
def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


# ============================================================== factories
def _float_target(dtype, op: str) -> dt.DType:
    target = ops.as_dtype(dtype, op) if dtype is not None else dt.get_default_dtype()
    if target.category != dt.FLOAT:
        raise NotImplementedError(f"{op}() draws floating-point values; dtype {target!r} "
                                  "is not supported")
    return target


def _filled(size, dtype, requires_grad, device, draw, default=None) -> Tensor:
    """A new tensor of ``size`` whose values are ``draw(shape, np_dtype)``."""
    def fill(shape, np_dtype):
        with _torch_errors():
            return draw(shape, np_dtype)
    return ops.factory(size, dtype, requires_grad, device, fill, default)


@table.op(method=False)
def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, layout=None,
         pin_memory=False):
    """Uniform values in [0, 1).

    Example:
        >>> manual_seed(0); rand(3)
        tensor([0.4963, 0.7682, 0.0885])
    """
    gen = _kernel_of(generator)
    target = _float_target(dtype, "rand")
    return _filled(size, target, requires_grad, device, gen.rand)


@table.op(method=False)
def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, layout=None,
          pin_memory=False):
    """Standard normal values (PyTorch's Box-Muller on blocks of 16)."""
    gen = _kernel_of(generator)
    target = _float_target(dtype, "randn")
    return _filled(size, target, requires_grad, device, gen.randn)


def _check_int(value, name: str, op: str) -> int:
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value == int(value):
            return int(value)
        raise TypeError(f"{op}() expects an int for {name}, not a value of type "
                        f"{type(value).__name__}")
    return int(value)


@table.op(method=False)
def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False, layout=None, pin_memory=False):
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None:
        if high is None:
            raise TypeError("randint() needs a size, as in randint(low, high, (2, 3))")
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint() needs high, as in randint(low, high, (2, 3))")
    low, high = _check_int(low, "low", "randint"), _check_int(high, "high", "randint")
    if high <= low:
        raise RuntimeError(f"randint() needs low < high, but got low={low} and high={high}")
    if isinstance(size, numbers.Integral) or not isinstance(size, (tuple, list, Tensor)):
        raise TypeError("randint() expects size as a tuple of ints, as in (2, 3)")
    gen = _kernel_of(generator)
    return _filled(tuple(size), dtype, requires_grad, device,
                   lambda shape, np_dtype: gen.randint(low, high, shape, np_dtype), dt.int64)


@table.op(method=False)
def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """A random permutation of 0 .. n-1."""
    n = _check_int(n, "n", "randperm")
    if n < 0:
        raise RuntimeError(f"randperm() needs n >= 0, but got {n}")
    gen = _kernel_of(generator)
    return _filled((n,), dtype, requires_grad, device,
                   lambda shape, np_dtype: gen.randperm(n, np_dtype), dt.int64)


def _like(input, dtype, requires_grad, draw) -> Tensor:
    def fill(shape, np_dtype):
        with _torch_errors():
            return draw(shape, np_dtype)
    return ops.like_factory(input, dtype, requires_grad, fill)


@table.op(method=False)
def rand_like(input, *, generator=None, dtype=None, requires_grad=False, device=None,
              layout=None, memory_format=None):
    gen = _kernel_of(generator)
    _float_target(dtype or input._dtype, "rand_like")
    return _like(input, dtype, requires_grad, gen.rand)


@table.op(method=False)
def randn_like(input, *, generator=None, dtype=None, requires_grad=False, device=None,
               layout=None, memory_format=None):
    gen = _kernel_of(generator)
    _float_target(dtype or input._dtype, "randn_like")
    return _like(input, dtype, requires_grad, gen.randn)


@table.op(method=False)
def randint_like(input, low=0, high=None, *, generator=None, dtype=None, requires_grad=False,
                 device=None, layout=None, memory_format=None):
    """Integers in [low, high) with ``input``'s shape (and dtype unless given)."""
    if high is None:
        low, high = 0, low
    low, high = _check_int(low, "low", "randint_like"), _check_int(high, "high", "randint_like")
    if high <= low:
        raise RuntimeError(f"randint_like() needs low < high, but got low={low} and "
                           f"high={high}")
    gen = _kernel_of(generator)
    return _like(input, dtype, requires_grad,
                 lambda shape, np_dtype: gen.randint(low, high, shape, np_dtype))


# ================================================== samplers with gradients
# PyTorch records these samplers with a zero gradient for every input.
def _zero_backward(ctx, grad):
    return tuple(ops.zeros_like(grad) if needed else None for needed in ctx.needs)


normal_backward1 = Backward("NormalBackward1", _zero_backward)
normal_backward2 = Backward("NormalBackward2", _zero_backward)
normal_backward3 = Backward("NormalBackward3", _zero_backward)
bernoulli_backward0 = Backward("BernoulliBackward0", _zero_backward)
poisson_backward0 = Backward("PoissonBackward0", _zero_backward)


def _record_zero(rule: Backward, inputs: tuple, result: Tensor) -> Tensor:
    if ag.needs_grad(*inputs):
        needs = tuple(t._requires_grad for t in inputs)
        ag.record(rule, inputs, result, SavedContext(needs=needs))
    return result


def _float_array(t: Tensor, op: str, arg: str):
    if t._dtype.category != dt.FLOAT:
        raise NotImplementedError(f"{op}() needs a floating-point {arg}, not one of dtype "
                                  f"{t._dtype!r}")
    return t._data


@table.op(method=False, backward=(normal_backward1, normal_backward2, normal_backward3))
def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False, layout=None, pin_memory=False):
    """Normal samples: ``normal(mean, std)`` with tensors or numbers for each,
    or ``normal(float, float, size)``."""
    gen = _kernel_of(generator)
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        if size is None:
            raise TypeError("normal() with a number mean and std needs a size, as in "
                            "normal(0.0, 1.0, (2, 3))")
        target = _float_target(dtype, "normal")
        return _filled(size, target, requires_grad, device,
                       lambda shape, np_dtype: gen.normal(float(mean), float(std), shape,
                                                          np_dtype))
    m = _float_array(mean, "normal", "mean") if mean_t else float(mean)
    s = _float_array(std, "normal", "std") if std_t else float(std)
    if not std_t and s < 0:
        raise RuntimeError(f"normal() needs std >= 0, but got std={s}")
    target = mean._dtype if mean_t else std._dtype
    with _torch_errors():
        values = gen.normal(m, s, None, target.np)
    result = new(values, target)
    inputs = (mean,) if not std_t else (std,) if not mean_t else (mean, std)
    rule = normal_backward1 if not std_t else normal_backward2 if not mean_t else \
        normal_backward3
    return _record_zero(rule, inputs, result)


@table.op(backward=(bernoulli_backward0,))
def bernoulli(input, p=None, *, generator=None):
    """0/1 draws: with probabilities ``input`` (or ``p`` for every element)."""
    gen = _kernel_of(generator)
    if p is None:
        probs = _float_array(input, "bernoulli", "input")
        with _torch_errors():
            values = gen.bernoulli(probs)
        return _record_zero(bernoulli_backward0, (input,), new(values, input._dtype))
    with _torch_errors():
        values = gen.bernoulli(float(p), input._data.shape, input._dtype.np)
    return new(values, input._dtype)


@table.op(out=True)
def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn from the rows of ``input`` (non-negative weights)."""
    gen = _kernel_of(generator)
    num_samples = _check_int(num_samples, "num_samples", "multinomial")
    probs = input._data
    if input._dtype.category != dt.FLOAT:
        raise RuntimeError(f"multinomial() needs floating-point weights, not a tensor of "
                           f"dtype {input._dtype!r}")
    with _torch_errors():
        values = gen.multinomial(probs, num_samples, bool(replacement))
    return new(values, dt.int64)


@table.op(backward=(poisson_backward0,))
def poisson(input, generator=None):
    """Poisson counts with the rates in ``input``."""
    gen = _kernel_of(generator)
    rates = _float_array(input, "poisson", "input")
    with _torch_errors():
        values = gen.poisson(rates)
    return _record_zero(poisson_backward0, (input,), new(values, input._dtype))


# ================================================================ in place
# Each overwrites every value of ``self``; under autograd PyTorch records a
# node whose gradient is zero.
def _overwrite(target: Tensor, draw, rule: Backward, *others) -> Tensor:
    recorded = ip.records(target, *others)
    ip.check_inplace(target, recorded)
    with _torch_errors():
        values = draw(target._data.shape, target._dtype.np)
    result = new(values, target._dtype)
    if recorded:
        snap = ip.history_of(target, copy=False)
        inputs = (snap,) + others
        ag.record(rule, inputs, result,
                  SavedContext(needs=tuple(t._requires_grad for t in inputs)))
    return ip.commit(target, result)


def _float_self(self: Tensor, op: str) -> None:
    if self._dtype.category != dt.FLOAT:
        raise NotImplementedError(f"{op}() fills floating-point tensors; this one has dtype "
                                  f"{self._dtype!r}")


uniform_backward0 = Backward("UniformBackward0", _zero_backward)
normal_backward0 = Backward("NormalBackward0", _zero_backward)
random_backward = Backward("RandomBackward0", _zero_backward)
exponential_backward0 = Backward("ExponentialBackward0", _zero_backward)
bernoulli_backward1 = Backward("BernoulliBackward1", _zero_backward)
bernoulli_backward2 = Backward("BernoulliBackward2", _zero_backward)
cauchy_backward0 = Backward("CauchyBackward0", _zero_backward)
log_normal_backward0 = Backward("LogNormalBackward0", _zero_backward)
geometric_backward0 = Backward("GeometricBackward0", _zero_backward)


@table.op(function=False, name="uniform_", out=False, backward=(uniform_backward0,))
def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    """Fills with uniform values in [from, to)."""
    gen = _kernel_of(generator)
    _float_self(self, "uniform_")
    return _overwrite(self, lambda shape, np_dtype: gen.uniform(shape, float(from_), float(to),
                                                                 np_dtype), uniform_backward0)


@table.op(function=False, name="normal_", out=False, backward=(normal_backward0,))
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fills with normal values."""
    gen = _kernel_of(generator)
    _float_self(self, "normal_")
    return _overwrite(self, lambda shape, np_dtype: gen.normal(float(mean), float(std), shape,
                                                                np_dtype), normal_backward0)


@table.op(function=False, name="random_", out=False, backward=(random_backward,))
def random_(self, from_=None, to=None, *, generator=None):
    """``random_()``: integers in [0, 2**mantissa] (floats) or [0, max]; ``random_(to)``:
    [0, to); ``random_(from, to)``: [from, to)."""
    gen = _kernel_of(generator)
    if from_ is not None and to is None:
        low, high = None, _check_int(from_, "to", "random_")
    else:
        low = None if from_ is None else _check_int(from_, "from", "random_")
        high = None if to is None else _check_int(to, "to", "random_")
    return _overwrite(self, lambda shape, np_dtype: gen.random(shape, low, high, np_dtype),
                      random_backward)


@table.op(function=False, name="exponential_", out=False, backward=(exponential_backward0,))
def exponential_(self, lambd=1.0, *, generator=None):
    gen = _kernel_of(generator)
    _float_self(self, "exponential_")
    return _overwrite(self, lambda shape, np_dtype: gen.exponential(shape, float(lambd),
                                                                     np_dtype),
                      exponential_backward0)


@table.op(function=False, name="bernoulli_", out=False,
          backward=(bernoulli_backward1, bernoulli_backward2))
def bernoulli_(self, p=0.5, *, generator=None):
    """Fills with 0/1 draws: 1 with probability ``p`` (a number or a tensor)."""
    gen = _kernel_of(generator)
    if isinstance(p, Tensor):
        probs = _float_array(p, "bernoulli_", "p")
        return _overwrite(self, lambda shape, np_dtype: gen.bernoulli(probs, shape, np_dtype),
                          bernoulli_backward1, p)
    return _overwrite(self, lambda shape, np_dtype: gen.bernoulli(float(p), shape, np_dtype),
                      bernoulli_backward2)


@table.op(function=False, name="cauchy_", out=False, backward=(cauchy_backward0,))
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    gen = _kernel_of(generator)
    _float_self(self, "cauchy_")
    return _overwrite(self, lambda shape, np_dtype: gen.cauchy(shape, float(median),
                                                                float(sigma), np_dtype),
                      cauchy_backward0)


@table.op(function=False, name="log_normal_", out=False, backward=(log_normal_backward0,))
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    gen = _kernel_of(generator)
    _float_self(self, "log_normal_")
    return _overwrite(self, lambda shape, np_dtype: gen.log_normal(shape, float(mean),
                                                                    float(std), np_dtype),
                      log_normal_backward0)


@table.op(function=False, name="geometric_", out=False, backward=(geometric_backward0,))
def geometric_(self, p, *, generator=None):
    gen = _kernel_of(generator)
    return _overwrite(self, lambda shape, np_dtype: gen.geometric(shape, float(p), np_dtype),
                      geometric_backward0)


@table.internal
def dropout_mask(input: Tensor, p: float) -> Tensor:
    """The multiplier of ``F.dropout(input, p)`` in training: 0 or ``1 / (1 - p)``."""
    with _torch_errors():
        values = default_generator._kernel.dropout_mask(input._data.shape, float(p),
                                                        input._dtype.np)
    return new(values, input._dtype)


@table.internal
def uniform_values(shape, low: float, high: float, dtype: dt.DType) -> Tensor:
    """A new tensor of uniform values in [low, high) (``nn.init.uniform_``'s draws)."""
    values = default_generator._kernel.uniform(shape_arg((shape,)), float(low), float(high),
                                               dtype.np)
    return Tensor._make(values, dtype)
