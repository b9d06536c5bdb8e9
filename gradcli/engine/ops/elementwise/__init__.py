"""Elementwise ops: arithmetic, comparisons, logic and the math functions.

Binary ops follow PyTorch's type promotion (``dtypes.result_type``) and
broadcasting; each records its PyTorch node with a backward rule written in
tensor ops, so gradients are themselves differentiable (``create_graph``).
Rules mirror PyTorch's ``derivatives.yaml``: where PyTorch's formula multiplies
by a C++ number the graph shows the Scalar overload (``MulBackward1``,
``AddBackward1``...), produced by :func:`~.arithmetic.mul_scalar` and friends;
where it calls a backward kernel (``tanh_backward``) the gradient is one node
named after it (``TanhBackwardBackward0``), made by
:func:`~gradcli.engine.ops.common.backward_kernel`.

Precision: PyTorch computes float32 transcendentals with vectorized kernels
that are almost always correctly rounded; NumPy's float32 versions are not, so
float16/float32 math runs in float64 and is rounded once (and a few float64
functions run in long double). The choice per function was measured against
PyTorch on ~60,000 values each.

One module per family, each with its own table; :data:`TABLES` lists them in
declaration order:

* :mod:`.arithmetic`: add, sub, mul, div and their Scalar overloads, floor
  division, remainder, fmod, neg;
* :mod:`.powers`: pow, square, float_power;
* :mod:`.logic`: comparisons, isclose, logical and bitwise ops;
* :mod:`.extrema`: maximum, minimum, clamp, where;
* :mod:`.binary_math`: lerp, atan2, hypot, copysign;
* :mod:`.unary`: the unary math functions;
* :mod:`.misc`: logit, round, isnan and the other tests on values, nan_to_num;
* :mod:`.special_binary`: zeta, gammainc, gammaincc;
* :mod:`.pointwise`: addcmul, addcdiv, ldexp, frexp, heaviside, gcd, lcm;
* :mod:`.special`: the special functions (gamma family, erfinv, xlogy, Bessel, normal
  distribution) of ``torch`` and ``torch.special``.
"""

from __future__ import annotations

from . import (
    arithmetic,
    binary_math,
    extrema,
    logic,
    misc,
    pointwise,
    powers,
    special,
    special_binary,
    unary,
)

TABLES = (arithmetic.table, powers.table, logic.table, extrema.table, binary_math.table,
          unary.table, misc.table, special.table, pointwise.table, special_binary.table)
