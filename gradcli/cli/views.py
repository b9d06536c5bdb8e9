"""``gradcli graph`` and ``gradcli grad``, and the view options of ``run`` and one-liners.

    gradcli graph 'x = ones(2, requires_grad=True); (x * x).sum()'   the grad_fn tree
    gradcli graph --dot ... / --svg FILE / --png FILE                 pictures
    gradcli grad 'sin(x ** 2).exp()' x=2.0                            value and gradients
    gradcli grad --check ... / --order 2 ... / --trace ...

The ``gradcli`` command loads this module only when one of these runs, so a
plain one-liner never imports the renderers. The renderers build text and
data (:mod:`gradcli.render`); drawing goes through :mod:`gradcli.cli.console`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import click

from .. import engine
from ..engine import Tensor, autograd, dtypes
from ..engine.gradcheck import GradcheckError, check_inputs, check_nodes
from ..errors import ProgramError
from ..render import json as jsonr
from ..render.dot import to_dot
from ..render.trace import TraceRecorder, trace_data, trace_rows
from ..render.tree import (
    build_statement_tree,
    build_tree,
    graph_data,
    label_parts,
    node_name,
    short_value,
)
from ..runtime import Session
from .console import print_table, print_tree, report_error
from .options import run_limits, run_options

COMMAND_LINE = "<command line>"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
GRAPHVIZ_HELP = (
    "gradcli: drawing a {kind} needs Graphviz's `dot` program, which is not installed.\n"
    "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz;\n"
    "Windows: winget install graphviz), or write DOT text with --dot and draw it elsewhere.")


def _discard(_text: str) -> None:
    pass


def _fail(error: ProgramError, as_json: bool, filename: str = COMMAND_LINE) -> int:
    if as_json:
        click.echo(jsonr.dumps(jsonr.error_data(error, filename)))
        return 3 if error.internal else EXIT_FAILED
    return report_error(error)


def _usage(message: str, as_json: bool) -> int:
    if as_json:
        click.echo(jsonr.dumps({"error": {"type": "UsageError", "message": message,
                                          "file": None, "line": None, "column": None}}))
    else:
        click.echo(f"gradcli: {message}", err=True)
    return EXIT_USAGE


def _source_of(statements, file) -> tuple[str, str]:
    if file is not None:
        if file == "-":
            return sys.stdin.read(), "<stdin>"
        try:
            with open(file, encoding="utf-8") as f:
                return f.read(), file
        except (OSError, UnicodeDecodeError) as e:
            raise click.UsageError(f"cannot read {file}: {getattr(e, 'strerror', None) or e}")
    if not statements:
        raise click.UsageError("give the statements to draw, or --file FILE")
    return "\n".join(statements), COMMAND_LINE


# ------------------------------------------------------------------ graph
@click.command("graph")
@click.argument("statements", nargs=-1)
@click.option("--file", "file", metavar="FILE", help="Read the program from FILE ('-': stdin).")
@click.option("--saved", is_flag=True, help="Show what each node saved for backward.")
@click.option("--depth", type=click.IntRange(min=0), metavar="N",
              help="Show N levels under the root; summarise deeper inputs.")
@click.option("--focus", metavar="NAME", help="Draw the graph that feeds the variable NAME.")
@click.option("--collapse", type=click.Choice(["line"]),
              help="line: one node per source statement, labelled with its text.")
@click.option("--dot", "as_dot", is_flag=True, help="Print Graphviz DOT text.")
@click.option("--svg", "svg", metavar="FILE", help="Draw the graph into an SVG file (Graphviz).")
@click.option("--png", "png", metavar="FILE", help="Draw the graph into a PNG file (Graphviz).")
@click.option("--ascii", "ascii_only", is_flag=True, help="Draw the tree with ASCII characters.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@run_limits
def graph_command(statements, file, saved, depth, focus, collapse, as_dot, svg, png, ascii_only, fmt,
                  seed, max_steps, max_depth, echo) -> None:
    """Draw the grad_fn graph of the program's last expression.

    Nodes carry PyTorch's names; leaves carry the program's variable names,
    dtype and shape (and .grad after a backward()); a node reached twice is
    drawn once and referred to afterwards.
    """
    as_json = fmt == "json"
    source, filename = _source_of(statements, file)
    session = Session(_discard, run_options(seed, max_steps, max_depth))
    if collapse:
        error, marks = session.run_marked(source, filename)
    else:
        error, marks = session.run(source, filename), []
    if error is not None:
        sys.exit(_fail(error, as_json, filename))
    names = session.variables()
    if focus is not None:
        if focus not in names:
            sys.exit(_usage(f"--focus {focus}: the program binds no variable of that name",
                            as_json))
        target = names[focus]
    else:
        target = session.last_value
    if not isinstance(target, Tensor):
        what = f"{focus} is" if focus else "the program's last expression is"
        sys.exit(_usage(f"{what} not a tensor, so there is no graph to draw; end the program "
                        "with the tensor to draw (for example `loss`) or use --focus NAME",
                        as_json))
    if collapse:
        tree = build_statement_tree(target, names, marks)
    else:
        tree = build_tree(target, names, saved=saved, depth=depth)
    if svg or png:
        sys.exit(_draw_picture(tree, svg, "svg") if svg else _draw_picture(tree, png, "png"))
    if as_dot:
        sys.stdout.write(to_dot(tree))
    elif as_json:
        click.echo(jsonr.dumps({"graph": graph_data(tree), "value": jsonr.tensor_data(target)}))
    else:
        if tree.kind == "none":
            click.echo("gradcli: the value does not require grad, so it has no graph", err=True)
        print_tree(tree, label_parts, ascii_only=ascii_only)


def _draw_picture(tree, path: str, kind: str) -> int:
    dot = shutil.which("dot")
    if dot is None:
        click.echo(GRAPHVIZ_HELP.format(kind=kind.upper()), err=True)
        return EXIT_USAGE
    result = subprocess.run([dot, f"-T{kind}", "-o", path], input=to_dot(tree).encode(),
                            capture_output=True, check=False)
    if result.returncode != 0:
        if os.path.exists(path):
            os.remove(path)
        message = result.stderr.decode(errors="replace").strip()
        click.echo(f"gradcli: Graphviz could not draw {path}: {message}", err=True)
        return EXIT_USAGE
    return EXIT_OK


# ------------------------------------------------------------------ grad
class _Inputs(click.ParamType):
    name = "NAME=VALUE"


def _parse_assignments(items) -> list[tuple[str, str]]:
    result = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or not value.strip():
            raise click.UsageError(f"{item!r} is not an input: write NAME=VALUE, "
                                   "such as x=2.0 or w='[[1., 2.], [3., 4.]]'")
        result.append((name, value))
    return result


def _make_input(value, name: str) -> Tensor:
    """A float leaf that requires grad, from a number, a nested list or a tensor."""
    default = dtypes.get_default_dtype()
    ops = engine.op_namespace
    if isinstance(value, Tensor):
        t = value.detach().clone()
        if t.dtype.category != dtypes.FLOAT:
            t = t.to(default)
    elif isinstance(value, bool | int | float | list | tuple):
        t = ops.tensor(value, dtype=default)
    else:
        raise ProgramError("TypeError", f"input {name} must be a number, a nested list or a "
                           f"tensor, not a value of type {type(value).__name__}")
    return t.requires_grad_()


class GradResult:
    """Everything `gradcli grad` computed, for text and JSON."""

    def __init__(self) -> None:
        self.value = None
        self.derivatives: list[tuple[str, str, Tensor | None]] = []  # (label, kind, tensor)
        self.checks: list[tuple[str, object]] = []
        self.traces: list = []
        self.node_checks: list = []  # (NodeCheck, statement text)


@click.command("grad")
@click.argument("expression")
@click.argument("inputs", nargs=-1, type=_Inputs())
@click.option("--wrt", metavar="X,Y", help="Differentiate with respect to these inputs only.")
@click.option("--sum", "reduce_sum", is_flag=True, help="Sum a non-scalar value first.")
@click.option("--order", type=click.IntRange(1, 2), default=1, show_default=True,
              help="1: gradients (Jacobians); 2: the Hessian of a scalar value.")
@click.option("--check", is_flag=True,
              help="Compare with central finite differences in float64; exit 1 on a mismatch.")
@click.option("--per-node", is_flag=True,
              help="With --check: also check each node's backward rule on its own and name "
                   "the first that disagrees.")
@click.option("--atol", type=float, default=1e-5, show_default=True,
              help="Absolute tolerance of --check.")
@click.option("--rtol", type=float, default=1e-3, show_default=True,
              help="Relative tolerance of --check.")
@click.option("--eps", type=float, default=1e-6, show_default=True,
              help="Finite-difference step of --check.")
@click.option("--trace", is_flag=True, help="Show the backward pass step by step.")
@click.option("--ascii", "ascii_only", is_flag=True, help="Draw with ASCII characters.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@run_limits
def grad_command(expression, inputs, wrt, reduce_sum, order, check, per_node, atol, rtol, eps, trace,
                 ascii_only, fmt, seed, max_steps, max_depth, echo) -> None:
    """Compute EXPRESSION and its derivatives with respect to the inputs NAME=VALUE.

    \b
    gradcli grad 'sin(x ** 2).exp()' x=2.0
    gradcli grad --check '(w @ x + b).sigmoid().sum()' w='[[1., 2.], [3., 4.]]' x='[1., -1.]' b=0.5
    gradcli grad 'x * y' x='[1., 2.]' y='[3., 4.]'      (a Jacobian per input)
    gradcli grad --order 2 '(x ** 3).sum()' x='[1., 2.]'  (the Hessian)

    Inputs are numbers, nested lists or any gradcli expression; each becomes a
    float tensor that requires grad (a floating tensor keeps its dtype).
    """
    as_json = fmt == "json"
    check = check or per_node
    pairs = _parse_assignments(inputs)
    if not pairs:
        sys.exit(_usage("give at least one input NAME=VALUE to differentiate with respect to",
                        as_json))
    input_names = [name for name, _ in pairs]
    chosen = input_names
    if wrt:
        chosen = [n.strip() for n in wrt.split(",") if n.strip()]
        unknown = [n for n in chosen if n not in input_names]
        if unknown:
            sys.exit(_usage(f"--wrt {', '.join(unknown)}: not among the inputs "
                            f"({', '.join(input_names)})", as_json))
    session = Session(_discard, run_options(seed, max_steps, max_depth))
    recorder = TraceRecorder(session.variables) if trace else None
    try:
        for name, text in pairs:
            session.namespace[name] = _make_input(session.evaluate(text, f"<input {name}>"),
                                                  name)
        result = _compute(session, expression, chosen, reduce_sum, order, recorder)
        if isinstance(result, str):
            sys.exit(_usage(result, as_json))
        if check:
            result.checks = _check(session, expression, chosen, reduce_sum, order,
                                   eps, atol, rtol)
        if per_node:
            result.node_checks = _check_nodes(session, expression, chosen, eps, atol, rtol)
    except ProgramError as error:
        if error.span is None and error.source is None:
            error.source = expression
        sys.exit(_fail(error, as_json))
    if recorder is not None:
        result.traces = recorder.passes
    ok = (all(c is None or c.ok for _, c in result.checks)
          and all(c.ok for c, _ in result.node_checks))
    if as_json:
        click.echo(jsonr.dumps(_grad_json(result, ok, atol, rtol, check)))
    else:
        _print_grad(result, check, atol, rtol, ascii_only)
    sys.exit(EXIT_OK if ok else EXIT_FAILED)


def _compute(session, expression, chosen, reduce_sum, order, recorder):
    value = session.evaluate(expression, COMMAND_LINE)
    if not isinstance(value, Tensor):
        return ("the expression must give a tensor, not a value of type "
                f"{type(value).__name__}")
    if reduce_sum:
        value = value.sum()
    result = GradResult()
    result.value = value
    if value.dtype.category != dtypes.FLOAT:
        return f"the value has dtype {value.dtype.name}; only floating values have gradients"
    wrt = [session.namespace[n] for n in chosen]
    previous = autograd.set_trace_listener(recorder) if recorder is not None else None
    try:
        if not value.requires_grad:
            result.derivatives = [(f"d{n}", "gradient", None) for n in chosen]
        elif order == 2:
            if value.numel() != 1:
                return ("--order 2 needs a value with one element (its Hessian); add --sum, or "
                        "differentiate one element")
            result.derivatives = _hessian(value, wrt, chosen)
        elif value.numel() == 1:
            grads = autograd.grad(value, wrt, retain_graph=True, allow_unused=True)
            result.derivatives = [(f"d{n}", "gradient", g) for n, g in zip(chosen, grads)]
        else:
            result.derivatives = [(f"J{n}", "jacobian", j)
                                  for n, j in zip(chosen, _jacobians(value, wrt))]
    finally:
        if recorder is not None:
            autograd.set_trace_listener(previous)
    return result


def _jacobians(value: Tensor, wrt: list) -> list:
    """d value / d input, shaped value.shape + input.shape, one per input."""
    rows: list[list] = [[] for _ in wrt]
    flat = value.reshape(-1)
    for j in range(flat.numel()):
        grads = autograd.grad(flat[j], wrt, retain_graph=True, allow_unused=True)
        for k, (t, g) in enumerate(zip(wrt, grads)):
            rows[k].append(g if g is not None else engine.op_namespace.zeros_like(t))
    stack = engine.op_namespace.stack
    return [stack(r).reshape(*value.shape, *t.shape) for r, t in zip(rows, wrt)]


def _hessian(value: Tensor, wrt: list, names: list) -> list:
    ops = engine.op_namespace
    firsts = autograd.grad(value, wrt, create_graph=True, allow_unused=True)
    result = []
    for a, (name_a, first) in enumerate(zip(names, firsts)):
        for b, (name_b, t_b) in enumerate(zip(names, wrt)):
            t_a = wrt[a]
            if first is None or not first.requires_grad:
                block = ops.zeros(*t_a.shape, *t_b.shape, dtype=t_b.dtype)
            else:
                flat = first.reshape(-1)
                rows = []
                for i in range(flat.numel()):
                    (g,) = autograd.grad(flat[i], [t_b], retain_graph=True, allow_unused=True)
                    rows.append(g.detach() if g is not None else ops.zeros_like(t_b))
                block = ops.stack(rows).reshape(*t_a.shape, *t_b.shape)
            label = f"H{name_a}" if len(names) == 1 else f"H{name_a},{name_b}"
            result.append((label, "hessian", block))
    return result


def _check(session, expression, chosen, reduce_sum, order, eps, atol, rtol) -> list:
    """Per input, the comparison with finite differences, in float64."""
    ns = session.namespace
    originals = {n: ns[n] for n in chosen}
    doubles = tuple(originals[n].detach().to(dtypes.float64).requires_grad_() for n in chosen)

    def value_of(*args):
        for name, t in zip(chosen, args):
            ns[name] = t
        value = session.evaluate(expression, COMMAND_LINE)
        value = value.sum() if reduce_sum else value
        if order == 2:
            grads = autograd.grad(value, list(args), create_graph=True, allow_unused=True)
            parts = [(g if g is not None else engine.op_namespace.zeros_like(a)).reshape(-1)
                     for g, a in zip(grads, args)]
            return engine.op_namespace.cat(parts)
        return value.reshape(-1)

    try:
        reports = check_inputs(value_of, doubles, eps=eps, atol=atol, rtol=rtol)
    finally:
        ns.update(originals)
    return list(zip(chosen, reports))


def _check_nodes(session, expression, chosen, eps, atol, rtol) -> list:
    """Each recorded node's rule against finite differences, with the statement that made it."""
    ns = session.namespace
    originals = {n: ns[n] for n in chosen}
    doubles = tuple(originals[n].detach().to(dtypes.float64).requires_grad_() for n in chosen)
    first_marks: list = []

    def value_of(*args):
        for name, t in zip(chosen, args):
            ns[name] = t
        session.last_value = None
        error, marks = session.run_marked(expression, COMMAND_LINE)
        if error is not None:
            raise error
        if not first_marks:
            first_marks.extend(marks)
        return session.last_value

    try:
        checks = check_nodes(value_of, doubles, eps=eps, atol=atol, rtol=rtol)
    except GradcheckError as error:
        raise ProgramError("RuntimeError", str(error)) from None
    finally:
        ns.update(originals)
    result = []
    for c in checks:
        statement = ""
        for mark, text in first_marks:
            if mark < c.node.sequence_nr():
                statement = text
        result.append((c, statement))
    return result


