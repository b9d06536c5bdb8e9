"""Backward passes step by step, as plain rows (``--trace``).

:class:`TraceRecorder` is an engine :class:`~gradcli.engine.autograd.TraceListener`:
installed while a program or a gradient runs, it writes down each step the
engine takes, in the engine's order: a node ran (the gradient that arrived,
what it sent to each input), a leaf's gradient was accumulated, a retained
gradient was kept, a hook fired. Gradients are summarised on one line
(their value when small, dtype and shape otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.autograd import TraceListener
from ..engine.node import AccumulateGrad
from .tree import names_by_node, names_by_tensor, node_name, short_value


@dataclass
class TraceStep:
    """One row of a trace.

    Attributes:
        kind: ``"node"``, ``"accumulate"`` (into a leaf's .grad, or returned by
            autograd.grad), ``"retain"`` or ``"hook"``.
        node: the node's PyTorch name (``"MulBackward0"``, ``"AccumulateGrad"``).
        names: the program's names for the node's output (or the leaf).
        grad_in: the gradient(s) that arrived, one line each.
        sends: ``(input label, gradient)`` per input of the node.
    """

    kind: str
    node: str
    names: tuple[str, ...] = ()
    grad_in: tuple[str, ...] = ()
    sends: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass
class TracePass:
    """One backward pass: its steps, in the order the engine ran them."""

    steps: list[TraceStep] = field(default_factory=list)


class TraceRecorder(TraceListener):
    """Records every backward pass that runs while it is installed.

    Args:
        namespace: a callable returning the program's names (read at each
            pass, so names bound later are used).
    """

    def __init__(self, namespace=dict) -> None:
        self._namespace = namespace
        self.passes: list[TracePass] = []
        self._by_tensor: dict = {}
        self._by_node: dict = {}

    def begin(self, roots: list) -> None:
        namespace = self._namespace()
        self._by_tensor = names_by_tensor(namespace)
        self._by_node = names_by_node(namespace)
        self.passes.append(TracePass())

    def _names(self, node) -> tuple[str, ...]:
        if isinstance(node, AccumulateGrad):
            return tuple(self._by_tensor.get(id(node.variable), ()))
        names: list[str] = []
        for nr in range(len(node.output_meta())):
            names.extend(self._by_node.get((id(node), nr), ()))
        return tuple(names)

    def _label(self, node) -> str:
        if node is None:
            return "(no grad)"
        names = self._names(node)
        name = node_name(node)
        return f"{name} {', '.join(names)}" if names else name

    def _add(self, step: TraceStep) -> None:
        if not self.passes:
            self.passes.append(TracePass())
        self.passes[-1].steps.append(step)

    def node(self, node, grads_in, grads_out) -> None:
        sends = []
        for (child, _), g in zip(node.next_functions, grads_out):
            if child is None:
                continue
            sends.append((self._label(child), "None" if g is None else short_value(g)))
        self._add(TraceStep("node", node_name(node), self._names(node),
                            tuple(short_value(g) for g in grads_in), tuple(sends)))

    def accumulate(self, node, grad, stored) -> None:
        target = ".grad" if stored else "result"
        self._add(TraceStep("accumulate", "AccumulateGrad", self._names(node),
                            (short_value(grad),), ((target, short_value(grad)),)))

    def retain(self, tensor, grad) -> None:
        names = tuple(self._by_tensor.get(id(tensor), ()))
        self._add(TraceStep("retain", "retain_grad", names, (short_value(grad),),
                            ((".grad", short_value(grad)),)))

    def hook(self, owner, hook, grad, result) -> None:
        node, _ = owner
        changed = "unchanged" if result is None else short_value(result)
        self._add(TraceStep("hook", "hook", self._names(node), (short_value(grad),),
                            (("returns", changed),)))


def trace_rows(trace: TracePass) -> list[tuple[str, str, str, str]]:
    """``(step, node, gradient in, sent)`` text per step, for a table.

    Example:
        >>> trace_rows(TracePass([TraceStep("node", "NegBackward0", ("y",), ("tensor(1.)",),
        ...                                 (("AccumulateGrad x", "tensor(-1.)"),))]))
        [('1', 'NegBackward0 y', 'tensor(1.)', 'AccumulateGrad x <- tensor(-1.)')]
    """
    rows = []
    for number, step in enumerate(trace.steps, 1):
        node = f"{step.node} {', '.join(step.names)}" if step.names else step.node
        if step.kind == "accumulate":
            sent = "\n".join(f"{target} {'+=' if target == '.grad' else '='} {value}"
                             for target, value in step.sends)
        elif step.kind == "retain":
            sent = "\n".join(f"{target} = {value}" for target, value in step.sends)
        elif step.kind == "hook":
            sent = "\n".join(f"{target} {value}" for target, value in step.sends)
        else:
            sent = "\n".join(f"{target} <- {value}" for target, value in step.sends)
        rows.append((str(number), node, "\n".join(step.grad_in), sent))
    return rows


def trace_data(trace: TracePass) -> list[dict]:
    """The steps as JSON-ready dicts."""
    return [{"kind": s.kind, "node": s.node, "names": list(s.names),
             "grad_in": list(s.grad_in),
             "sends": [{"to": to, "grad": g} for to, g in s.sends]} for s in trace.steps]
