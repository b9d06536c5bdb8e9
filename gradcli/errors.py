"""Errors a gradcli program can meet, carrying where in the source they happened.

Nothing here prints: the front ends turn a :class:`ProgramError` into text with
:func:`format_error` and decide where that text goes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A region of source text; lines and columns count from 1.

    ``end_column`` is exclusive, so ``Span("f.gc", 1, 1, 1, 4)`` covers the
    first three characters of line 1.
    """

    filename: str
    line: int
    column: int
    end_line: int
    end_column: int


class ProgramError(Exception):
    """An error a user's program raised, as the user should see it.

    Args:
        kind: the Python/PyTorch exception class name (``"RuntimeError"``).
        message: gradcli's words for what went wrong.
        span: where in the source it happened, when known.
        source: the full source text the span refers to, when known.

    Example:
        >>> ProgramError("NameError", "name 'y' is not defined").kind
        'NameError'
    """

    def __init__(self, kind: str, message: str, span: Span | None = None,
                 source: str | None = None) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.span = span
        self.source = source
        self.internal = False  # a bug in gradcli itself, not in the program


def internal_error(exc: BaseException) -> ProgramError:
    """The error to report for an exception gradcli's own code should never raise."""
    error = ProgramError(type(exc).__name__, str(exc))
    error.internal = True
    error.__cause__ = exc
    return error


def format_error(error: ProgramError) -> str:
    """Formats an error as ``Kind: message`` with its location and a caret line.

    Example:
        >>> err = ProgramError("NameError", "name 'y' is not defined",
        ...                    Span("<command line>", 1, 1, 1, 2), "y + 1")
        >>> print(format_error(err))
        NameError: name 'y' is not defined
          --> <command line>:1:1
           |
         1 | y + 1
           | ^
    """
    lines = [f"{error.kind}: {error.message}" if error.message else error.kind]
    span = error.span
    if span is None:
        return "\n".join(lines)
    lines.append(f"  --> {span.filename}:{span.line}:{span.column}")
    source_lines = (error.source or "").splitlines()
    if not 1 <= span.line <= len(source_lines):
        return "\n".join(lines)
    text = source_lines[span.line - 1].expandtabs(1)
    number = str(span.line)
    pad = " " * len(number)
    if span.end_line == span.line:
        width = max(1, span.end_column - span.column)
    else:
        width = max(1, len(text) - span.column + 1)
    width = min(width, max(1, len(text) - span.column + 1))
    lines.append(f" {pad} |")
    lines.append(f" {number} | {text}")
    lines.append(f" {pad} | {' ' * (span.column - 1)}{'^' * width}")
    return "\n".join(lines)
