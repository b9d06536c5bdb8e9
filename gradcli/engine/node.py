"""Autograd graph nodes: the objects behind ``grad_fn`` and ``next_functions``.

A :class:`Node` is one recorded operation. It knows its PyTorch name
(``MulBackward0``), its edges to the nodes of its inputs, the values it saved
for backward, and a pure backward rule ``rule(ctx, *grads) -> grads per input``.
Leaves that require grad feed an :class:`AccumulateGrad` node.

A backward rule is declared once with its node name, right beside the op's
forward, and the op's table entry lists the rules it can record::

    @backward("MulBackward0")
    def mul_backward(ctx, grad): ...

    @table.op(backward=(mul_backward,))
    def mul(input, other): ... ag.record(mul_backward, (input, other), result, ctx)
"""

from __future__ import annotations

import itertools

_sequence = itertools.count()



def sequence_mark() -> int:
    """A number below every node created from now on and above every node created before.

    Example:
        >>> sequence_mark() < sequence_mark()
        True
    """
    return next(_sequence)


FREED_MESSAGE = (
    "cannot go backward through this graph a second time, or read its saved values: the "
    "first backward pass freed them; pass retain_graph=True to that first backward() or "
    "autograd.grad() call to keep them")


class Backward:
    """A backward rule and the PyTorch name of the node that runs it.

    Attributes:
        name: the node's class name in PyTorch (``"MulBackward0"``).
        fn: ``fn(ctx, *output_grads)`` returning one gradient per input.
        qualified: how the node prints, when not ``<name>`` (a custom
            ``autograd.Function``'s node prints with its module).
    """

    __slots__ = ("fn", "name", "qualified")

    def __init__(self, name: str, fn, qualified: str | None = None) -> None:
        self.name = name
        self.fn = fn
        self.qualified = qualified

    def __call__(self, ctx, *grads):
        return self.fn(ctx, *grads)

    def __repr__(self) -> str:
        return f"<backward rule {self.name}>"


def backward(name: str):
    """Declares the decorated function as the backward rule of node ``name``.

    Example:
        >>> @backward("NegBackward0")
        ... def neg_backward(ctx, grad):
        ...     return (-grad,)
        >>> neg_backward.name
        'NegBackward0'
    """
    def declare(fn) -> Backward:
        return Backward(name, fn)
    return declare


class SavedValues:
    """A read-only look at what a node saved for its backward pass.

    Attributes:
        tensors: the saved tensors (and numbers) in the order the rule reads them;
            empty once freed.
        extras: the plain values the rule keeps (dims, shapes, flags) by name.
        freed: True when a backward pass without ``retain_graph`` dropped them.
    """

    __slots__ = ("extras", "freed", "tensors")

    def __init__(self, tensors: tuple, extras: dict, freed: bool) -> None:
        self.tensors = tensors
        self.extras = extras
        self.freed = freed


# saved_tensors_hooks: a stack of (pack, unpack) pairs; disable_saved_tensors_hooks
# sets a message that makes installing one an error.
_saved_hooks: list = []
_saved_hooks_disabled: list = []


def push_saved_hooks(pack, unpack) -> None:
    """Installs ``(pack, unpack)`` for the tensors saved from now on (innermost wins)."""
    if _saved_hooks_disabled:
        raise RuntimeError(_saved_hooks_disabled[-1])
    for fn, what in ((pack, "pack_hook"), (unpack, "unpack_hook")):
        if not callable(fn):
            raise TypeError(f"saved_tensors_hooks() expects a function as {what}, not a "
                            f"value of type {type(fn).__name__}")
    _saved_hooks.append((pack, unpack))


def pop_saved_hooks() -> None:
    _saved_hooks.pop()


def disable_saved_hooks(message: str) -> None:
    """Makes installing saved-tensor hooks an error with ``message`` (until enabled)."""
    if _saved_hooks:
        raise RuntimeError(message)
    _saved_hooks_disabled.append(str(message))


def enable_saved_hooks() -> None:
    _saved_hooks_disabled.pop()


