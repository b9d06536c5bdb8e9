"""Reductions: sums, means, products, extrema, statistics, norms, cumulative ops, sorting.

Every op follows PyTorch's signature, result dtype, errors and node names
(``x.sum()`` records SumBackward0, ``x.sum(0)`` SumBackward1, ``x.max(0)``
MaxBackward0 ...). Backward rules mirror ``derivatives.yaml`` and are written
with tensor ops, so gradients are differentiable again.

Float sums follow the order in which PyTorch's CPU kernels add (see
:func:`gradcli.engine.kernels.summation.float_sum`), so that results agree
with PyTorch's to the last bit, not just to the four printed decimals.

The family is split by what the ops do, one :class:`OpTable` per module;
:data:`TABLES` lists them in declaration order; :mod:`.counting` (bincount,
histograms, searchsorted, unique, isin) and :mod:`.numerical` (quantile, cov,
trapezoid, gradient, renorm) came with issue 14.
"""

from __future__ import annotations

import dataclasses
import functools

from . import counting, cumulative, extremes, logical, numerical, sorting, statistics, sums

TABLES = (sums.table, extremes.table, statistics.table, cumulative.table, logical.table,
          sorting.table, counting.table, numerical.table)


# ========================================================= NumPy's names
def _numpy_names(fn):
    """Accepts NumPy's ``axis=`` and ``keepdims=`` for ``dim=`` and ``keepdim=``, as torch does."""
    code = fn.__code__
    params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]

    def call(*args, **kwargs):
        if "axis" in kwargs and "dim" in params:
            if "dim" in kwargs:
                raise TypeError(f"{fn.__name__}() got both axis and dim; give only one")
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs and "keepdim" in params:
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return functools.update_wrapper(call, fn)


_AXIS_ALIASED = {"sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin",
                 "argmax", "argmin", "std", "var", "std_mean", "var_mean", "logsumexp",
                 "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "all", "any",
                 "count_nonzero",
                 "median", "nanmedian", "mode", "kthvalue", "sort", "argsort", "topk"}
for _table in TABLES:
    for _index, _opdef in enumerate(_table.ops):
        if _opdef.name in _AXIS_ALIASED:
            _table.ops[_index] = dataclasses.replace(_opdef, fn=_numpy_names(_opdef.fn))
