"""Python's ``math`` module as a program sees it: its pure functions and constants."""

from __future__ import annotations

import math

from .module import Module


def build():
    names = ("pi e tau inf nan sqrt exp log log2 log10 log1p expm1 sin cos tan asin acos atan "
             "atan2 sinh cosh tanh asinh acosh atanh floor ceil trunc fabs factorial comb perm "
             "gcd isclose isfinite isinf isnan pow hypot degrees radians copysign fsum prod "
             "erf erfc gamma lgamma fmod modf frexp ldexp dist isqrt lcm").split()
    return Module("math", {n: getattr(math, n) for n in names if hasattr(math, n)})
