"""The namespaces a program sees, built from the engine's op table.

``torch`` (with ``torch.nn``, ``torch.nn.functional``, ``torch.autograd``, ...),
``math`` and ``numpy``: :func:`build_modules` makes fresh module objects for
one program, :data:`BARE_NAMES` says which torch names a program sees bare.
The engine below knows nothing of these namespaces.
"""

from __future__ import annotations

from . import mathmod, numpy, torch
from .module import Module
from .torch_all import BARE_NAMES


def build_modules() -> dict[str, Module]:
    """Every importable module of a program by dotted name (``torch``, ``numpy``, ...)."""
    modules = torch.build()
    modules["math"] = mathmod.build()
    modules["numpy"] = numpy.build()
    return modules


__all__ = ["BARE_NAMES", "Module", "build_modules"]
