"""The op table: one entry per operation, and how entries become torch's API.

Each family module (``elementwise``, ``reduce``, ...) owns an :class:`OpTable`
and declares every op right at its forward::

    @table.op(operators=("__mul__", "__rmul__"), inplace=True, grad_fns=("MulBackward0",))
    def mul(input, other, *, out=None): ...

An entry says under which names the op is reachable (``torch.NAME``,
``Tensor.NAME``, operators, aliases, the in-place ``NAME_`` method), which
backward nodes it can record (checked against PyTorch and by gradcheck), and
the function itself, written with PyTorch's argument names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


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
    grad_fns: tuple[str, ...] = ()
    out: bool = True


@dataclass
class OpTable:
    """The ops of one family, in declaration order."""

    family: str
    ops: list[OpDef] = field(default_factory=list)

    def op(self, *, function: bool = True, method: bool = True, aliases: tuple = (),
           operators: tuple = (), inplace: bool = False, grad_fns: tuple = (),
           out: bool = True, name: str | None = None):
        """Declares the decorated function as an op (see :class:`OpDef`)."""

        def declare(fn):
            self.ops.append(OpDef(name or fn.__name__, fn, function, method,
                                  tuple(aliases), tuple(operators), inplace, tuple(grad_fns),
                                  out))
            return fn

        return declare


def with_out(fn):
    """Adds PyTorch's ``out=`` keyword: the result is written into ``out``."""

    def call(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        if out is None:
            return result
        from .inplace import write_out
        return write_out(out, result)

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    call.__wrapped__ = fn
    return call


def as_method(fn):
    """The method form: ``x.f(*args)`` calls ``f(x, *args)``."""

    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)

    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def as_inplace(fn, name: str):
    """The ``name_`` method: computes ``fn(self, ...)`` and writes it into ``self``."""

    def method(self, *args, **kwargs):
        from .inplace import apply_inplace
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
            names = (opdef.name,) + opdef.aliases
            for n in names:
                if opdef.function:
                    functions[n] = fn
                if opdef.method and not hasattr_own(tensor_cls, n):
                    setattr(tensor_cls, n, as_method(opdef.fn))
                if opdef.inplace and not hasattr_own(tensor_cls, n + "_"):
                    setattr(tensor_cls, n + "_", as_inplace(opdef.fn, n + "_"))
            for dunder in opdef.operators:
                setattr(tensor_cls, dunder, as_method(opdef.fn))
    return functions


def hasattr_own(cls, name: str) -> bool:
    return any(name in vars(k) for k in cls.__mro__ if k is not object)


def all_ops(tables) -> list[OpDef]:
    """Every declared op, in table order."""
    return [opdef for table in tables for opdef in table.ops]
