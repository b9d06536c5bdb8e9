"""Helpers the ``torch.nn.functional`` families share: the float types PyTorch's
kernels compute in, and the float-input check."""

from __future__ import annotations

from ... import dtypes as dt
from ...backend import xp
from ...tensor import Tensor
from ..common import not_implemented_for, require_tensor
from ..inplace import apply_inplace


def _f64(data):
    """float16/float32 values computed in float64 (the result is rounded once)."""
    return data.astype(xp.float64) if data.dtype.itemsize < 8 else data


def _work(data):
    """The values in the type PyTorch's kernels compute in (float32 for float16)."""
    return data.astype(xp.float32) if data.dtype == xp.float16 else data


def _rounded(fn, a):
    """``fn(a)`` correctly rounded to ``a``'s type, as PyTorch's vectorized math is
    (nearly always); the arithmetic around it stays in ``a``'s type."""
    return fn(a.astype(xp.float64)).astype(a.dtype) if a.dtype.itemsize < 8 else fn(a)


def _float_input(input, op: str) -> Tensor:
    require_tensor(input, op)
    if input._dtype.category != dt.FLOAT:
        raise not_implemented_for(f"{op}()", input._dtype)
    return input


def inplace_capable(fn, name: str):
    """The ``F.`` form of an activation: ``inplace=True`` writes into the input."""

    def functional(input, *args, inplace=False, **kwargs):
        if inplace:
            return apply_inplace(input, fn, args, kwargs)
        return fn(input, *args, **kwargs)

    functional.__name__ = name
    functional.__doc__ = fn.__doc__
    return functional
