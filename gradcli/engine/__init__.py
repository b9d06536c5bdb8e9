"""gradcli's tensor engine: tensors, dtypes, the op table and autograd. No I/O.

Importing the package binds every op of :data:`ops.TABLES` to :class:`Tensor`
(methods and operators) and collects the torch-level functions in
:data:`FUNCTIONS`. Front ends use the public functions here, never the
engine's private state.
"""

from __future__ import annotations

from . import autograd, dtypes, ops, printopts
from .namespace import ops as op_namespace
from .ops import registry
from .tensor import Device, Size, Tensor, set_printer

FUNCTIONS = registry.install(Tensor, ops.TABLES)


def reset_state(seed: int = 0) -> None:
    """Puts the engine's global state back to a fresh program's.

    Print options and the default dtype return to PyTorch's defaults, grad mode
    is on (no inference mode or saved-tensor hooks), and the random generator is
    seeded with ``seed``.
    """
    printopts.reset_printoptions()
    dtypes.reset()
    autograd.reset_state()
    op_namespace.manual_seed(seed)


def manual_seed(seed: int) -> None:
    """Seeds the default random generator, as ``torch.manual_seed(seed)`` does."""
    op_namespace.manual_seed(seed)


__all__ = [
    "FUNCTIONS",
    "Device",
    "Size",
    "Tensor",
    "autograd",
    "dtypes",
    "manual_seed",
    "ops",
    "reset_state",
    "set_printer",
]
