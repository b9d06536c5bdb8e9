"""Terminal output: the only module that uses Rich.

Program output is plain text, identical to PyTorch's, whenever stdout is not a
terminal or ``NO_COLOR`` is set; on a terminal, Rich colours it without
changing a character. Rich is imported only when colour is actually used.
"""

from __future__ import annotations

import os
import sys

from ..errors import ProgramError, format_error


def use_color(stream) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def stdout_writer():
    """A ``(write, flush)`` pair for program output."""
    stream = sys.stdout
    if not use_color(stream):
        return stream.write, stream.flush
    console = _console(stream)

    def write(text: str) -> None:
        console.print(_highlight(text), end="", soft_wrap=True, markup=False,
                      highlight=False)

    return write, stream.flush


def report_error(error: ProgramError) -> None:
    """Writes ``error`` to stderr: ``Kind: message`` and its location."""
    text = format_error(error)
    stream = sys.stderr
    if not use_color(stream):
        stream.write(text + "\n")
        stream.flush()
        return
    from rich.text import Text
    styled = Text(text)
    styled.stylize("bold red", 0, len(error.kind))
    for start in _find_all(text, "^"):
        styled.stylize("bold red", start, start + 1)
    _console(stream).print(styled, soft_wrap=True, highlight=False)


def _find_all(text: str, char: str):
    index = text.find(char)
    while index != -1:
        yield index
        index = text.find(char, index + 1)


def _console(stream):
    from rich.console import Console
    return Console(file=stream, highlight=False, soft_wrap=True)


def _highlight(text: str):
    from rich.highlighter import ReprHighlighter
    return ReprHighlighter()(text)