# ------------------------------------------------------------------ grad output
def _print_grad(result: GradResult, check: bool, atol, rtol, ascii_only) -> None:
    rows = [("value", repr(result.value.detach()))]
    for label, _kind, tensor in result.derivatives:
        rows.append((label, "None (the value does not depend on it)" if tensor is None
                     else repr(tensor.detach())))
    print_table(rows, highlight_columns=(1,), ascii_only=ascii_only)
    for number, trace in enumerate(result.traces, 1):
        title = "backward pass" if len(result.traces) == 1 else f"backward pass {number}"
        click.echo(f"\n{title}, in the order the engine ran it:")
        print_table(trace_rows(trace), header=["#", "node", "gradient in", "sends"],
                    ascii_only=ascii_only)
    if check:
        click.echo()
        print_table(_check_rows(result.checks), header=["check", "max abs err", "max rel err",
                                                        "result"], ascii_only=ascii_only)
        failed = [n for n, c in result.checks if c is not None and not c.ok]
        for name, c in result.checks:
            if c is not None and c.kinks:
                click.echo(f"warning: {name} is at a point where the expression is not "
                           f"differentiable (element {', '.join(map(str, c.kinks))}); finite "
                           "differences cannot check it there", err=True)
        if result.node_checks:
            _print_node_checks(result.node_checks, ascii_only)
        if failed:
            click.echo(f"FAILED: the derivatives for {', '.join(failed)} disagree with finite "
                       f"differences (atol={atol:g}, rtol={rtol:g})")
        else:
            click.echo(f"ok: the derivatives agree with finite differences "
                       f"(atol={atol:g}, rtol={rtol:g})")


