"""Recording operations and running the backward pass.

Ops call :func:`record` after computing a result; :func:`backward` and
:func:`grad` walk the recorded graph iteratively (no recursion, so a chain of
100,000 nodes is fine), each node once, in PyTorch's order: among the nodes
whose gradients are complete, the most recently created runs first.
"""

from __future__ import annotations

import heapq
import itertools
import weakref

from . import dtypes as dt
from .namespace import ops
from .node import (
    AccumulateGrad,
    Backward,
    Node,
    RemovableHandle,
    SavedContext,
    _saved_hooks,
    _saved_hooks_disabled,
    backward,
    disable_saved_hooks,
    enable_saved_hooks,
    pop_saved_hooks,
    push_saved_hooks,
)
from .tensor import INFERENCE_USED, InferenceCounter, Tensor, inference_enabled, set_inference

# ---------------------------------------------------------------- grad mode
_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether operations are being recorded (False inside ``no_grad``)."""
    return _grad_enabled


def _set_enabled(flag: bool) -> None:
    global _grad_enabled
    _grad_enabled = bool(flag)


class _GradMode:
    """Base of the grad-mode context managers: sets a mode, restores on exit."""

    _target = True

    def __enter__(self):
        self._previous = _grad_enabled
        _set_enabled(self._target)

    def __exit__(self, *exc) -> bool:
        _set_enabled(self._previous)
        return False

    def __call__(self, fn):
        def wrapped(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapped


class no_grad(_GradMode):
    """Context manager that stops recording: results do not require grad."""

    _target = False

    def __repr__(self) -> str:
        return "<torch.autograd.grad_mode.no_grad>"


class enable_grad(_GradMode):
    """Context manager that turns recording back on (inside ``no_grad``)."""

    _target = True

    def __repr__(self) -> str:
        return "<torch.autograd.grad_mode.enable_grad>"


class set_grad_enabled(_GradMode):
    """Sets grad mode now; as a context manager, restores the old mode on exit.

    Example:
        >>> with set_grad_enabled(False): is_grad_enabled()
        False
    """

    def __init__(self, mode) -> None:
        self._previous = _grad_enabled
        self._target = bool(mode)
        _set_enabled(self._target)

    def __enter__(self):
        return None

    def __repr__(self) -> str:
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self._target})"


class inference_mode(no_grad):
    """``no_grad`` whose new tensors are inference tensors (``is_inference()`` True,
    no ``_version``); ``inference_mode(False)`` turns both back off inside."""

    def __init__(self, mode: bool = True) -> None:
        self._mode = bool(mode)
        self._target = not mode

    def __enter__(self):
        self._inference = set_inference(self._mode)
        return super().__enter__()

    def __exit__(self, *exc) -> bool:
        set_inference(self._inference)
        return super().__exit__(*exc)

    def __call__(self, fn):
        mode = self._mode

        def wrapped(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)
        return wrapped

    def __repr__(self) -> str:
        return "<torch.autograd.grad_mode.inference_mode>"


def is_inference_mode_enabled() -> bool:
    """Whether ``inference_mode()`` is on."""
    return inference_enabled()


def is_inference(input) -> bool:
    """``torch.is_inference(t)``: whether ``t`` was made under ``inference_mode()``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_inference() expects a tensor, not a value of type "
                        f"{type(input).__name__}")
    return input.is_inference()


# ---------------------------------------------------------------- recording
def needs_grad(*tensors) -> bool:
    """True when grad mode is on and any of ``tensors`` requires grad."""
    if not _grad_enabled:
        return False
    for t in tensors:
        if getattr(t, "_requires_grad", False):  # numbers and None never require grad
            return True
    return False


def edge(t: Tensor | None) -> tuple:
    """The ``(node, output_nr)`` pair that gradients for ``t`` flow into."""
    if t is None or not t._requires_grad:
        return (None, 0)
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    acc = t._accumulator() if t._accumulator is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accumulator = weakref.ref(acc)
    return (acc, 0)


