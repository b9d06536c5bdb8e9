"""Terminal output: the only module that uses Rich.

Program output is plain text, identical to PyTorch's, whenever stdout is not a
terminal or ``NO_COLOR`` is set; on a terminal, Rich colours it without
changing a character. Rich is imported only when colour (or a progress bar)
is actually used, by :func:`rich_modules`; other CLI modules ask this one for
consoles, styled text and progress bars.
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
    styled = styled_text(text)
    styled.stylize("bold red", 0, len(error.kind))
    for start in _find_all(text, "^"):
        styled.stylize("bold red", start, start + 1)
    _console(stream).print(styled, soft_wrap=True, highlight=False)


def _find_all(text: str, char: str):
    index = text.find(char)
    while index != -1:
        yield index
        index = text.find(char, index + 1)


def rich_modules():
    """Rich's modules, imported on first use (a piped one-liner never pays for Rich)."""
    from rich import console, highlighter, progress, text  # lazy: see the docstring
    return console, highlighter, progress, text


def _console(stream):
    return rich_modules()[0].Console(file=stream, highlight=False, soft_wrap=True)


def _highlight(text: str):
    return rich_modules()[1].ReprHighlighter()(text)


def make_console(stream, *, width: int | None, color: bool):
    """A Rich console on ``stream``: coloured or not, at ``width`` (None: the terminal's)."""
    return rich_modules()[0].Console(file=stream, width=width, highlight=False,
                                     force_terminal=color or None, no_color=not color,
                                     color_system="auto" if color else None)


def styled_text(text: str = "", style: str = ""):
    """A Rich ``Text`` holding ``text`` in ``style``; add styles with ``.stylize()``."""
    return rich_modules()[3].Text(text, style=style)


def progress_bar(console):
    """A progress bar (description, bar, N/M, elapsed) drawn on ``console``.

    It never refreshes from a thread: worker processes may be forked while it runs.
    """
    progress = rich_modules()[2]
    return progress.Progress(
        progress.TextColumn("{task.description}"), progress.BarColumn(),
        progress.MofNCompleteColumn(), progress.TimeElapsedColumn(),
        console=console, transient=True, auto_refresh=False)
