"""Runs a program: wires the engine, the renderers and the language together.

Front ends (the CLI, ``gradcli check``, the pytest plugin) call
:func:`run_program`; it is the one place that joins the layers.
"""

from __future__ import annotations

from .engine import Tensor, dtypes, printopts
from .engine import tensor as tensor_module


def _tensor_text(t: Tensor) -> str:
    from .render.tensor_repr import tensor_repr
    grad_fn = t._grad_fn
    return tensor_repr(t._data, t._dtype.name,
                       default_dtype=dtypes.get_default_dtype().name,
                       requires_grad=t._requires_grad,
                       grad_fn=None if grad_fn is None else grad_fn.name(),
                       is_parameter=getattr(t, "_is_parameter", False))


def prepare_engine(seed: int = 0) -> None:
    """Resets the engine's global state for a new program and installs the printer."""
    from .engine import autograd
    from .engine.ops import creation
    tensor_module.set_printer(_tensor_text)
    printopts.reset_printoptions()
    dtypes.reset()
    autograd._set_enabled(True)
    creation.manual_seed(seed)