class SavedContext:
    """What a node keeps for its backward rule.

    Tensors go through :meth:`save`, which records their version so that an
    in-place change made after the forward pass is caught at backward time;
    anything else (shapes, dims, flags) is set as a plain attribute.
    """

    def __init__(self, *saved, **values) -> None:
        """``SavedContext(x, y, dim=1)`` saves ``x`` and ``y`` and sets ``ctx.dim``."""
        self._saved = ()
        self._versions = ()
        self._freed = False
        self._node = None
        if saved:
            self.save(*saved)
        self.__dict__.update(values)

    def save(self, *values) -> None:
        """Keeps tensors (version-checked) or plain numbers for the backward rule."""
        self._saved = values
        self._versions = tuple(t._counter.value if hasattr(t, "_counter") else None
                               for t in values)
        if _saved_hooks:
            # Packed when the op records its node (pack_saved), so that a saved output
            # already shows its grad_fn, as in PyTorch.
            self._pending_hooks = _saved_hooks[-1]

    def pack_saved(self) -> None:
        """Runs the pack hook of ``saved_tensors_hooks`` on each saved tensor."""
        pack, unpack = self.__dict__.pop("_pending_hooks")
        self._packed = (unpack, tuple((pack(t),) if hasattr(t, "_counter") else None
                                      for t in self._saved))

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        if "_pending_hooks" in self.__dict__:
            self.pack_saved()
        packed = self.__dict__.get("_packed")
        if packed is not None:
            # What the unpack hook returns is used as it is: no version check (PyTorch's).
            unpack, items = packed
            return tuple(v if p is None else unpack(p[0]) for v, p in zip(self._saved, items))
        for t, version in zip(self._saved, self._versions):
            if version is not None and t._counter.value != version:
                where = (f"output {t._output_nr} of {t._grad_fn.name()}" if t._grad_fn is not None
                         else "a leaf tensor")
                raise RuntimeError(
                    f"a tensor saved for the backward pass was modified by an in-place operation "
                    f"after it was saved: the {t._dtype!r} tensor of shape {list(t.shape)}, "
                    f"{where}, is at version {t._counter.value} but the graph needs version "
                    f"{version}; modify a copy (.clone()) instead")
        return self._saved

    def inspect(self) -> SavedValues:
        """What was saved, without the version check (for views of the graph)."""
        extras = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        return SavedValues(tuple(self._saved), extras, self._freed)

    def release(self) -> None:
        """Drops the saved tensors (after a backward pass without retain_graph)."""
        if any(v is not None for v in self._saved):
            self._saved = ()
            self._freed = True
            self.__dict__.pop("_packed", None)


class RemovableHandle:
    """Returned by the ``register_*hook`` methods; ``remove()`` takes the hook away."""

    def __init__(self, hooks: list, hook) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __repr__(self) -> str:
        return "<torch.utils.hooks.RemovableHandle>"


def _check_callable(fn, what: str) -> None:
    if not callable(fn):
        raise TypeError(f"{what}() expects a function, not a value of type "
                        f"{type(fn).__name__}")


def _register_post_hook(self, fn) -> RemovableHandle:
    """``grad_fn.register_hook(fn)``: ``fn(grad_inputs, grad_outputs)`` runs after the
    node; a tuple it returns replaces ``grad_inputs``."""
    _check_callable(fn, "register_hook")
    if self._hooks_post is None:
        self._hooks_post = []
    self._hooks_post.append(fn)
    return RemovableHandle(self._hooks_post, fn)


def _register_pre_hook(self, fn) -> RemovableHandle:
    """``grad_fn.register_prehook(fn)``: ``fn(grad_outputs)`` runs before the node; a
    tuple it returns replaces ``grad_outputs``."""
    _check_callable(fn, "register_prehook")
    if self._hooks_pre is None:
        self._hooks_pre = []
    self._hooks_pre.append(fn)
    return RemovableHandle(self._hooks_pre, fn)


@property
def _metadata_property(self) -> dict:
    """A dictionary of the program's own, kept with the node (``grad_fn.metadata``)."""
    if self._metadata is None:
        self._metadata = {}
    return self._metadata


