"""The op table: one entry per operation, and how entries become torch's API.

Each family module (``elementwise``, ``reduce``, ...) owns an :class:`OpTable`
and declares every op right at its forward::

    @backward("MulBackward0")
    def _mul_backward(ctx, grad): ...

    @table.op(operators=("__mul__", "__rmul__"), inplace=True, backward=(_mul_backward,))
    def mul(input, other): ...

An entry says under which names the op is reachable (``torch.NAME``,
``Tensor.NAME``, operators, aliases, ``torch.nn.functional`` names, the
in-place ``NAME_`` method), which backward rules it can record (each carries
its node name, checked against PyTorch and by gradcheck), and the function
itself, written with PyTorch's argument names. Declaring an op also makes it
reachable as ``ops.NAME`` in :mod:`gradcli.engine.namespace`, the way other
families call it.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass, field

from ..namespace import ops as namespace
from ..node import Backward
from ..tensor import Tensor
from .inplace import apply_inplace, write_out


@dataclass(frozen=True)
class OpDef:
    """One op's declaration. See the module docstring."""

    name: str
    fn: Callable
    function: bool = True
    method: bool = True
    aliases: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    inplace: bool = False
    backward: tuple[Backward, ...] = ()
    out: bool = True
    functional: tuple[str, ...] = ()
    composes: tuple[str, ...] = ()
    inplace_operators: tuple[str, ...] = ()
    domain: tuple[tuple[float, float], ...] = ()
    qualified: tuple[str, ...] = ()
    self_arg: int = 0

    @property
    def grad_fns(self) -> tuple[str, ...]:
        """The PyTorch names of the nodes this op records itself."""
        return tuple(rule.name for rule in self.backward)


@dataclass
class OpTable:
    """The ops of one family, in declaration order."""

    family: str
    ops: list[OpDef] = field(default_factory=list)

    def op(self, *, function: bool = True, method: bool = True, aliases: tuple = (),
           operators: tuple = (), inplace: bool = False, backward: tuple = (),
           out: bool = True, name: str | None = None, functional: tuple = (),
           composes: tuple = (), inplace_operators: tuple = (), domain: tuple = (),
           qualified: tuple = (), self_arg: int = 0):
        """Declares the decorated function as an op (see :class:`OpDef`).

        ``functional`` lists its names in ``torch.nn.functional``; ``composes``
        names the other ops it is built from, whose nodes its graph shows
        (``einsum`` records ``MulBackward0`` through ``mul``); ``inplace_operators``
        are the augmented assignments (``__iadd__``) that run its ``NAME_`` method.
        ``qualified`` lists its names in torch's other submodules, as
        ``"SUBMODULE.NAME"`` (``"linalg.det"``, ``"special.expit"``); an op that
        exists only there says ``function=False, method=False``. ``self_arg`` is the
        position of the tensor a method is called on (``polygamma(n, input)`` has
        ``x.polygamma(n)``: ``self_arg=1``).

        ``domain`` gives one ``(low, high)`` range per tensor argument for an op
        that takes just those tensors (``op(x)``, ``op(x, y)``): the systematic
        test (``tests/engine/test_systematic.py``) then gradchecks the op at first
        and second order on scalar, vector, matrix and broadcast shapes drawn from
        those ranges, and compares values, dtypes, node names and gradients with
        PyTorch, with no test of its own to write.
        """

        def declare(fn):
            opdef = OpDef(name or fn.__name__, fn, function, method, tuple(aliases),
                          tuple(operators), inplace, tuple(backward), out, tuple(functional),
                          tuple(composes), tuple(inplace_operators),
                          tuple(tuple(r) for r in domain), tuple(qualified), self_arg)
            for q in opdef.qualified:
                if "." not in q:
                    raise AssertionError(f"{opdef.name}: qualified name {q!r} has no submodule")
            self.ops.append(opdef)
            for n in (opdef.name,) + opdef.aliases:
                namespace.provide(n, fn)
            return fn

        return declare

    def internal(self, fn):
        """Declares a helper other families call (``ops.NAME``) that is not a public op."""
        namespace.provide(fn.__name__, fn)
        return fn


def with_out(fn):
    """Adds PyTorch's ``out=`` keyword: the result is written into ``out``."""

    def call(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        if out is None:
            return result
        return write_out(out, result)

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    call.__wrapped__ = fn
    return call


def tensor_input(fn, opdef: OpDef):
    """The function form of ``opdef`` (``torch.NAME``): when it fails on an attribute
    of its tensor argument because that argument is not a tensor (``torch.flatten(0)``),
    the error is the TypeError PyTorch raises, not an AttributeError from the engine.

    Only the failing call pays: arguments that work (``torch.pow(2, x)``) are untouched.
    """
    position = opdef.self_arg
    code = getattr(opdef.fn, "__code__", None)
    arg = code.co_varnames[position] if code and position < code.co_argcount else "input"

    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AttributeError as exc:
            value = args[position] if position < len(args) else kwargs.get(arg)
            where = f"for argument '{arg}' (position {position + 1})"
            if isinstance(value, Tensor) or _tensor_list(value):
                # Another argument that is not a tensor, met where the op wants one.
                value, where = _culprit(exc, code, args, kwargs)
                if value is None:
                    raise
            raise TypeError(f"{opdef.name}() expects a tensor {where}, not a "
                            f"value of type {type(value).__name__}") from None

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    call.__wrapped__ = fn
    return call


def _culprit(exc: AttributeError, code, args, kwargs):
    """The argument that lacks the tensor attribute ``exc`` names, and its description."""
    obj, name = getattr(exc, "obj", None), getattr(exc, "name", None)
    if obj is None or isinstance(obj, Tensor) or not name or not hasattr(Tensor, name):
        return None, ""
    found = []
    for index, value in enumerate(args):
        if value is obj:
            named = code.co_varnames[index] if code and index < code.co_argcount else None
            found.append(f"for argument '{named}' (position {index + 1})" if named
                         else f"at position {index + 1}")
    found += [f"for argument '{key}'" for key, value in kwargs.items() if value is obj]
    if not found:
        return None, ""
    # An int the program passed twice is one object: no telling which argument it was.
    return obj, found[0] if len(found) == 1 else "for one of its arguments"


def _tensor_list(value) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, Tensor) for v in value)


