"""The fuzzing suite's profiles, bounds and property (imported by its tests and conftest).

Profiles: ``quick`` (the default, part of every test run) and ``long``, chosen
with ``GRADCLI_FUZZ=long`` (``GRADCLI_FUZZ_EXAMPLES`` sets its examples per test;
``GRADCLI_FUZZ_LOG=FILE`` keeps the count of cases run so far in FILE).
Every case runs with a small step budget, a small recursion limit, a small
tensor size limit (``GRADCLI_MAX_ELEMENTS``) and a wall-clock alarm.
"""

from __future__ import annotations

import os
import signal
import sys

from hypothesis import HealthCheck, settings

from gradcli.errors import ProgramError
from gradcli.runtime import RunOptions, Session

_COMMON = {
    "deadline": None,
    "database": None,
    "derandomize": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    "print_blob": True,
}
settings.register_profile("quick", max_examples=40, **_COMMON)
settings.register_profile(
    "long", max_examples=int(os.environ.get("GRADCLI_FUZZ_EXAMPLES", "20000")), **_COMMON)
settings.load_profile("long" if os.environ.get("GRADCLI_FUZZ") == "long" else "quick")

# Session raises the recursion limit for its interpreter (never lowering it); raising
# it once here keeps most cases from changing it under hypothesis.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

OPTIONS = RunOptions(max_steps=3000, max_depth=40)
MAX_ELEMENTS = str(10**6)
CASE_SECONDS = 30

# Cases run through check_program, and the user errors whose message came from NumPy
# or CPython rather than from gradcli (not failures; the long profile lists them).
CASES = {"count": 0}
FOREIGN: dict[tuple[str, str], str] = {}


class CaseTimeout(BaseException):
    """A case ran past CASE_SECONDS (a BaseException, so gradcli cannot swallow it)."""


def _alarm(signum, frame):
    raise CaseTimeout(f"a fuzz case ran longer than {CASE_SECONDS} s")


def check_program(source: str, filename: str = "<fuzz>.gc") -> ProgramError | None:
    """The property: the program succeeds or fails with a user error, never a gradcli bug."""
    CASES["count"] += 1
    if CASES["count"] % 500 == 0 and os.environ.get("GRADCLI_FUZZ_LOG"):
        with open(os.environ["GRADCLI_FUZZ_LOG"], "w", encoding="utf-8") as log:
            log.write(f"{CASES['count']} cases\n")
    out: list[str] = []
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        error = Session(out.append, OPTIONS).run(source, filename)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if error is not None:
        assert isinstance(error, ProgramError)
        if error.internal:
            raise AssertionError(
                f"internal error {error.kind}: {error.message}\n--- program ---\n{source[:2000]}"
            ) from error.__cause__
        _note_foreign(error, source)
        assert isinstance(error.kind, str) and error.kind
        assert isinstance(error.message, str)
    for text in out:
        assert isinstance(text, str)
    return error


_FOREIGN_WORDS = ("numpy", "ndarray", "ufunc", "C long", "Maximum allowed size", "operands could",
                  "zero-size array", "axis ", "Traceback", "float64", "int64'")


def _note_foreign(error: ProgramError, source: str) -> None:
    # NumPy's or CPython's own words in a message a user sees: not a failure of the
    # property, but the long profile lists them as candidates for gradcli's own words.
    if not any(word in error.message for word in _FOREIGN_WORDS):
        return
    key = (error.kind, error.message[:80])
    if key not in FOREIGN and len(FOREIGN) < 500:
        FOREIGN[key] = source[:300]
