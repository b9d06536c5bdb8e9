"""The Python builtins a gradcli program sees.

Only pure functions and types that cannot reach Python itself: no ``eval``,
``exec``, ``open``, ``compile``, ``globals``, ``getattr``, ``__import__`` and
the like. ``sum``, ``max``, ``abs``, ``range`` ... are Python's own, so
``sum(t)`` on a tensor iterates over its first dimension exactly as under
PyTorch. Three are wrapped: ``print`` writes through the host's ``write``,
``hasattr`` refuses private names, and ``type`` only takes one argument.
"""

from __future__ import annotations

import builtins as _py
from collections.abc import Callable

#: Python's own builtins that a program may use unchanged.
PLAIN_BUILTINS: tuple[str, ...] = (
    "len", "sum", "max", "min", "abs", "round", "float", "int", "bool", "str", "repr",
    "list", "tuple", "dict", "range", "isinstance", "id", "sorted", "reversed",
    "enumerate", "zip", "any", "all", "map", "filter", "divmod", "pow", "callable",
    "chr", "ord", "hex", "format", "set", "frozenset", "next", "iter", "issubclass",
    "staticmethod", "classmethod", "property", "object", "hash", "slice", "bin", "oct",
    "NotImplemented",
)

#: Python's exception classes a program may raise, catch and subclass.
EXCEPTIONS: tuple[str, ...] = (
    "BaseException", "Exception", "ArithmeticError", "AssertionError", "AttributeError",
    "FloatingPointError", "ImportError", "IndexError", "KeyError", "KeyboardInterrupt",
    "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "NotImplementedError",
    "OverflowError", "RecursionError", "RuntimeError", "StopIteration", "SyntaxError",
    "IndentationError", "TypeError", "UnboundLocalError", "ValueError", "ZeroDivisionError",
    "UnicodeError", "Warning", "UserWarning", "DeprecationWarning", "RuntimeWarning",
)


def is_private_name(name: str) -> bool:
    """Tells whether an attribute name is out of a program's reach.

    Example:
        >>> is_private_name("__class__"), is_private_name("grad")
        (True, False)
    """
    return name[:1] == "_"


class MetaclassView:
    """What ``type(cls)`` gives a program for a class: the metaclass's name, not
    the metaclass, whose call with three arguments would create classes with
    any special methods.
    """

    __slots__ = ("_cls",)

    def __init__(self, cls: type) -> None:
        self._cls = cls

    def __repr__(self) -> str:
        return repr(self._cls)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MetaclassView) and other._cls is self._cls

    def __hash__(self) -> int:
        return hash(self._cls)

    def __call__(self, *args: object) -> object:
        raise TypeError("creating classes with type() is not supported in gradcli; use a "
                        "class statement")


def make_builtins(write: Callable[[str], None]) -> dict[str, object]:
    """Builds the builtin names of one interpreter, ``print`` writing through ``write``.

    Example:
        >>> out = []
        >>> names = make_builtins(out.append)
        >>> names["print"]("a", 1, sep="-")
        >>> out
        ['a-1\\n']
    """

    def print(*values: object, sep: str | None = " ", end: str | None = "\n",
              file: object = None, flush: bool = False) -> None:
        if file is not None:
            raise TypeError("print() does not support file= in gradcli")
        if sep is None:
            sep = " "
        elif not isinstance(sep, str):
            raise TypeError(f"sep must be None or a string, not {_py.type(sep).__name__}")
        if end is None:
            end = "\n"
        elif not isinstance(end, str):
            raise TypeError(f"end must be None or a string, not {_py.type(end).__name__}")
        write(sep.join([_py.str(value) for value in values]) + end)

    def hasattr(obj: object, name: str) -> bool:
        if isinstance(name, str) and is_private_name(name):
            raise AttributeError(f"attribute '{name}' is private: names starting with '_' "
                                 "are not accessible in gradcli")
        return _py.hasattr(obj, name)

    def type(obj: object, *more: object) -> type:
        if more:
            raise TypeError("type() takes 1 argument in gradcli (creating classes is not "
                            "supported)")
        cls = _py.type(obj)
        if issubclass(cls, _py.type):
            return MetaclassView(cls)    # never Python's `type` itself: it makes classes
        return cls

    def super(*args: object) -> object:
        # The interpreter answers super() without arguments itself (it knows the method).
        if not args:
            raise RuntimeError("super(): no arguments")
        return _py.super(*args)

    names: dict[str, object] = {name: getattr(_py, name)
                                for name in PLAIN_BUILTINS + EXCEPTIONS}
    names["super"] = super
    names["print"] = print
    names["hasattr"] = hasattr
    names["type"] = type
    names["__name__"] = "__main__"
    return names