def as_method(fn):
    """The method form: ``x.f(*args)`` calls ``f(x, *args)``.

    A plain function is its own method (Python binds ``x`` as its first argument),
    which saves a call on every method and operator; other callables are wrapped.
    """
    if isinstance(fn, types.FunctionType):
        return fn

    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)

    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def as_inplace(fn, name: str):
    """The ``name_`` method: computes ``fn(self, ...)`` and writes it into ``self``."""

    def method(self, *args, **kwargs):
        return apply_inplace(self, fn, args, kwargs)

    method.__name__ = name
    method.__doc__ = fn.__doc__
    return method


def install(tensor_cls, tables) -> dict:
    """Puts every op of ``tables`` on ``tensor_cls``; returns the torch-level functions."""
    functions = {}
    for table in tables:
        for opdef in table.ops:
            fn = with_out(opdef.fn) if opdef.out and opdef.function else opdef.fn
            fn = tensor_input(fn, opdef)
            method_fn = _self_first(opdef.fn, opdef.self_arg) if opdef.self_arg else opdef.fn
            names = (opdef.name,) + opdef.aliases
            for n in names:
                if opdef.function:
                    functions[n] = fn
                if opdef.method and not hasattr_own(tensor_cls, n):
                    setattr(tensor_cls, n, as_method(method_fn))
                if opdef.inplace and not hasattr_own(tensor_cls, n + "_"):
                    setattr(tensor_cls, n + "_", as_inplace(method_fn, n + "_"))
            for dunder in opdef.operators:
                setattr(tensor_cls, dunder, as_method(opdef.fn))
            for dunder in opdef.inplace_operators:
                setattr(tensor_cls, dunder, augmented(dunder, opdef.name + "_"))
    return functions


def _self_first(fn, position: int):
    """``fn`` taking its tensor first: ``call(t, *args)`` runs ``fn`` with ``t`` at
    ``position`` among its arguments."""

    def call(self, *args, **kwargs):
        return fn(*args[:position], self, *args[position:], **kwargs)

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call


def augmented(dunder: str, method: str):
    """``x += y`` (``dunder`` ``__iadd__``) runs ``x.add_(y)``: the same tensor, updated."""

    def operator(self, other):
        fn = getattr(type(self), method, None)
        if fn is None:
            return NotImplemented
        return fn(self, other)

    operator.__name__ = dunder
    operator.__doc__ = f"``x {dunder[3:-2]}= y`` runs ``x.{method}(y)``: the same tensor, updated."
    return operator


def hasattr_own(cls, name: str) -> bool:
    return any(name in vars(k) for k in cls.__mro__ if k is not object)


def all_ops(tables) -> list[OpDef]:
    """Every declared op, in table order."""
    return [opdef for table in tables for opdef in table.ops]


def node_names(opdef: OpDef, tables) -> set[str]:
    """Every node name ``opdef``'s graphs can show: its own and those of the ops it composes."""
    by_name = {n: d for d in all_ops(tables) for n in (d.name,) + d.aliases}
    names, pending, seen = set(), [opdef], set()
    while pending:
        current = pending.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        names.update(current.grad_fns)
        pending.extend(by_name[n] for n in current.composes)
    return names


def functional_names(tables) -> dict:
    """The functions of ``torch.nn.functional`` by name, from the entries' ``functional``.

    Example:
        >>> F = functional_names(TABLES)
        >>> F["relu"](tensor([-1.0, 2.0]), inplace=True)
        tensor([0., 2.])
    """
    names = {}
    for opdef in all_ops(tables):
        for n in opdef.functional:
            if n in names:
                raise AssertionError(f"two entries declare torch.nn.functional.{n}")
            names[n] = tensor_input(opdef.fn, opdef)
    return names


def submodule_functions(tables) -> dict[str, dict]:
    """The functions of torch's submodules (``linalg``, ``special``) by submodule and name.

    Built from the entries' ``qualified`` names; each function takes ``out=``
    where its entry does.

    Example:
        >>> submodule_functions(TABLES)["linalg"]["det"](tensor([[2.0, 0.0], [0.0, 3.0]]))
        tensor(6.)
    """
    modules: dict[str, dict] = {}
    for opdef in all_ops(tables):
        fn = tensor_input(with_out(opdef.fn) if opdef.out else opdef.fn, opdef)
        for q in opdef.qualified:
            module, _, n = q.rpartition(".")
            names = modules.setdefault(module, {})
            if n in names:
                raise AssertionError(f"two entries declare torch.{q}")
            names[n] = fn
    return modules
