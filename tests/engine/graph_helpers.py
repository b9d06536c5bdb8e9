"""Helpers the engine tests share for comparing recorded graphs."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gradcli.api import torch as api
from gradcli.engine import Tensor

TORCH = api.build()["torch"]
"""gradcli's ``torch`` module, as a program sees it."""


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


# ======================= one expression in gradcli and in PyTorch, compared
def _node_name(node):
    if node is None:
        return None
    name = node.name()
    return "NotImplemented" if name == "torch::autograd::NotImplemented" else name


def describe(value):
    """A comparable summary of a gradcli or PyTorch result (tensor: dtype, shape,
    values, grad_fn and next_functions names)."""
    if hasattr(value, "grad_fn") and hasattr(value, "dtype"):
        data = value._data if isinstance(value, Tensor) else value.detach().numpy()
        node = value.grad_fn
        edges = None if node is None else tuple(_node_name(n) for n, _ in node.next_functions)
        return ("tensor", str(value.dtype), tuple(value.shape), np.array(data),
                _node_name(node), edges)
    if isinstance(value, (tuple, list)):
        return ("sequence", tuple(describe(v) for v in value))
    if isinstance(value, (bool, int, float, str, type(None))):
        return ("value", value)
    return ("repr", re.sub(r" object at 0x[0-9a-f]+", "", repr(value)))


def run_both(setup: str, expression: str) -> list:
    """The descriptions (or exception classes) of ``expression`` in gradcli and PyTorch."""
    torch = pytest.importorskip("torch")
    results = []
    for module in (TORCH, torch):
        names = {"torch": module, "F": module.nn.functional, "nn": module.nn}
        exec(setup, names)  # noqa: S102 - the test's own setup text
        try:
            results.append(describe(eval(expression, names)))
        except Exception as error:  # noqa: BLE001 - the class is what is compared
            results.append(("error", type(error).__name__))
    return results


def assert_same(ours, theirs) -> None:
    """Equal descriptions; float values within a few float32 ulps."""
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "tensor":
        assert ours[1:3] == theirs[1:3] and ours[4:] == theirs[4:], (ours, theirs)
        a, b = ours[3], theirs[3]
        if a.dtype.kind == "f":
            assert np.allclose(a.astype(float), b.astype(float), rtol=2e-6, atol=1e-7,
                               equal_nan=True), (a, b)
        else:
            assert np.array_equal(a, b), (a, b)
    elif ours[0] == "sequence":
        assert len(ours[1]) == len(theirs[1])
        for o, t in zip(ours[1], theirs[1]):
            assert_same(o, t)
    else:
        assert ours == theirs
