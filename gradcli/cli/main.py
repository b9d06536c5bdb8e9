"""The ``gradcli`` command.

    gradcli 'x = ones(2, requires_grad=True); (x * 3).sum()'   # statements
    gradcli run FILE.gc [FILE.gc ...]                          # batch files ('-' = stdin)
    echo 'arange(6).view(2, 3)' | gradcli                       # piped statements
    gradcli check samples/                                     # golden-output tests
"""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..engine.backend import xp
from ..runtime import echoes, run_program
from .console import report_error, stdout_writer
from .options import run_limits, run_options, view_options

COMMAND_LINE = "<command line>"
STDIN = "<stdin>"


def _show_version(ctx: click.Context, value: bool) -> None:
    """``gradcli 0.1.0 (NumPy 2.4.6, Python 3.11.7)``: what a bug report needs."""
    if not value or ctx.resilient_parsing:
        return
    python = ".".join(map(str, sys.version_info[:3]))
    click.echo(f"gradcli {__version__} (NumPy {xp.__version__}, Python {python})")
    ctx.exit()


class _DefaultToEval(click.Group):
    """A group whose first argument may be code instead of a command name.

    ``check`` is loaded only when it runs or help lists it, so a one-liner does
    not import the golden-test machinery.
    """

    def list_commands(self, ctx):
        return sorted({*self.commands, "check", "grad", "graph"})

    def get_command(self, ctx, name):
        if name == "check" and "check" not in self.commands:
            from .check import check_command  # lazy: only `gradcli check` needs it
            self.add_command(check_command, "check")
        if name in ("grad", "graph") and name not in self.commands:
            self.add_command(_views().grad_command, "grad")
            self.add_command(_views().graph_command, "graph")
        return super().get_command(ctx, name)

    def parse_args(self, ctx, args):
        if "--debug" in args:  # a flag of the group, wherever it stands: tracebacks on
            os.environ["GRADCLI_DEBUG"] = "1"
            args = [a for a in args if a != "--debug"]
        if args and args[0] not in self.list_commands(ctx) and not args[0].startswith("-"):
            args = ["eval", *args]
        elif args and args[0].startswith("-") and args[0] not in ("--help", "-h", "--version"):
            # Options first, then code: `gradcli --seed 3 'rand(2)'`; with no code the
            # group runs standard input (or the REPL) with those options.
            rest = _positionals(args)
            if rest and rest[0] not in self.list_commands(ctx):
                args = ["eval", *args]
        return super().parse_args(ctx, args)


def _positionals(args) -> list:
    """The arguments that are neither options nor the values of options."""
    values_follow = {opt for decorate in (run_limits, view_options)
                     for param in decorate(lambda: None).__click_params__
                     if not param.is_flag for opt in param.opts}
    found, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in values_follow:
            skip = True
        elif not arg.startswith("-"):
            found.append(arg)
    return found


def _execute(source: str, filename: str, options) -> int:
    """Runs one program, streaming its output; returns the exit status."""
    write, flush = stdout_writer()
    try:
        error = run_program(source, filename, write, options)
    finally:
        flush()
    if error is None:
        return 0
    return report_error(error)


@click.group(cls=_DefaultToEval, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, param, value: _show_version(ctx, value),
              help="Show the version (and NumPy's and Python's) and exit.")
@run_limits
@view_options
@click.pass_context
def cli(ctx: click.Context, seed, max_steps, max_depth, echo, tree, grads, trace, ascii_only,
        fmt) -> None:
    """Evaluate PyTorch-style tensor expressions and their gradients.

    \b
    gradcli 'x = ones(2, 2, requires_grad=True); ((x + 2) ** 2).mean().backward(); x.grad'
    gradcli run FILE.gc        run a program file ('-' reads standard input)
    gradcli check samples/     compare programs with their golden outputs
    gradcli                    an interactive session (on a terminal)

    Exit status: 0 ok, 1 the program failed (or a golden differs), 2 usage
    error, 3 internal error (a bug in gradcli: --debug anywhere on the command
    line adds the traceback to its report), 130 interrupted (Ctrl-C).
    """
    if ctx.invoked_subcommand is None:
        options = run_options(seed, max_steps, max_depth, echo is not False)
        if sys.stdin is None or not sys.stdin.isatty():
            source = sys.stdin.read() if sys.stdin is not None else ""
            views = _make_views(tree, grads, trace, ascii_only, fmt)
            ctx.exit(_run(source, STDIN, options, views))
        from .repl import run_repl  # lazy: only an interactive terminal needs the REPL
        ctx.exit(run_repl(options))


