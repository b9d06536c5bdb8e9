"""How large a tensor may get, checked before anything is allocated.

A program asking for ``ones(10**6, 10**6)`` gets a clear error naming the limit
instead of an out-of-memory kill. The default keeps one tensor of float64 within
half of this machine's memory; ``GRADCLI_MAX_ELEMENTS`` sets another limit.
"""

from __future__ import annotations

import math
import os

_ENV = "GRADCLI_MAX_ELEMENTS"


def _machine_default() -> int:
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = 8 << 30
    return max(1 << 20, memory // 2 // 8)


def max_elements() -> int:
    """The most elements one tensor may hold."""
    value = os.environ.get(_ENV)
    if value and value.isdigit():
        return int(value)
    return _DEFAULT


def check_size(shape) -> None:
    """A RuntimeError naming the limit when a tensor of ``shape`` would exceed it."""
    count = math.prod(shape)
    limit = max_elements()
    if count > limit:
        why = "" if os.environ.get(_ENV) else " (about half of this machine's memory in float64)"
        raise RuntimeError(
            f"a tensor of shape {list(shape)} would hold {count:,} elements, more than "
            f"gradcli's limit of {limit:,}{why}; set the environment variable {_ENV} to "
            "raise it")


_DEFAULT = _machine_default()