# Nodes that belong to autograd itself rather than to an op's derivatives.
_AUTOGRAD_NODES = frozenset({"CopySlices", "NotImplemented", "Error", "DelayedError"})


class Node:
    """One operation in the autograd graph.

    Attributes:
        next_functions: one ``(node_or_None, output_nr)`` pair per input, in
            argument order, exactly as PyTorch exposes it.
    """

    __slots__ = (
        "__weakref__",
        "_hooks_post",
        "_hooks_pre",
        "_input_meta",
        "_metadata",
        "_name",
        "_outputs",
        "_pre_hooks",
        "_repr",
        "_retained",
        "_rule",
        "_seq",
        "ctx",
        "next_functions",
    )

    def __init__(self, rule: Backward, ctx: SavedContext | None, next_functions: tuple,
                 input_meta: tuple, outputs: tuple) -> None:
        self._name = rule.name
        self._repr = rule.qualified
        self._rule = rule.fn
        self.ctx = ctx
        self.next_functions = next_functions
        self._input_meta = input_meta  # (shape, dtype) per input, to fit each gradient
        self._outputs = outputs  # (shape, dtype) per output, to make missing gradients
        self._seq = next(_sequence)
        self._pre_hooks = None  # {output_nr: [hook, ...]} from Tensor.register_hook
        self._retained = None  # {output_nr: weakref to a tensor that retains its grad}
        self._hooks_pre = None  # grad_fn.register_prehook(fn): fn(grad_outputs)
        self._hooks_post = None  # grad_fn.register_hook(fn): fn(grad_inputs, grad_outputs)
        self._metadata = None

    def name(self) -> str:
        """What PyTorch's ``grad_fn.name()`` returns: the class name (``'MulBackward0'``),
        qualified for the nodes autograd itself implements in C++
        (``'torch::autograd::CopySlices'``)."""
        if self._name in _AUTOGRAD_NODES:
            return "torch::autograd::" + self._name
        return self._name

    def __repr__(self) -> str:
        return f"<{self._repr or self._name}>"

    def apply(self, grads: tuple) -> tuple:
        """Runs the backward rule: gradients of the outputs -> gradients of the inputs."""
        result = self._rule(self.ctx, *grads)
        return result if isinstance(result, tuple) else (result,)

    def release(self) -> None:
        if self.ctx is not None:
            self.ctx.release()

    def saved(self) -> SavedValues:
        """What this node saved for backward (read without the in-place version check).

        Example:
            >>> node.saved().freed   # doctest: +SKIP
            False
        """
        if self.ctx is None:
            return SavedValues((), {}, False)
        return self.ctx.inspect()

    def sequence_nr(self) -> int:
        """When the node was created, relative to other nodes (as PyTorch's sequence_nr)."""
        return self._seq

    def output_meta(self) -> tuple:
        """``(shape, dtype)`` of each output, in output order."""
        return self._outputs

    def retains_grad(self) -> bool:
        """Whether an output of this node called ``retain_grad()``."""
        return bool(self._retained)

    def hook_count(self) -> int:
        """How many hooks registered on this node's outputs are waiting to run."""
        return sum(len(h) for h in self._pre_hooks.values()) if self._pre_hooks else 0

    register_hook = _register_post_hook
    register_prehook = _register_pre_hook
    metadata = _metadata_property


class AccumulateGrad:
    """The node that adds incoming gradients into a leaf's ``.grad``."""

    __slots__ = ("__weakref__", "_hooks_post", "_hooks_pre", "_metadata", "_seq", "variable")

    next_functions = ()

    def __init__(self, variable) -> None:
        self.variable = variable
        self._seq = -1  # runs after every operation node, as in PyTorch
        self._hooks_pre = None
        self._hooks_post = None
        self._metadata = None

    register_hook = _register_post_hook
    register_prehook = _register_pre_hook
    metadata = _metadata_property

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"

    def release(self) -> None:
        pass

    def hook_count(self) -> int:
        """How many hooks registered on the leaf are waiting to run."""
        return len(self.variable._hooks or ())

    def saved(self) -> SavedValues:
        """An AccumulateGrad node saves nothing."""
        return SavedValues((), {}, False)
