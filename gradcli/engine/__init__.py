"""gradcli's tensor engine: tensors, dtypes, the op table and autograd. No I/O.

Importing the package installs every op of :data:`ops.TABLES` as a method or
operator of :class:`Tensor` and collects the torch-level functions in
:data:`FUNCTIONS`.
"""

from __future__ import annotations

from . import autograd, dtypes, ops
from .ops import registry
from .tensor import Device, Size, Tensor

FUNCTIONS = registry.install(Tensor, ops.TABLES)

__all__ = ["FUNCTIONS", "Device", "Size", "Tensor", "autograd", "dtypes", "ops"]
