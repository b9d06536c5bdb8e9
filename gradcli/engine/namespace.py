"""The engine's one internal namespace of ops: ``ops.NAME`` reaches any op at call time.

Op families never import one another, and the layers below them (the tensor,
autograd) never import the families. Whatever needs an op it does not own
calls it through :data:`ops`::

    from ..namespace import ops

    def _mean_backward(ctx, grad):
        return (ops.expand(grad, ctx.shape) / ctx.count,)

Every op declared with ``@table.op`` is put here under its name and aliases
when its family module is imported; helpers that other families need but that
are not public ops are declared with ``@table.internal``. The lookup happens
when the rule runs, long after every family has been imported, so there is no
import cycle and no import inside a function.
"""

from __future__ import annotations


class OpNamespace:
    """Attribute access to every declared op (and internal helper) by name.

    Example:
        >>> ops.provide("twice", lambda x: 2 * x)
        >>> ops.twice(3)
        6
    """

    def provide(self, name: str, fn) -> None:
        """Makes ``fn`` reachable as ``ops.NAME``; a second, different ``fn`` is a bug."""
        current = self.__dict__.get(name)
        if current is not None and current is not fn:
            raise AssertionError(f"two ops declare the internal name {name!r}")
        self.__dict__[name] = fn

    def __getattr__(self, name: str):
        raise AttributeError(f"no op named {name!r} has been declared in the engine")


ops = OpNamespace()
