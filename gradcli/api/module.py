"""The object that stands for a Python module inside a program (``<module 'torch'>``)."""

from __future__ import annotations


class Module:
    """A namespace standing for a Python module.

    Example:
        >>> Module("torch.cuda", {"is_available": lambda: False})
        <module 'torch.cuda'>
    """

    def __init__(self, name: str, attrs: dict) -> None:
        self.__dict__.update(attrs)
        object.__setattr__(self, "_name", name)

    def __repr__(self) -> str:
        return f"<module '{self._name}'>"
