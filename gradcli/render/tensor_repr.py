"""``repr(tensor)`` exactly as PyTorch prints a dense CPU tensor.

Three steps, following the rules of PyTorch's printer:

1. one formatter scans the values (only the shown ones when the tensor is
   summarized) and picks a notation (integer, fixed or scientific) and one
   common width for every element;
2. a recursion over the dimensions lays the elements out, wrapping long rows
   and eliding the middle of long dimensions with ``...``;
3. the suffixes (``size=``, ``dtype=``, ``grad_fn=``/``requires_grad=``) are
   appended, each moved onto its own line when it would pass ``linewidth``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gradcli.engine.printopts import PrintOptions, get_printoptions

__all__ = ["tensor_repr"]

_PREFIX = "tensor("
_INT_DTYPES = ("uint8", "int8", "int16", "int32", "int64")
_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
_COMPLEX_DTYPES = ("complex64", "complex128")


@dataclass
class _RealFormatter:
    """One notation and one width shared by every element of a real tensor."""

    kind: str  # "bool", "int" or "float"
    precision: int
    int_mode: bool = True  # floats that are all whole numbers print as "3."
    sci_mode: bool = False
    width: int = 1

    @classmethod
    def scan(cls, values: np.ndarray, kind: str, options: PrintOptions) -> _RealFormatter:
        fmt = cls(kind, options.precision)
        if kind != "float":
            fmt.width = max([1, *(len(str(v)) for v in values.ravel().tolist())])
            return fmt
        # Zeros, nan and inf take no part in choosing the notation or the width,
        # so they may stick out of the column (e.g. "-0." next to "1.").
        measured = values[np.isfinite(values) & (values != 0)]
        if measured.size == 0:
            return fmt
        magnitudes = np.abs(measured)
        low, high = float(magnitudes.min()), float(magnitudes.max())
        fmt.int_mode = bool(np.all(measured == np.ceil(measured)))
        if options.sci_mode is None:
            fmt.sci_mode = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
        else:
            fmt.sci_mode = bool(options.sci_mode)
        fmt.width = max(len(fmt._text(v)) for v in measured.tolist())
        return fmt

    def _text(self, value: float) -> str:
        if self.sci_mode:
            return f"{value:.{self.precision}e}"
        if self.int_mode:
            # The trailing dot says "floating point"; nan and inf get none.
            return f"{value:.0f}" + ("." if math.isfinite(value) else "")
        return f"{value:.{self.precision}f}"

    def format(self, value: float) -> str:
        """Formats one element (a Python float, int or bool) at the common width."""
        text = self._text(value) if self.kind == "float" else str(value)
        return text.rjust(self.width)


@dataclass
class _ComplexFormatter:
    """Real and imaginary parts each get their own real formatter, as in PyTorch."""

    real: _RealFormatter
    imag: _RealFormatter

    @property
    def width(self) -> int:
        return self.real.width + self.imag.width + 1  # the "j"

    def format(self, value: complex) -> str:
        imag = (self.imag.format(value.imag) + "j").lstrip()
        sign = "" if imag[0] in "+-" else "+"
        return self.real.format(value.real) + sign + imag


_Formatter = _RealFormatter | _ComplexFormatter


def _to_bfloat16(values: np.ndarray) -> np.ndarray:
    """Rounds float32 values to bfloat16 (half to even on the bits); NumPy has no bfloat16."""
    bits = values.view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return np.where(np.isnan(values), values, bits.astype(np.uint32).view(np.float32))


def _normalize(values: np.ndarray, dtype: str) -> tuple[np.ndarray, str]:
    """Returns the values as bool, int64, float64 or complex128, and their kind.

    Floats are first rounded to the tensor's own precision, so that a float64
    array handed in for a float32 tensor prints as PyTorch prints the float32
    tensor; the widening to float64 afterwards is exact, and PyTorch formats
    the same doubles (``Tensor.tolist()``) with Python's ``format``.
    """
    values = np.asarray(values)
    if dtype == "bool":
        return values.astype(bool), "bool"
    if dtype in _INT_DTYPES:
        return values.astype(np.int64), "int"
    with np.errstate(over="ignore"):  # values too big for float16 become inf, as in torch
        if dtype == "float64":
            return values.astype(np.float64), "float"
        if dtype in _FLOAT_DTYPES:
            # PyTorch narrows a double to float16/bfloat16 through float32: two roundings.
            floats = values.astype(np.float32)
            if dtype == "float16":
                floats = floats.astype(np.float16)
            elif dtype == "bfloat16":
                floats = _to_bfloat16(floats)
            return floats.astype(np.float64), "float"
        if dtype in _COMPLEX_DTYPES:
            return values.astype(dtype).astype(np.complex128), "complex"
    raise ValueError(f"tensor_repr: unsupported dtype {dtype!r}")


def _shown_indices(size: int, summarize: bool, edge: int) -> list[int | None]:
    """Indices printed along one dimension; None stands for the ellipsis."""
    if summarize and size > 2 * edge:
        return [*range(edge), None, *range(size - edge, size)]
    return list(range(size))


def _shown_values(values: np.ndarray, edge: int) -> np.ndarray:
    """The elements a summarized tensor shows: the formatter measures only those."""
    for axis, size in enumerate(values.shape):
        if size > 2 * edge:
            keep = [*range(edge), *range(size - edge, size)]
            values = np.take(values, keep, axis=axis)
    return values


def _layout(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter,
            options: PrintOptions) -> str:
    """Lays out ``values`` whose opening bracket sits at column ``indent``."""
    if values.ndim == 0:
        return fmt.format(values.item())
    edge = options.edgeitems
    shown = _shown_indices(values.shape[0], summarize, edge)
    if values.ndim == 1:
        # PyTorch writes the elided cell as " ..." (so ",  ..., " with two spaces),
        # but as a bare "..." when edgeitems is 0 and nothing else is shown.
        ellipsis = " ..." if edge else "..."
        cells = [ellipsis if i is None else fmt.format(values[i].item()) for i in shown]
        per_line = max(1, math.floor((options.linewidth - indent) / (fmt.width + 2)))
        lines = [", ".join(cells[i:i + per_line]) for i in range(0, len(cells), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    # Blocks of a dimension d >= 2 are separated by d - 1 line breaks.
    blocks = ["..." if i is None else _layout(values[i], indent + 1, summarize, fmt, options)
              for i in shown]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(blocks) + "]"


def _body(values: np.ndarray, kind: str, indent: int, options: PrintOptions) -> str:
    if values.size == 0:
        return "[]"
    summarize = values.size > options.threshold
    measured = _shown_values(values, options.edgeitems) if summarize else values
    fmt: _Formatter
    if kind == "complex":
        fmt = _ComplexFormatter(_RealFormatter.scan(measured.real, "float", options),
                                _RealFormatter.scan(measured.imag, "float", options))
    else:
        fmt = _RealFormatter.scan(measured, kind, options)
    return _layout(values, indent, summarize, fmt, options)


def _suffixes(values: np.ndarray, dtype: str, default_dtype: str, requires_grad: bool,
              grad_fn: str | None, options: PrintOptions) -> list[str]:
    suffixes = []
    if values.size == 0:
        # Nothing shows what the elements are, so even int64 and bool name their
        # dtype; the shape is named unless it is the plain (0,).
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if dtype != default_dtype:
            suffixes.append(f"dtype=torch.{dtype}")
    else:
        if not options.edgeitems:  # with edgeitems=0 even small tensors name their size
            suffixes.append(f"size={tuple(values.shape)}")
        default_complex = "complex128" if default_dtype == "float64" else "complex64"
        if dtype not in (default_dtype, default_complex, "int64", "bool"):
            suffixes.append(f"dtype=torch.{dtype}")
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return suffixes


def _add_suffixes(text: str, suffixes: list[str], indent: int, linewidth: int) -> str:
    # PyTorch counts the current line two characters longer than it is, but a
    # suffix it has just moved onto a new line at its true length; keep both
    # quirks so the suffixes wrap at the same column.
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > linewidth:
            text += ",\n" + " " * indent + suffix
            line_len = indent + len(suffix)
        else:
            text += ", " + suffix
            line_len += len(suffix) + 2
    return text + ")"


def tensor_repr(values: np.ndarray, dtype: str, *, default_dtype: str = "float32",
                requires_grad: bool = False, grad_fn: str | None = None,
                is_parameter: bool = False, options: PrintOptions | None = None) -> str:
    """Returns what PyTorch prints for ``repr(tensor)``, ``grad_fn`` without its address.

    Args:
        values: the elements, as a NumPy array of the tensor's shape (any NumPy
            dtype that holds them: bool, int8/16/32/64, uint8, float16/32/64).
        dtype: the torch dtype name without ``torch.``: 'float16', 'bfloat16',
            'float32', 'float64', 'uint8', 'int8', 'int16', 'int32', 'int64',
            'bool', 'complex64' or 'complex128'.
        default_dtype: the default float dtype ('float32' or 'float64'); it
            decides which dtypes print a ``dtype=`` suffix.
        requires_grad: print ``requires_grad=True`` (only when there is no grad_fn).
        grad_fn: the name of the node that made the tensor, e.g. 'MulBackward0'.
        is_parameter: print as an ``nn.Parameter`` ("Parameter containing:" header);
            pass ``requires_grad=True`` too for the usual parameter.
        options: the print options; None means the live ``get_printoptions()``.

    Example:
        >>> import numpy as np
        >>> tensor_repr(np.array([1.0, 2.5, -3.0], dtype=np.float32), "float32",
        ...             grad_fn="MulBackward0")
        'tensor([ 1.0000,  2.5000, -3.0000], grad_fn=<MulBackward0>)'
        >>> tensor_repr(np.zeros((0, 3), dtype=np.int64), "int64")
        'tensor([], size=(0, 3), dtype=torch.int64)'
    """
    options = get_printoptions() if options is None else options
    array, kind = _normalize(values, dtype)
    text = _PREFIX + _body(array, kind, len(_PREFIX), options)
    suffixes = _suffixes(array, dtype, default_dtype, requires_grad, grad_fn, options)
    text = _add_suffixes(text, suffixes, len(_PREFIX), options.linewidth)
    return "Parameter containing:\n" + text if is_parameter else text
