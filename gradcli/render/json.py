"""Values, gradients and graphs as JSON-ready data (``--format json``).

Floating-point values are written as JSON numbers that read back to the same
value (a float32 element becomes the float64 that holds it exactly); NaN and
the infinities, which JSON has no numbers for, are written as the strings
``"nan"``, ``"inf"`` and ``"-inf"``. ``docs/gradcli-output.schema.json``
describes every document.
"""

from __future__ import annotations

import json
import math

from ..engine import Size, Tensor
from ..errors import ProgramError
from .tree import node_name


def number(x):
    """A JSON-ready number: NaN and infinities as strings.

    Example:
        >>> [number(1.5), number(float("nan")), number(float("-inf"))]
        [1.5, 'nan', '-inf']
    """
    if isinstance(x, bool):
        return x
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    if isinstance(x, complex):
        return {"real": number(x.real), "imag": number(x.imag)}
    return x


def _nested(values):
    if isinstance(values, list):
        return [_nested(v) for v in values]
    return number(values)


def tensor_data(t: Tensor) -> dict:
    """A tensor as ``{"value", "dtype", "shape", "device", "requires_grad", "grad_fn"}``."""
    grad_fn = t.grad_fn
    return {
        "value": _nested(t.detach()._data.tolist()),
        "dtype": t.dtype.name,
        "shape": list(t.shape),
        "device": "cpu",
        "requires_grad": bool(t.requires_grad),
        "grad_fn": None if grad_fn is None else node_name(grad_fn),
    }


def value_data(value) -> dict:
    """Any printed value: tensors in full, numbers and lists as JSON, the rest by repr."""
    if isinstance(value, Tensor):
        return tensor_data(value)
    if isinstance(value, bool | int | float) or value is None:
        return {"value": number(value), "type": type(value).__name__}
    if isinstance(value, Size):
        return {"value": list(value), "type": "torch.Size"}
    if isinstance(value, str):
        return {"value": value, "type": "str"}
    return {"repr": repr(value), "type": type(value).__name__}


def error_data(error: ProgramError, filename: str | None = None) -> dict:
    """``{"error": {"type", "message", "file", "line", "column"}}``."""
    span = error.span
    return {"error": {
        "type": error.kind,
        "message": error.message,
        "file": span.filename if span is not None else filename,
        "line": span.line if span is not None else None,
        "column": span.column if span is not None else None,
    }}


def dumps(document: dict) -> str:
    """One JSON document on one line (strict JSON: no NaN literals)."""
    return json.dumps(document, allow_nan=False, ensure_ascii=False)
