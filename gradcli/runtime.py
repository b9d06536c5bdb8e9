"""Runs programs: wires the engine, the renderers and the language together.

Front ends (the CLI, ``gradcli check``, the pytest plugin, the REPL) use
:class:`Session` or :func:`run_program`; this is the one place that joins the
layers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from . import engine
from .engine import dtypes
from .errors import ProgramError
from .lang.interpreter import Interpreter
from .lang.parser import parse
from .lang.scope import program_scope
from .render.tensor_repr import tensor_repr

DEFAULT_MAX_STEPS = 1_000_000
DEFAULT_MAX_DEPTH = 200


@dataclass(frozen=True)
class RunOptions:
    """How a program runs.

    Attributes:
        seed: the seed of gradcli's random generator at start.
        max_steps: statements and loop iterations a program may execute.
        max_depth: how deeply user functions may call each other.
    """

    seed: int = 0
    max_steps: int = DEFAULT_MAX_STEPS
    max_depth: int = DEFAULT_MAX_DEPTH


def _tensor_text(values, dtype: str, **suffixes) -> str:
    return tensor_repr(values, dtype, default_dtype=dtypes.get_default_dtype().name, **suffixes)


def prepare_engine(seed: int = 0) -> None:
    """Resets the engine's global state for a new program and installs the printer."""
    engine.set_printer(_tensor_text)
    engine.reset_state(seed)


class Session:
    """One program's state: its names persist across :meth:`run` calls (REPL, transcripts).

    Example:
        >>> out = []
        >>> s = Session(out.append)
        >>> s.run("x = tensor([1, 2])", "<demo>") is None
        True
        >>> s.run("x * 2", "<demo>") is None
        True
        >>> "".join(out)
        'tensor([2, 4])\\n'
    """

    def __init__(self, write: Callable[[str], None], options: RunOptions = RunOptions()) -> None:
        prepare_engine(options.seed)
        _ensure_recursion_room(options.max_depth)
        namespace, modules = program_scope()
        self.interpreter = Interpreter(namespace, modules, write=write,
                                       max_steps=options.max_steps,
                                       max_depth=options.max_depth)

    def run(self, source: str, filename: str) -> ProgramError | None:
        """Parses and runs ``source``; returns the error that stopped it, if any."""
        try:
            module = parse(source, filename)
            self.interpreter.run(module, source)
        except ProgramError as error:
            if error.source is None:
                error.source = source
            return error
        except RecursionError:
            return ProgramError("RecursionError", "maximum recursion depth exceeded")
        except MemoryError:
            return ProgramError("MemoryError", "the program ran out of memory")
        return None


def run_program(source: str, filename: str, write: Callable[[str], None],
                options: RunOptions = RunOptions()) -> ProgramError | None:
    """Runs a whole program in a fresh session; returns the error that stopped it, if any."""
    return Session(write, options).run(source, filename)


def _ensure_recursion_room(max_depth: int) -> None:
    # The tree-walking interpreter uses several Python frames per user call and
    # per nesting level of an expression.
    needed = 2000 + 40 * max_depth
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)
