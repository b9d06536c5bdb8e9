"""What the fuzzing suite found, kept as tests.

1. torch functions given a number where they take a tensor (``torch.flatten(0)``,
   ``torch.roll(3, 3)``, ``torch.nn.functional.softsign(0)``, ``torch.numel(0)``,
   ``torch.promote_types(0.5, 1)``, a number or dtype for ``layer_norm``'s or
   ``cross_entropy``'s weight) failed with an internal AttributeError from the
   engine; they raise PyTorch's TypeError. So do ``x.view_as(torch.float32)`` and the
   other ``*_as`` methods.
"""

from __future__ import annotations

import pytest
from fuzzing import check_program

from gradcli.api.torch import build
from gradcli.engine.ops import common
from gradcli.runtime import RunOptions, run_program

_MODULES = ["torch", "torch.nn.functional", "torch.linalg", "torch.special", "torch.fft"]
_BUILT = build()
FUNCTIONS = sorted(f"{name}.{attr}" for name in _MODULES if name in _BUILT
                   for attr in dir(_BUILT[name]) if not attr.startswith("_")
                   and callable(getattr(_BUILT[name], attr)))
ODD_ARGUMENTS = ["0", "0, 0", "0.5, 1", "None", "[1, 2]", "0, 0, 0", "True, 0", "'a'"]


def test_there_are_functions_to_call():
    assert len(FUNCTIONS) > 400


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_given_odd_arguments_fails_cleanly(function):
    for args in ODD_ARGUMENTS:
        check_program(f"{function}({args})")


def _error(source):
    out = []
    error = run_program(source, "<test>", out.append, RunOptions(max_steps=100))
    return error, "".join(out)


@pytest.mark.parametrize("source, word", [
    ("torch.flatten(0)", "flatten()"),
    ("torch.roll(3, 3)", "roll()"),
    ("torch.reshape(0, (1,))", "reshape()"),
    ("torch.split(0.5, 1)", "split()"),
    ("torch.movedim(0, 0, 0)", "movedim()"),
    ("torch.zeros_like(0)", "zeros_like()"),
    ("torch.nn.functional.softsign(0)", "softsign()"),
    ("torch.nn.functional.layer_norm(0, 0)", "layer_norm()"),
    ("torch.linalg.inv_ex(0)", "inv_ex()"),
    ("torch.numel(0)", "numel()"),
    ("torch.is_floating_point(0)", "is_floating_point()"),
    ("torch.can_cast(0, 0)", "can_cast()"),
    ("torch.promote_types(0.5, 1)", "promote_types()"),
    ("torch.nn.functional.layer_norm(ones(2), 2, 3)", "'weight' (position 3)"),
    ("torch.nn.functional.layer_norm(ones(2), 2, 2)", "layer_norm()"),
    ("torch.nn.functional.cross_entropy(ones(1, 2), tensor([0]), torch.float32)",
     "'weight' (position 3)"),
])
def test_a_number_for_a_tensor_is_a_type_error(source, word):
    error, _ = _error(source)
    assert error is not None and not error.internal
    assert error.kind == "TypeError"
    assert word in error.message and "expects a" in error.message
    assert error.span is not None


@pytest.mark.parametrize("method", ["expand_as", "reshape_as", "view_as", "resize_as_",
                                    "slice_scatter"])
def test_a_method_given_a_dtype_for_a_tensor_is_a_type_error(method):
    error, _ = _error(f"ones(2, 2).{method}(torch.float32)")
    assert error is not None and not error.internal
    assert error.kind == "TypeError" and f"{method}()" in error.message


def test_functions_that_take_numbers_still_do():
    error, out = _error("x = tensor([1., 2.])\ntorch.pow(2, x)\ntorch.flatten(x)\n"
                        "torch.promote_types(torch.int64, torch.float16)\n"
                        "torch.can_cast(torch.float32, torch.int32)\ntorch.numel(x)")
    assert error is None
    assert out == ("tensor([2., 4.])\ntensor([1., 2.])\ntorch.float16\nFalse\n2\n")


def test_a_real_engine_bug_on_a_tensor_stays_internal(monkeypatch):
    class Broken:
        pass

    monkeypatch.setattr(common, "xp", Broken())
    error, _ = _error("torch.exp(tensor([1.]))")
    assert error is not None and error.internal