def _print_node_checks(node_checks, ascii_only) -> None:
    click.echo()
    rows = []
    for c, statement in node_checks:
        verdict = "not differentiable here" if c.kink else ("ok" if c.ok else "FAIL")
        rows.append((str(c.index + 1), node_name(c.node), statement, f"{c.max_abs_error:.1e}",
                     verdict))
    print_table(rows, header=["#", "node (forward order)", "made by", "max abs err", "result"],
                ascii_only=ascii_only)
    bad = [(c, statement) for c, statement in node_checks if not c.ok]
    if bad:
        c, statement = bad[0]
        where = f" in `{statement}`" if statement else ""
        click.echo(f"FAILED: the first node whose backward disagrees with finite differences "
                   f"is {node_name(c.node)} (node {c.index + 1}){where}")
    else:
        click.echo("ok: every node's backward agrees with finite differences")


def _check_rows(checks) -> list:
    rows = []
    for name, c in checks:
        if c is None:
            rows.append((name, "-", "-", "not differentiable"))
            continue
        verdict = "ok" if c.ok else "FAIL"
        if c.kinks:
            verdict += " (not differentiable here)"
        rows.append((name, f"{c.max_abs_error:.1e}", f"{c.max_rel_error:.1e}", verdict))
    return rows


def _grad_json(result: GradResult, ok: bool, atol, rtol, check: bool) -> dict:
    doc = {"value": jsonr.tensor_data(result.value), "derivatives": []}
    for label, kind, tensor in result.derivatives:
        doc["derivatives"].append({"name": label, "kind": kind,
                                   "tensor": None if tensor is None
                                   else jsonr.tensor_data(tensor.detach())})
    if check:
        doc["checks"] = [{"input": name, "max_abs_error": jsonr.number(c.max_abs_error),
                          "max_rel_error": jsonr.number(c.max_rel_error), "ok": c.ok,
                          "nondifferentiable_at": list(c.kinks)}
                         for name, c in result.checks if c is not None]
        doc["ok"] = ok
        doc["atol"], doc["rtol"] = atol, rtol
    if result.node_checks:
        doc["node_checks"] = [{"index": c.index, "node": node_name(c.node), "statement": statement,
                               "max_abs_error": jsonr.number(c.max_abs_error), "ok": c.ok,
                               "nondifferentiable": c.kink}
                              for c, statement in result.node_checks]
        doc["ok"] = ok
    if result.traces:
        doc["traces"] = [trace_data(t) for t in result.traces]
    return doc


