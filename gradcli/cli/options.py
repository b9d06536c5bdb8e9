"""Command-line options shared by several commands."""

from __future__ import annotations

import click

from ..runtime import DEFAULT_MAX_DEPTH, DEFAULT_MAX_STEPS, RunOptions


def run_limits(fn):
    """Adds ``--seed``, ``--max-steps``, ``--max-depth`` and ``--echo/--no-echo``."""
    fn = click.option("--echo/--no-echo", default=None,
                      help="Print the value of each top-level expression statement (REPL "
                           "semantics; the default except for .py scripts) or only what "
                           "print() writes (script semantics, as python FILE.py).")(fn)
    fn = click.option("--max-depth", type=click.IntRange(min=1, max=5000),
                      default=DEFAULT_MAX_DEPTH, show_default=True,
                      help="How deeply functions may call each other.")(fn)
    fn = click.option("--max-steps", type=click.IntRange(min=1), default=DEFAULT_MAX_STEPS,
                      show_default=True,
                      help="Statements and loop iterations a program may execute.")(fn)
    fn = click.option("--seed", type=int, default=0, show_default=True,
                      help="Seed of gradcli's random generator.")(fn)
    return fn


def run_options(seed: int = 0, max_steps: int = DEFAULT_MAX_STEPS,
                max_depth: int = DEFAULT_MAX_DEPTH, echo: bool = True):
    """The :class:`gradcli.runtime.RunOptions` for these option values."""
    return RunOptions(seed=seed, max_steps=max_steps, max_depth=max_depth, echo=echo)


def view_options(fn):
    """Adds ``--tree``, ``--grads``, ``--trace``, ``--ascii`` and ``--format`` to a command."""
    fn = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                      show_default=True,
                      help="json: one JSON document a line per printed value.")(fn)
    fn = click.option("--ascii", "ascii_only", is_flag=True,
                      help="Draw trees and tables with ASCII characters.")(fn)
    fn = click.option("--trace", is_flag=True,
                      help="Show each backward() pass step by step.")(fn)
    fn = click.option("--grads", is_flag=True,
                      help="At the end, print the .grad of every leaf variable.")(fn)
    fn = click.option("--tree", is_flag=True,
                      help="After each printed value that has a grad_fn, draw its tree.")(fn)
    return fn