def record(rule: Backward, inputs: tuple, outputs, ctx: SavedContext | None = None):
    """Attaches a new node running ``rule`` to ``outputs`` (a tensor or a tuple of them).

    Args:
        rule: a :class:`~gradcli.engine.node.Backward` (declared with
            ``@backward("MulBackward0")``): the node takes its name from it.
        inputs: the tensor inputs in argument order (None for a non-tensor
            operand PyTorch still counts, such as the 2 in ``x * 2``).
        ctx: saved values for ``rule``.

    Returns ``outputs``. Call it only when :func:`needs_grad` is true.
    """
    single = isinstance(outputs, Tensor)
    outs = (outputs,) if single else tuple(outputs)
    if INFERENCE_USED and ctx is not None:
        check_not_inference(ctx._saved)
    node = Node(rule, ctx,
                tuple(edge(t) for t in inputs),
                tuple(None if t is None else (t._data.shape, t._dtype) for t in inputs),
                tuple((o._data.shape, o._dtype) for o in outs))
    for i, out in enumerate(outs):
        out._grad_fn = node
        out._output_nr = i
        out._requires_grad = True
    if _saved_hooks and ctx is not None and "_pending_hooks" in ctx.__dict__:
        ctx.pack_saved()
    if _record_listener is not None:
        _record_listener(node, inputs, outs)
    return outputs


def check_not_inference(saved) -> None:
    """Refuses to save an inference tensor for backward (PyTorch's rule)."""
    for t in saved:
        if type(getattr(t, "_counter", None)) is InferenceCounter:
            raise RuntimeError(
                "a tensor made under inference_mode() cannot be saved for the backward pass; "
                "clone it outside inference_mode() (or make it under no_grad() instead)")


# --------------------------------------------------------------- backward
def _check_roots(tensors, grads, create_graph):
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        output = "the output" if len(tensors) == 1 else f"output {i}"
        if not isinstance(t, Tensor):
            raise TypeError(f"only tensors can be differentiated, but {output} is of type "
                            f"{type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(f"{output} does not require grad and has no grad_fn, so there "
                               "is nothing to differentiate; create the tensors it is computed "
                               "from with requires_grad=True")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    f"without an explicit gradient, {output} must have exactly one element, "
                    f"but it has shape {list(t.shape)}; pass a gradient of that shape "
                    "(backward(gradient=...) or grad_outputs=...)")
            if t._dtype.category != dt.FLOAT:
                raise RuntimeError(f"without an explicit gradient, {output} must be "
                                   f"floating-point, but it has dtype {t._dtype!r}")
            g = ops.ones_like(t)
        else:
            if not isinstance(g, Tensor):
                g = ops.tensor(g, dtype=t._dtype)
            if g.shape != t.shape:
                raise RuntimeError(
                    f"the gradient given for {output} has shape {list(g.shape)}, but the "
                    f"output has shape {list(t.shape)}; they must match")
            if not create_graph:
                g = g.detach()
        roots.append((edge(t), g))
    return roots


