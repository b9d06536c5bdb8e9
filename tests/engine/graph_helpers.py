"""Helpers the engine tests share for comparing recorded graphs."""

from __future__ import annotations


def node_name(fn) -> str | None:
    """A grad_fn's name without PyTorch's C++ namespace (None for no node)."""
    if fn is None:
        return None
    return fn.name().replace("torch::autograd::", "")


def chain(fn) -> object:
    """A grad_fn and everything under it, as nested (name, children) tuples."""
    if fn is None:
        return None
    children = tuple(chain(f) for f, _ in getattr(fn, "next_functions", ()))
    return (node_name(fn), children) if children else node_name(fn)
