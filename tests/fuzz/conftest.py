"""Bounds every fuzz case: a small tensor size limit for the whole session."""

from __future__ import annotations

import os

import pytest
from fuzzing import CASES, FOREIGN, MAX_ELEMENTS


@pytest.fixture(scope="session", autouse=True)
def bounded_environment():
    old = os.environ.get("GRADCLI_MAX_ELEMENTS")
    os.environ["GRADCLI_MAX_ELEMENTS"] = MAX_ELEMENTS
    yield
    if old is None:
        del os.environ["GRADCLI_MAX_ELEMENTS"]
    else:
        os.environ["GRADCLI_MAX_ELEMENTS"] = old
    if CASES["count"] and os.environ.get("GRADCLI_FUZZ") == "long":
        print(f"\ngradcli fuzz: {CASES['count']} programs run")
        for (kind, message), source in sorted(FOREIGN.items()):
            print(f"foreign message {kind}: {message!r}\n    from {source[:160]!r}")