@cli.command("eval", hidden=True)
@click.argument("code", nargs=-1, required=True)
@run_limits
@view_options
def eval_command(code, seed, max_steps, max_depth, echo, tree, grads, trace, ascii_only,
                 fmt) -> None:
    """Run statements given on the command line."""
    source = "\n".join(code)
    views = _make_views(tree, grads, trace, ascii_only, fmt)
    options = run_options(seed, max_steps, max_depth, echo is not False)
    sys.exit(_run(source, COMMAND_LINE, options, views))


def _views():
    from . import views  # lazy: the renderers load only for the commands that show them
    return views


def _make_views(tree, grads, trace, ascii_only, fmt):
    if not (tree or grads or trace or fmt == "json"):
        return None
    return _views().ProgramViews(tree=tree, grads=grads, trace=trace, as_json=fmt == "json",
                                 ascii_only=ascii_only)


EXIT_INTERRUPTED = 130  # as shells report a program stopped by Ctrl-C (128 + SIGINT)


def _run(source: str, filename: str, options, views) -> int:
    """Runs one program, through ``views`` when view options were given."""
    try:
        if views is None:
            return _execute(source, filename, options)
        return _views().run_with_views(source, filename, options, views)
    except KeyboardInterrupt:
        sys.stdout.flush()
        click.echo("KeyboardInterrupt", err=True)
        return EXIT_INTERRUPTED


@cli.command("run")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@run_limits
@view_options
def run_command(files, seed, max_steps, max_depth, echo, tree, grads, trace, ascii_only,
                fmt) -> None:
    """Run program files: FILE.py as a script (only print() writes, as python
    FILE.py), any other file with REPL semantics (each expression statement
    prints); --echo/--no-echo overrides.

    Each file is a program of its own; '-' reads one from standard input.
    """
    views = _make_views(tree, grads, trace, ascii_only, fmt)
    status = 0
    for path in files:
        if path == "-":
            source, name = sys.stdin.read(), STDIN
        else:
            try:
                with open(path, encoding="utf-8") as f:
                    source = f.read()
            except OSError as e:
                click.echo(f"gradcli: cannot read {path}: {e.strerror}", err=True)
                sys.exit(2)
            except UnicodeDecodeError:
                click.echo(f"gradcli: {path} is not UTF-8 text", err=True)
                sys.exit(2)
            name = path
        options = run_options(seed, max_steps, max_depth, echoes(name, echo))
        status = max(status, _run(source, name, options, views))
    sys.exit(status)


@cli.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_command(shell: str) -> None:
    """Print a shell completion script for SHELL.

    \b
    Bash:  eval "$(gradcli completion bash)"   (in ~/.bashrc)
    Zsh:   eval "$(gradcli completion zsh)"    (in ~/.zshrc)
    Fish:  gradcli completion fish > ~/.config/fish/completions/gradcli.fish
    """
    from click.shell_completion import get_completion_class  # lazy: only this command
    completer = get_completion_class(shell)(cli, {}, "gradcli", "_GRADCLI_COMPLETE")
    click.echo(completer.source())


def main() -> None:
    """Entry point of the ``gradcli`` console script.

    The process ends with ``os._exit`` once the output is flushed: tearing down the
    interpreter (collecting every module's objects) costs a one-liner about 30 ms
    and has nothing left to do: gradcli holds no open files or non-daemon threads
    by then.
    """
    try:
        cli(prog_name="gradcli")
        status = 0
    except SystemExit as stop:
        status = stop.code
    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe (gradcli ... | head)
        status = status or 0
    sys.stderr.flush()
    os._exit(status)
