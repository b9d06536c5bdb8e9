"""The interactive session: ``gradcli`` with no arguments on a terminal.

Python's prompt conventions: ``>>> `` for a new input, ``... `` while a block
or a bracket is open (an empty line ends a block). An error aborts only that
input; names persist. ``exit()``/``quit()`` or end-of-file leaves.
"""

from __future__ import annotations

import sys

from .. import __version__
from ..engine import manual_seed
from ..errors import ProgramError
from ..lang.parser import parse
from ..runtime import Session
from .console import report_error, stdout_writer

try:
    import readline  # noqa: F401 - line editing and history for input()
except ImportError:  # not every platform has it
    pass

BANNER = ("gradcli {version}: PyTorch-style tensors and autograd. "
          ":seed N reseeds the generator; Ctrl-D or exit() leaves.")
FILENAME = "<stdin>"


def needs_more(source: str) -> bool:
    """True when ``source`` is an unfinished input (an open block or bracket)."""
    lines = source.split("\n")
    header = lines[0].rstrip().endswith(":") or lines[0].lstrip().startswith("@")
    if lines[-1].strip() and (source.rstrip().endswith(":") or header):
        return True
    try:
        parse(source, FILENAME)
    except ProgramError as error:
        return "never closed" in error.message or source.rstrip().endswith("\\")
    return False


def read_input(prompt_first: str = ">>> ", prompt_more: str = "... ") -> str | None:
    """One complete input from the terminal; None at end of file."""
    lines = []
    while True:
        try:
            line = input(prompt_first if not lines else prompt_more)
        except EOFError:
            return None if not lines else "\n".join(lines)
        lines.append(line)
        source = "\n".join(lines)
        if not needs_more(source):
            return source


def run_repl(options) -> int:
    """Reads and runs inputs until end of file; returns the exit status."""
    write, flush = stdout_writer()
    session = Session(write, options)
    print(BANNER.format(version=__version__), file=sys.stderr)
    while True:
        try:
            source = read_input()
        except KeyboardInterrupt:
            print("\nKeyboardInterrupt", file=sys.stderr)
            continue
        if source is None:
            print(file=sys.stderr)
            return 0
        if source.strip() in ("exit()", "quit()", "exit", "quit"):
            return 0
        if not source.strip():
            continue
        if source.strip().startswith(":"):
            _command(source.strip())
            continue
        try:
            error = session.run(source + "\n", FILENAME)
        except KeyboardInterrupt:
            error = ProgramError("KeyboardInterrupt", "")
        flush()
        if error is not None:
            report_error(error)


def _command(line: str) -> None:
    """A REPL command (``:seed N``); anything else gets a hint on stderr."""
    name, _, argument = line.partition(" ")
    if name == ":seed":
        try:
            seed = int(argument.strip())
        except ValueError:
            print(":seed needs an integer, as in :seed 42", file=sys.stderr)
            return
        manual_seed(seed)
        print(f"the random generator is seeded with {seed}", file=sys.stderr)
        return
    print(f"unknown command {name}; the REPL knows :seed N", file=sys.stderr)