def _walk(roots):
    """Counts, for each node reachable from ``roots``, how many edges lead to it."""
    dependencies = {}
    stack = []
    for (node, _), _g in roots:
        if node is not None and node not in dependencies:
            dependencies[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            if child in dependencies:
                dependencies[child] += 1
            else:
                dependencies[child] = 1
                stack.append(child)
    return dependencies


def _needed(dependencies, targets) -> set:
    """The nodes from which one of ``targets`` can be reached (for autograd.grad)."""
    needed = set(targets)
    for node in reversed(_topological(dependencies)):  # children before parents
        if node not in needed and any(child in needed for child, _ in node.next_functions
                                      if child is not None):
            needed.add(node)
    return needed


def _topological(dependencies) -> list:
    remaining = dict(dependencies)
    ready = [n for n, c in remaining.items() if c == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is None:
                continue
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    return order


def _accumulate(buffer: list, index: int, grad) -> None:
    if buffer[index] is None:
        buffer[index] = grad
    else:
        buffer[index] = buffer[index] + grad


def _fit(grad: Tensor, meta) -> Tensor:
    """Reduces a gradient to its input's shape and dtype (broadcasting undone once, here)."""
    shape, dtype = meta
    if grad._data.shape != shape:
        grad = ops.sum_to_size(grad, shape)
    if grad._dtype is not dtype:
        grad = ops.to_dtype(grad, dtype)
    return grad


def _run_hooks(hooks, grad, owner):
    for hook in hooks:
        result = hook(grad)
        if result is not None and not isinstance(result, Tensor):
            raise TypeError(f"a hook must return a tensor or None, not a value of type "
                            f"{type(result).__name__}")
        if _listener is not None:
            _listener.hook(owner, hook, grad, result)
        if result is not None:
            grad = result
    return grad


def _execute(roots, *, retain_graph: bool, create_graph: bool, capture=None):
    """The backward pass. ``capture`` maps edges to slots for autograd.grad."""
    global _pass_number
    _pass_number += 1
    dependencies = _walk(roots)
    buffers = {}
    for (node, nr), g in roots:
        buf = buffers.setdefault(node, [None] * _n_outputs(node))
        _accumulate(buf, nr, g)
    needed = None
    if capture is not None:
        needed = _needed(dependencies, {node for node, _ in capture})
    if _listener is not None:
        _listener.begin([(node, nr, g) for (node, nr), g in roots])
    # Ties (leaves share one sequence number) go to the node that became ready first.
    tick = itertools.count()
    heap = [(-n._seq, next(tick), n) for n, c in dependencies.items() if c == 0]
    heapq.heapify(heap)
    captured = {}
    previous = _grad_enabled
    _set_enabled(create_graph)
    try:
        while heap:
            _, _, node = heapq.heappop(heap)
            grads = buffers.pop(node, None) or [None] * _n_outputs(node)
            if isinstance(node, AccumulateGrad):
                g = grads[0]
                if g is not None:
                    g = _leaf_gradient(node.variable, g, create_graph, capture, captured, node)
                    if capture is None and g is not None and node._hooks_post:
                        _node_post_hooks(node, (), (g,))
                _release_children(node, dependencies, heap, tick)
                continue
            grads = _pre_hooks(node, grads)
            if capture is not None:
                for nr, g in enumerate(grads):
                    if (node, nr) in capture and g is not None:
                        captured[(node, nr)] = g
            if needed is not None and node not in needed:
                _release_children(node, dependencies, heap, tick)
                continue
            if node._hooks_pre:
                grads = _node_pre_hooks(node, grads)
            if all(g is None for g in grads):
                _release_children(node, dependencies, heap, tick)
                continue
            if getattr(node.ctx, "materialize_grads", True):
                grads = tuple(_fill(g, meta) for g, meta in zip(grads, node._outputs))
            results = node.apply(grads)
            if not retain_graph:
                node.release()
            if node._hooks_post:
                results = _node_post_hooks(node, results, grads)
            sent = [None] * len(node.next_functions) if _listener is not None else None
            for i, ((child, nr), g, meta) in enumerate(zip(node.next_functions, results,
                                                            node._input_meta)):
                if child is None or g is None:
                    continue
                if needed is not None and child not in needed:
                    continue
                g = _fit(g, meta)
                if sent is not None:
                    sent[i] = g
                buf = buffers.setdefault(child, [None] * _n_outputs(child))
                _accumulate(buf, nr, g)
            if _listener is not None:
                _listener.node(node, grads, tuple(sent))
            _release_children(node, dependencies, heap, tick)
    finally:
        _set_enabled(previous)
        if _listener is not None:
            _listener.end()
        ending = list(_pass_end)
        _pass_end.clear()
    for callback in ending:
        callback()
    return captured


# Called once when the running backward pass ends (register_multi_grad_hook's "all").
_pass_end: list = []
_pass_number = 0


def reset_state() -> None:
    """Grad mode on, no inference mode, no saved-tensor hooks (a fresh program's state)."""
    _set_enabled(True)
    set_inference(False)
    _saved_hooks.clear()
    _saved_hooks_disabled.clear()
    _pass_end.clear()


def _n_outputs(node) -> int:
    return 1 if isinstance(node, AccumulateGrad) else len(node._outputs)


def _fill(grad, meta):
    if grad is not None:
        return grad
    shape, dtype = meta
    return ops.zeros(shape, dtype=dtype)


def _release_children(node, dependencies, heap, tick) -> None:
    for child, _ in node.next_functions:
        if child is None:
            continue
        dependencies[child] -= 1
        if dependencies[child] == 0:
            heapq.heappush(heap, (-child._seq, next(tick), child))


def _pre_hooks(node: Node, grads: list) -> list:
    if node._pre_hooks is None and node._retained is None:
        return grads
    grads = list(grads)
    for nr in range(len(grads)):
        if grads[nr] is None:
            continue
        if node._pre_hooks and nr in node._pre_hooks:
            grads[nr] = _run_hooks(node._pre_hooks[nr], grads[nr], (node, nr))
        if node._retained and nr in node._retained:
            t = node._retained[nr]()
            if t is not None and t._grad_fn is node:
                _store_grad(t, grads[nr], create_graph=_grad_enabled)
                if _listener is not None:
                    _listener.retain(t, grads[nr])
    return grads


def _hook_result(hook, result, expected: int, what: str):
    if result is None:
        return None
    if not isinstance(result, (tuple, list)):
        raise TypeError(f"the hook {getattr(hook, '__name__', 'hook')!r} must return a tuple "
                        f"of {what} or None, not a value of type {type(result).__name__}")
    if len(result) != expected:
        raise RuntimeError(f"the hook {getattr(hook, '__name__', 'hook')!r} returned "
                           f"{len(result)} {what}, but the node has {expected}")
    for g in result:
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"the hook {getattr(hook, '__name__', 'hook')!r} must return "
                            f"tensors or None, not a value of type {type(g).__name__}")
    return tuple(result)


def _node_pre_hooks(node, grads) -> tuple:
    """``grad_fn.register_prehook`` hooks: ``hook(grad_outputs)``, in registration order."""
    grads = tuple(grads)
    for hook in list(node._hooks_pre):
        result = _hook_result(hook, hook(grads), len(grads), "gradients of outputs")
        if result is not None:
            grads = result
    return grads


def _node_post_hooks(node, results, grads) -> tuple:
    """``grad_fn.register_hook`` hooks: ``hook(grad_inputs, grad_outputs)``; an input
    without an edge shows None, as in PyTorch."""
    results = tuple(g if child is not None else None
                    for (child, _), g in zip(node.next_functions, results))
    grads = tuple(grads)
    for hook in list(node._hooks_post):
        result = _hook_result(hook, hook(results, grads), len(results), "gradients of inputs")
        if result is not None:
            results = result
    return results


# Tensor.register_post_accumulate_grad_hook: id(leaf) -> (weakref to it, hooks).
_post_accumulate: dict = {}


def register_post_accumulate_grad_hook(t: Tensor, hook) -> RemovableHandle:
    """Runs ``hook(t)`` each time a backward pass has accumulated into ``t.grad``."""
    if not t._requires_grad:
        raise RuntimeError("register_post_accumulate_grad_hook() needs a tensor that "
                           "requires grad: no gradient is ever accumulated into this one")
    if t._grad_fn is not None:
        raise RuntimeError("register_post_accumulate_grad_hook() needs a leaf tensor: "
                           "gradients are accumulated only into leaves")
    if not callable(hook):
        raise TypeError(f"register_post_accumulate_grad_hook() expects a function, not a "
                        f"value of type {type(hook).__name__}")
    key = id(t)
    entry = _post_accumulate.get(key)
    if entry is None or entry[0]() is not t:
        # The table is bound now: at interpreter exit module globals may be gone.
        entry = (weakref.ref(t, lambda _ref, key=key, table=_post_accumulate:
                             table.pop(key, None)), [])
        _post_accumulate[key] = entry
    entry[1].append(hook)
    return RemovableHandle(entry[1], hook)


def _leaf_gradient(leaf: Tensor, g, create_graph, capture, captured, node):
    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g, (node, 0))
    if capture is not None:
        if (node, 0) in capture:
            captured[(node, 0)] = g
        if _listener is not None:
            _listener.accumulate(node, g, False)
        return g
    if node._hooks_pre:
        g = _node_pre_hooks(node, (g,))[0]
        if g is None:
            return None
    _store_grad(leaf, g, create_graph)
    if _listener is not None:
        _listener.accumulate(node, g, True)
    if _post_accumulate:
        entry = _post_accumulate.get(id(leaf))
        if entry is not None and entry[0]() is leaf:
            for hook in list(entry[1]):
                hook(leaf)
    return g