# ------------------------------------------------------------------ run options
class ProgramViews:
    """What ``--tree``, ``--grads``, ``--trace`` and ``--format json`` add to a program run."""

    def __init__(self, *, tree: bool, grads: bool, trace: bool, as_json: bool,
                 ascii_only: bool = False) -> None:
        self.tree, self.grads, self.trace, self.as_json = tree, grads, trace, as_json
        self.ascii_only = ascii_only
        self.session: Session | None = None
        self.recorder: TraceRecorder | None = None
        self._previous = None
        self._shown = 0

    def write(self, text: str) -> None:
        """Program output (print) while views are on."""
        self._flush_traces()
        if self.as_json:
            click.echo(jsonr.dumps({"output": text}))
        else:
            sys.stdout.write(text)

    def display(self, value) -> None:
        """One echoed value: its repr (or JSON), then its tree."""
        self._flush_traces()
        if self.as_json:
            click.echo(jsonr.dumps(jsonr.value_data(value)))
        else:
            sys.stdout.write(repr(value) + "\n")
            sys.stdout.flush()
        if self.tree and isinstance(value, Tensor) and value.grad_fn is not None:
            tree = build_tree(value, self.session.variables())
            if self.as_json:
                click.echo(jsonr.dumps({"graph": graph_data(tree)}))
            else:
                print_tree(tree, label_parts, ascii_only=self.ascii_only)

    def start(self, session: Session) -> None:
        self.session = session
        if self.trace:
            self.recorder = TraceRecorder(session.variables)
            self._previous = autograd.set_trace_listener(self.recorder)

    def _flush_traces(self) -> None:
        if self.recorder is None:
            return
        for trace in self.recorder.passes[self._shown:]:
            if self.as_json:
                click.echo(jsonr.dumps({"trace": trace_data(trace)}))
            else:
                sys.stdout.write("backward pass, in the order the engine ran it:\n")
                print_table(trace_rows(trace), header=["#", "node", "gradient in", "sends"],
                            ascii_only=self.ascii_only)
        self._shown = len(self.recorder.passes)

    def finish(self, error: ProgramError | None, filename: str) -> int:
        self._flush_traces()
        if self.recorder is not None:
            autograd.set_trace_listener(self._previous)
        if error is not None:
            return _fail(error, self.as_json, filename)
        if self.grads:
            leaves = [(n, v) for n, v in self.session.variables().items()
                      if isinstance(v, Tensor) and v.is_leaf and v.requires_grad]
            if self.as_json:
                click.echo(jsonr.dumps({"grads": {
                    n: None if v.grad is None else jsonr.tensor_data(v.grad) for n, v in leaves}}))
            elif leaves:
                rows = [(f"{n}.grad", "None" if v.grad is None else repr(v.grad))
                        for n, v in leaves]
                print_table(rows, highlight_columns=(1,), ascii_only=self.ascii_only)
        return EXIT_OK


def run_with_views(source: str, filename: str, options, views: ProgramViews) -> int:
    """Runs one program with its values shown through ``views``; returns the exit status."""
    session = Session(views.write, options, display=views.display)
    views.start(session)
    error = session.run(source, filename)
    return views.finish(error, filename)


__all__ = ["ProgramViews", "grad_command", "graph_command", "run_with_views", "short_value"]
