"""Terminal output: the only module that uses Rich.

Program output is plain text, identical to PyTorch's, whenever stdout is not a
terminal or ``NO_COLOR`` is set; on a terminal, Rich colours it without
changing a character. Rich is imported only when colour (or a progress bar)
is actually used, by :func:`rich_modules`; other CLI modules ask this one for
consoles, styled text and progress bars.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import traceback

from ..errors import ProgramError, format_error


def use_color(stream) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def stdout_writer():
    """A ``(write, flush)`` pair for program output.

    Plain output is flushed at every write, so that whatever stops the run (an
    error, Ctrl-C, a kill) leaves everything printed so far in place.
    """
    stream = sys.stdout
    if not use_color(stream):
        def write_through(text: str) -> None:
            stream.write(text)
            stream.flush()
        return write_through, stream.flush
    console = _console(stream)

    def write(text: str) -> None:
        console.print(_highlight(text), end="", soft_wrap=True, markup=False,
                      highlight=False)

    return write, stream.flush


EXIT_PROGRAM_ERROR, EXIT_INTERNAL_ERROR = 1, 3


def report_error(error: ProgramError) -> int:
    """Writes ``error`` to stderr (``Kind: message`` and its location); returns the exit
    status: 1 for the program's error, 3 for a bug in gradcli itself."""
    if error.internal:
        _report_internal(error)
        return EXIT_INTERNAL_ERROR
    _report(format_error(error), error)
    return EXIT_PROGRAM_ERROR


def _report_internal(error: ProgramError) -> None:
    text = (f"gradcli: internal error: {error.kind}: {error.message}\n"
            "This is a bug in gradcli, not in your program. Please report it with the "
            "program that\ncaused it")
    cause = error.__cause__
    if os.environ.get("GRADCLI_DEBUG") and cause is not None:
        trace = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        text += ". The traceback:\n" + trace.rstrip()
    else:
        text += " (run with --debug to add the traceback)."
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _report(text: str, error: ProgramError) -> None:
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
    from rich import console, highlighter, progress, table, text, tree  # lazy: see the docstring
    return console, highlighter, progress, text, tree, table


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


# ------------------------------------------------------------------ views
# Styles of the parts of a graph line (see gradcli.render.tree.label_parts).
_TREE_STYLES = {"name": "bold magenta", "var": "bold cyan", "meta": "dim", "note": "yellow",
                "none": "dim italic", "shared": "dim"}


class _AsciiOnly:
    """Renders its content as on a terminal without Unicode (Rich's ASCII guides and boxes)."""

    def __init__(self, renderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console, options):
        options = options.copy()
        options.encoding = "ascii"
        yield from console.render(self.renderable, options)


def _print(renderable, stream, ascii_only: bool = False) -> None:
    # Rendered to a string first: piped output loses the padding Rich adds at line ends.
    color = use_color(stream)
    buffer = io.StringIO()
    width = shutil.get_terminal_size().columns if color else 10_000
    console = make_console(buffer, width=width, color=color)
    console.print(_AsciiOnly(renderable) if ascii_only else renderable)
    text = buffer.getvalue()
    if not color:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    stream.write(text)
    stream.flush()


def _tree_label(parts):
    text = styled_text()
    for part, role in parts:
        text.append(part, style=_TREE_STYLES.get(role, ""))
    return text


def print_tree(tree, label_parts, *, ascii_only: bool = False, stream=None) -> None:
    """Draws a tree of items that have ``.children`` with Rich's ``Tree``.

    ``label_parts(item)`` gives each line as ``(text, role)`` pairs; the roles
    (name, var, meta, note, none, shared) choose the colours on a terminal.
    ``ascii_only`` draws the guides with ASCII characters (``+--``, ``|``).
    """
    tree_class = rich_modules()[4].Tree
    top = tree_class(_tree_label(label_parts(tree)), guide_style="dim")
    stack = [(tree, top)]
    while stack:
        item, drawn = stack.pop()
        for child in item.children:
            stack.append((child, drawn.add(_tree_label(label_parts(child)))))
    _print(top, stream or sys.stdout, ascii_only)


def print_table(rows, *, header=None, ascii_only: bool = False, stream=None,
                highlight_columns=()) -> None:
    """Rows of text as a borderless Rich ``Table`` (cells may hold several lines).

    ``header`` names the columns (None: no header line); values in
    ``highlight_columns`` are coloured like Python reprs on a terminal.
    """
    table_class = rich_modules()[5].Table
    table = table_class(box=None, show_header=header is not None, padding=(0, 2, 0, 0),
                        header_style="bold", pad_edge=False)
    columns = header or [""] * (len(rows[0]) if rows else 1)
    for name in columns:
        table.add_column(name)
    for row in rows:
        cells = [_highlight(cell) if i in highlight_columns else styled_text(cell)
                 for i, cell in enumerate(row)]
        table.add_row(*cells)
    _print(table, stream or sys.stdout, ascii_only)