def _store_grad(t: Tensor, g: Tensor, create_graph: bool) -> None:
    if g._dtype is not t._dtype:
        g = ops.to_dtype(g, t._dtype)
    if t._grad is None:
        if create_graph and g._requires_grad:
            # PyTorch copies a differentiable first gradient into .grad, which
            # records a CopyBackwards node over the incoming gradient.
            copied = Tensor._make(g._data.copy(), g._dtype)
            t._grad = record(_copy_backward, (None, g), copied)
        elif create_graph:
            t._grad = g
        else:
            t._grad = Tensor._make(g._data.copy(), g._dtype)
    elif create_graph or t._grad._requires_grad:
        t._grad = t._grad + g
    else:
        t._grad._data += g._data.astype(t._grad._data.dtype, copy=False)
        t._grad._counter.value += 1


@backward("CopyBackwards")
def _copy_backward(ctx, grad):
    return None, grad


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None) -> None:
    """Computes gradients of ``tensors`` and accumulates them into the leaves' ``.grad``."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    tensors = tuple(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,) * len(tensors) if grad_tensors is None else (grad_tensors,)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _check_roots(tensors, tuple(grad_tensors), create_graph)
    _execute(roots, retain_graph=retain_graph, create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """``torch.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``.

    Nothing is accumulated into ``.grad``; returns a tuple with one gradient
    per input (None for an unused input when ``allow_unused=True``).
    """
    single_output = isinstance(outputs, Tensor)
    outputs = (outputs,) if single_output else tuple(outputs)
    inputs_tuple = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = ((grad_outputs,) * len(outputs) if grad_outputs is None
                        else (grad_outputs,))
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    def which(i: int) -> str:
        return "the input" if len(inputs_tuple) == 1 else f"input {i}"

    for i, t in enumerate(inputs_tuple):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad() differentiates with respect to tensors, but {which(i)} is "
                            f"of type {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(f"{which(i)} does not require grad, so grad() cannot "
                               "differentiate with respect to it")
    roots = _check_roots(outputs, tuple(grad_outputs), create_graph)
    targets = [edge(t) for t in inputs_tuple]
    captured = _execute(roots, retain_graph=retain_graph, create_graph=create_graph,
                        capture=set(targets))
    result = []
    for i, (t, target) in enumerate(zip(inputs_tuple, targets)):
        g = captured.get(target)
        if g is None:
            if materialize_grads:
                g = ops.zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(
                    f"{which(i)} was not used to compute the outputs, so it has no gradient; "
                    "pass allow_unused=True to get None for it instead")
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


# ------------------------------------------------------------ inspection
class TraceListener:
    """Receives each step of a backward pass as the engine runs it.

    Install one with :func:`set_trace_listener`; override the methods you need.
    Gradients are the engine's own tensors: read them, never change them.
    """

    def begin(self, roots: list) -> None:
        """A pass starts: ``(node, output_nr, seed gradient)`` per output differentiated."""

    def node(self, node: Node, grads_in: tuple, grads_out: tuple) -> None:
        """``node`` ran: the gradients of its outputs in, one gradient per input out
        (fitted to the input's shape and dtype; None where an input gets none)."""

    def accumulate(self, node: AccumulateGrad, grad: Tensor, stored: bool) -> None:
        """A leaf's gradient is complete: added to ``.grad`` (stored) or returned by grad()."""

    def retain(self, tensor: Tensor, grad: Tensor) -> None:
        """A non-leaf tensor that called retain_grad() got its ``.grad``."""

    def hook(self, owner: tuple, hook, grad: Tensor, result) -> None:
        """A hook registered on output ``owner = (node, output_nr)`` ran on ``grad``."""

    def end(self) -> None:
        """The pass finished (or stopped on an error)."""


_listener: TraceListener | None = None
_record_listener = None


def set_record_listener(listener) -> object:
    """Calls ``listener(node, inputs, outputs)`` each time an op records a node (None: stop).

    Returns the previous listener. ``inputs`` are the op's tensor inputs in
    argument order (None where PyTorch counts a non-tensor operand).
    """
    global _record_listener
    previous, _record_listener = _record_listener, listener
    return previous


def set_trace_listener(listener: TraceListener | None) -> TraceListener | None:
    """Installs ``listener`` for the backward passes that follow; returns the previous one.

    Example:
        >>> previous = set_trace_listener(TraceListener())
        >>> set_trace_listener(previous) is not None
        True
    """
    global _listener
    previous, _listener = _listener, listener
    return previous


class GraphStep:
    """One visit of :func:`walk_graph`.

    Attributes:
        node: the grad_fn node, or None for an input that needs no gradient.
        depth: 0 for the root.
        parent: the node whose ``next_functions`` lead here (None for the root).
        index: the position in the parent's ``next_functions``.
        seen: True when ``node`` was visited before (its inputs are not walked again).
    """

    __slots__ = ("depth", "index", "node", "parent", "seen")

    def __init__(self, node, depth, parent, index, seen) -> None:
        self.node, self.depth, self.parent, self.index, self.seen = (
            node, depth, parent, index, seen)


def walk_graph(root):
    """Visits the graph under ``root`` depth first, inputs in ``next_functions`` order.

    Each node's inputs are walked once; a shared node met again is yielded with
    ``seen=True``. Iterative, so deep chains are fine.

    Example:
        >>> [step.node.name() for step in walk_graph(y.grad_fn)]   # doctest: +SKIP
        ['MulBackward0', 'torch::autograd::AccumulateGrad']
    """
    visited = set()
    stack = [(root, 0, None, 0)]
    while stack:
        node, depth, parent, index = stack.pop()
        seen = node is not None and node in visited
        yield GraphStep(node, depth, parent, index, seen)
        if node is None or seen:
            continue
        visited.add(node)
        for i in range(len(node.next_functions) - 1, -1, -1):
            stack.append((node.next_functions[i][0], depth + 1, node, i))


# ------------------------------------------------------------ tensor hooks
def register_hook(t: Tensor, hook) -> RemovableHandle:
    """Runs ``hook(grad)`` whenever a gradient for ``t`` is computed."""
    if not t._requires_grad:
        raise RuntimeError("register_hook() needs a tensor that requires grad: no gradient "
                           "is ever computed for this one")
    if t._grad_fn is None:
        if t._hooks is None:
            t._hooks = []
        hooks = t._hooks
    else:
        node = t._grad_fn
        if node._pre_hooks is None:
            node._pre_hooks = {}
        hooks = node._pre_hooks.setdefault(t._output_nr, [])
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def retain_grad(t: Tensor) -> None:
    """Makes a non-leaf tensor keep its gradient in ``.grad``."""
    if not t._requires_grad:
        raise RuntimeError("retain_grad() needs a tensor that requires grad: no gradient is "
                           "ever computed for this one")
    if t._grad_fn is None or t._retains_grad:
        return
    t._retains_grad = True
    node = t._grad_fn
    if node._retained is None:
        node._retained = {}
    node._retained[t._output_nr] = weakref.ref(t)


# ------------------------------------------------- torch.autograd.graph
class _NodeType(type):
    """``torch.autograd.graph.Node``: the class every grad_fn is an instance of."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, (Node, AccumulateGrad))

    def __subclasscheck__(cls, sub) -> bool:
        return isinstance(sub, type) and issubclass(sub, (Node, AccumulateGrad))

    def __repr__(cls) -> str:
        return "<class 'torch.autograd.graph.Node'>"


class GraphNode(metaclass=_NodeType):
    """Stands for PyTorch's abstract ``Node`` (for ``isinstance`` checks)."""

    def __new__(cls, *args, **kwargs):
        raise TypeError("torch.autograd.graph.Node cannot be made directly: every grad_fn "
                        "is one")


class saved_tensors_hooks:
    """``with saved_tensors_hooks(pack, unpack):`` each tensor an op saves for backward
    is stored as ``pack(tensor)``, and the backward pass reads ``unpack(packed)``."""

    def __init__(self, pack_hook, unpack_hook) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        push_saved_hooks(self.pack_hook, self.unpack_hook)
        return self

    def __exit__(self, *exc) -> bool:
        pop_saved_hooks()
        return False

    def __repr__(self) -> str:
        return "<torch.autograd.graph.saved_tensors_hooks>"


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors kept on the CPU: where gradcli keeps them anyway (no-op hooks)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        super().__init__(lambda t: t, lambda t: t)

    def __repr__(self) -> str:
        return "<torch.autograd.graph.save_on_cpu>"


class disable_saved_tensors_hooks:
    """Inside it, installing ``saved_tensors_hooks`` raises RuntimeError(error_message)."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self):
        disable_saved_hooks(self.error_message)
        return self

    def __exit__(self, *exc) -> bool:
        enable_saved_hooks()
        return False

    def __call__(self, fn):
        def wrapped(*args, **kwargs):
            with disable_saved_tensors_hooks(self.error_message):
                return fn(*args, **kwargs)
        return wrapped

    def __repr__(self) -> str:
        return "<torch.autograd.graph.disable_saved_tensors_hooks>"


class allow_mutation_on_saved_tensors:
    """Inside it, an in-place change of a tensor saved for backward does not break the
    backward pass: the tensor is cloned before it changes. gradcli keeps its saved
    values by version, so inside the context saved tensors are copied when saved."""

    def __enter__(self):
        push_saved_hooks(_clone_saved, _identity)
        return self

    def __exit__(self, *exc) -> bool:
        pop_saved_hooks()
        return False

    def __repr__(self) -> str:
        return "<torch.autograd.graph.allow_mutation_on_saved_tensors>"


def _clone_saved(t):
    return _Snapshot(t)


class _Snapshot:
    """A saved tensor's values at save time (for allow_mutation_on_saved_tensors)."""

    __slots__ = ("tensor",)

    def __init__(self, t) -> None:
        self.tensor = t.detach().clone()
        self.tensor._requires_grad = False


def _identity(packed):
    return packed.tensor if isinstance(packed, _Snapshot) else packed


class _MultiGradHandle:
    def __init__(self, handles) -> None:
        self._handles = handles

    def remove(self) -> None:
        for h in self._handles:
            h.remove()

    def __repr__(self) -> str:
        return "<torch.utils.hooks.RemovableHandle>"


def register_multi_grad_hook(tensors, fn, *, mode: str = "all"):
    """``fn`` sees the gradients of several tensors: with ``mode="all"`` once per
    backward pass, as a list (None for a tensor that got no gradient), when the last
    of them is computed or the pass ends; with ``mode="any"`` on the first gradient of
    any of them, once per pass."""
    if mode not in ("all", "any"):
        raise ValueError(f"register_multi_grad_hook() expects mode 'all' or 'any', not "
                         f"{mode!r}")
    tensors = tuple(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"register_multi_grad_hook() expects tensors, but item {i} is of "
                            f"type {type(t).__name__}")
    state = {"pass": None, "grads": None}

    def fire(number: int) -> None:
        if state["pass"] == number and state["grads"] is not None:
            grads, state["grads"] = state["grads"], None
            fn(grads)

    def hook_for(index: int):
        def hook(grad):
            number = _pass_number
            if state["pass"] != number:
                state["pass"] = number
                state["grads"] = None if mode == "any" else [None] * len(tensors)
                if mode == "any":
                    fn(grad)
                    return
                _pass_end.append(lambda: fire(number))
            if mode == "any" or state["grads"] is None:
                return
            state["grads"][index] = grad
            if all(state["grads"][i] is not None for i, t in enumerate(tensors)
                   if t._requires_grad):
                fire(number)
        return hook

    handles = [register_hook(t, hook_for(i)) for i, t in enumerate(tensors)
               if t._requires_grad]
    return _MultiGradHandle(handles)
