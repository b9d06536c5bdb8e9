"""``torch.autograd.Function``: gradients a program writes itself.

A program subclasses :class:`Function` with ``forward(ctx, *args)`` and
``backward(ctx, *grads)`` (both ``@staticmethod``) and calls ``Cls.apply``.
``apply`` runs ``forward`` without recording, then records one node named
``<ClassName>Backward``, as PyTorch names it, whose backward rule calls the
program's ``backward`` (through the interpreter: it is a user function) and
checks what it returns as PyTorch does: one gradient per ``forward``
argument, each of a shape that sums down to its input's.

The interpreter lets a program subclass this class because it sets
``_gradcli_subclassable``; nothing here knows about the interpreter.

Example:
    >>> from gradcli.engine.namespace import ops
    >>> class Double(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         return grad * 2
    >>> y = Double.apply(ops.tensor([1.0], requires_grad=True))
    >>> y.grad_fn.name()
    'DoubleBackward'
"""

from __future__ import annotations

import functools

from ..engine import autograd as ag
from ..engine.node import Backward, SavedContext
from ..engine.tensor import Tensor
from .module import Module

_NODE_MODULE = "torch.autograd.function"


class FunctionCtx(SavedContext):
    """The ``ctx`` that ``forward`` and ``backward`` share.

    Besides the methods below, a program may set any public attribute on it
    (``ctx.k = 3``) and read it back in ``backward``.
    """

    def __init__(self, needs_input_grad: tuple) -> None:
        super().__init__()
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._non_differentiable: tuple = ()
        self._dirty: tuple = ()

    def save_for_backward(self, *tensors) -> None:
        for value in tensors:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"save_for_backward() can only save tensors or None, not a "
                                f"value of type {type(value).__name__}")
        self.save(*tensors)

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__}>"


class FunctionMeta(type):
    """The metaclass of :class:`Function` (named as PyTorch names it)."""


FunctionMeta.__module__ = _NODE_MODULE


class Function(metaclass=FunctionMeta):
    """The base of custom autograd functions (``class Exp(torch.autograd.Function)``)."""

    _gradcli_subclassable = True

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a torch.autograd.Function subclass must define forward()")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a torch.autograd.Function subclass must define backward() "
                                  "to be differentiated")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not defined")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Runs ``forward`` and records the node that runs ``backward``."""
        if cls is Function:
            raise RuntimeError("Function.apply() is called on a subclass that defines "
                               "forward() and backward()")
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx = FunctionCtx(needs)
        separate_setup = _defines(cls, "setup_context")
        with ag.no_grad():
            if separate_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        inputs = tuple(a for a in args if isinstance(a, Tensor))
        dirty = {id(t) for t in ctx._dirty}
        fresh = []
        for value in outputs:
            if isinstance(value, Tensor) and id(value) not in dirty and any(
                    value is t for t in inputs):
                with ag.no_grad():
                    value = value.detach()      # an input returned as is: a new alias
            fresh.append(value)
        outputs = tuple(fresh)
        tensors = tuple(value for value in outputs if isinstance(value, Tensor))
        if tensors and ag.needs_grad(*inputs):
            for value in ctx._dirty:
                if isinstance(value, Tensor) and value._requires_grad and value._grad_fn is None:
                    raise RuntimeError("a leaf tensor that requires grad was modified in place "
                                       "by the forward of a custom Function (mark_dirty); "
                                       "modify a copy (.clone()) instead")
            positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
            name = cls.__name__ + "Backward"
            rule = Backward(name, functools.partial(_run_backward, cls, name, len(args),
                                                    positions, inputs),
                            qualified=f"{_NODE_MODULE}.{name}")
            ag.record(rule, inputs, tensors, ctx)
            for value in ctx._non_differentiable:
                if isinstance(value, Tensor) and value._grad_fn is not None:
                    value._grad_fn = None
                    value._requires_grad = False
        return outputs[0] if single else outputs


def _defines(cls: type, name: str) -> bool:
    return any(name in vars(klass) for klass in cls.__mro__ if klass is not Function)


def _run_backward(cls: type, name: str, count: int, positions: tuple, inputs: tuple,
                  ctx: FunctionCtx, *grads):
    """The node's backward rule: the program's ``backward``, checked as PyTorch checks it."""
    result = cls.backward(ctx, *grads)
    results = result if isinstance(result, tuple) else (result,)
    if len(results) > count and all(g is None for g in results[count:]):
        results = results[:count]
    if len(results) != count:
        raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                           f"(expected {count}, got {len(results)})")
    chosen = []
    for index, grad in enumerate(results):
        if index not in positions:
            if grad is not None:
                raise RuntimeError(f"function {name} returned a gradient different from None "
                                   f"at position {index + 1}, but the corresponding forward "
                                   "input was not a tensor")
            continue
        if grad is not None:
            if not isinstance(grad, Tensor):
                raise RuntimeError(f"function {name} returned a gradient of type "
                                f"{type(grad).__name__} at position {index + 1}; gradients "
                                "must be tensors or None")
            expected = inputs[positions.index(index)].shape
            if not _expandable(expected, grad.shape):
                raise RuntimeError(f"Function {name} returned an invalid gradient at index "
                                   f"{index} - got {list(grad.shape)} but expected shape "
                                   f"compatible with {list(expected)}")
        chosen.append(grad)
    return tuple(chosen)


def _expandable(shape: tuple, target: tuple) -> bool:
    """Whether ``shape`` broadcasts to ``target`` (so a gradient sums back down)."""
    if len(shape) > len(target):
        return False
    for size, wanted in zip(reversed(shape), reversed(target)):
        if size != wanted and size != 1:
            return False
    return True


def once_differentiable(fn):
    """Marks a ``backward`` that is not itself differentiable: it runs without recording."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with ag.no_grad():
            return fn(ctx, *args)
    return wrapper


def build_function_module() -> Module:
    """``torch.autograd.function``."""
    return Module("torch.autograd.function", {
        "Function": Function, "FunctionCtx": FunctionCtx, "once_differentiable":
        once_differentiable,
    })
