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
from .engine.node import sequence_mark
from .errors import ProgramError, internal_error
from .lang.ast import Module
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
        echo: REPL semantics (a top-level expression statement prints its
            value) when true or None; script semantics (only ``print``
            writes, as ``python FILE.py``) when false. Front ends that run
            files resolve None by the file's kind (:func:`echoes`).
    """

    seed: int = 0
    max_steps: int = DEFAULT_MAX_STEPS
    max_depth: int = DEFAULT_MAX_DEPTH
    echo: bool | None = None


SCRIPT_SUFFIX = ".py"


def echoes(filename: str, echo: bool | None = None) -> bool:
    """Whether a program file runs with REPL semantics: ``--echo``/``--no-echo``
    when given, else REPL semantics except for a ``.py`` script.

    Example:
        >>> echoes("a.gc"), echoes("a.py"), echoes("a.py", True)
        (True, False, True)
    """
    if echo is not None:
        return echo
    return not filename.lower().endswith(SCRIPT_SUFFIX)


def _no_display(value: object) -> None:
    return None


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

    def __init__(self, write: Callable[[str], None], options: RunOptions = RunOptions(),
                 display: Callable[[object], None] | None = None) -> None:
        prepare_engine(options.seed)
        _ensure_recursion_room(options.max_depth)
        namespace, modules = program_scope()
        self._scope = dict(namespace)
        self.namespace = namespace
        self.last_value: object = None
        # Script semantics (options.echo False): only print writes.
        self._echoes = options.echo is not False
        self._echo = self._echoes
        self._write = write
        self._show = display
        self.interpreter = Interpreter(namespace, modules, write=write, display=self._display,
                                       max_steps=options.max_steps,
                                       max_depth=options.max_depth)

    def _display(self, value: object) -> None:
        self.last_value = value
        if not self._echo:
            return
        if self._show is None:
            self._write(repr(value) + "\n")
        else:
            self._show(value)

    def evaluate(self, source: str, filename: str) -> object:
        """Runs ``source`` without echoing and returns its last expression's value.

        Raises:
            ProgramError: what stopped it.
        """
        self.last_value = None
        self._echo = False
        try:
            error = self.run(source, filename)
        finally:
            self._echo = self._echoes
        if error is not None:
            raise error
        return self.last_value

    def run_marked(self, source: str, filename: str) -> tuple[ProgramError | None, list]:
        """Runs ``source`` one top-level statement at a time, noting which made which nodes.

        Returns the error (or None) and ``(mark, text)`` per statement run: the
        nodes a statement created have ``sequence_nr() > mark`` and below the next mark.
        """
        try:
            module = parse(source, filename)
        except ProgramError as error:
            error.source = error.source or source
            return error, []
        lines = source.splitlines()
        marks = []
        for statement in module.body:
            marks.append((sequence_mark(), _statement_text(lines, statement.span)))
            try:
                self.interpreter.run(Module(body=(statement,), span=statement.span), source)
            except ProgramError as error:
                if error.source is None:
                    error.source = source
                return error, marks
            except RecursionError:
                return ProgramError("RecursionError", "maximum recursion depth exceeded"), marks
            except MemoryError:
                return ProgramError("MemoryError", "the program ran out of memory"), marks
        return None, marks

    def variables(self) -> dict:
        """The names the program bound (its tensors, modules' parameters as ``lin.weight``)."""
        result = {}
        for name, value in self.namespace.items():
            if name in self._scope and self._scope[name] is value:
                continue
            result[name] = value
            named = getattr(value, "named_parameters", None)
            if callable(named) and not isinstance(value, type):
                for sub, param in named():
                    result[f"{name}.{sub}"] = param
        return result

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
        except Exception as exc:  # noqa: BLE001 - a bug in gradcli: reported, never a traceback
            return internal_error(exc)
        return None


def run_program(source: str, filename: str, write: Callable[[str], None],
                options: RunOptions = RunOptions()) -> ProgramError | None:
    """Runs a whole program in a fresh session; returns the error that stopped it, if any."""
    return Session(write, options).run(source, filename)


def _statement_text(lines: list[str], span) -> str:
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1:span.end_column - 1].strip()
    first = lines[span.line - 1][span.column - 1:].strip()
    return first + " ..."


def _ensure_recursion_room(max_depth: int) -> None:
    # The tree-walking interpreter uses several Python frames per user call and
    # per nesting level of an expression.
    needed = 2000 + 40 * max_depth
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)
