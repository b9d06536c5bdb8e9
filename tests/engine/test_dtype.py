"""Type promotion of elementwise ops and dtype conversions (``to``, ``float()``...).

Golden promotion results and conversions run without torch; with torch
installed, every pair of dtypes (and tensor/number mixes) is checked against
PyTorch for each operator. ``GRADCHECK_CASES`` covers the differentiable
conversions (``ToCopyBackward0``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from graph_helpers import assert_same, describe
from test_elementwise import _inputs

from gradcli.api import torch as api
from gradcli.engine.gradcheck import gradcheck, gradgradcheck
from gradcli.engine.ops import creation

TORCH = api.build()["torch"]


def _eval(expression: str):
    return eval(expression, {"torch": TORCH})


# ================================================================ golden
PROMOTIONS = [
    ("torch.tensor([True]) + torch.tensor([True])", "torch.bool"),
    ("torch.tensor([True]) + 1", "torch.int64"),
    ("torch.tensor([True]) * 2.5", "torch.float32"),
    ("torch.tensor([True]) / torch.tensor([True])", "torch.float32"),
    ("torch.tensor([1]) + 0.5", "torch.float32"),
    ("torch.tensor([1]) / 2", "torch.float32"),
    ("torch.tensor([1]) // 2", "torch.int64"),
    ("torch.tensor([1]).sqrt()", "torch.float32"),
    ("torch.tensor([1], dtype=torch.int32) + 5", "torch.int32"),
    ("torch.tensor([1], dtype=torch.int32) + torch.tensor([1])", "torch.int64"),
    ("torch.tensor([1], dtype=torch.int32) + torch.tensor(100)", "torch.int32"),
    ("torch.tensor([1], dtype=torch.int8) + torch.tensor([1], dtype=torch.uint8)", "torch.int16"),
    ("torch.tensor([1], dtype=torch.uint8) - 10", "torch.uint8"),
    ("torch.tensor([1.0], dtype=torch.float16) + 0.5", "torch.float16"),
    ("torch.tensor([1.0], dtype=torch.float16) + torch.tensor([1])", "torch.float16"),
    ("torch.tensor([1.0], dtype=torch.float16) + torch.tensor([1.0])", "torch.float32"),
    ("torch.tensor([1.0]) + torch.tensor([1.0], dtype=torch.float64)", "torch.float64"),
    ("torch.tensor([1.0]) + torch.tensor(1.0, dtype=torch.float64)", "torch.float32"),
    ("torch.tensor([1]) + torch.tensor(1.5)", "torch.float32"),
    ("torch.tensor([1, 2]) > 1", "torch.bool"),
    ("torch.tensor([1], dtype=torch.int16) ** 2", "torch.int16"),
    ("torch.tensor([True]) ** 2", "torch.int64"),
    ("torch.where(torch.tensor([True]), 1, 2.5)", "torch.float32"),
    ("torch.tensor([1]).clamp(0.5)", "torch.float32"),
    ("torch.float_power(torch.tensor([1.0]), 2)", "torch.float64"),
]


@pytest.mark.parametrize(("expression", "dtype"), PROMOTIONS, ids=[p[0] for p in PROMOTIONS])
def test_promotion(expression, dtype):
    assert str(_eval(expression).dtype) == dtype


CONVERSIONS = [
    ("torch.tensor([-1.5, 0.0, 2.7]).int()", [-1, 0, 2], "torch.int32"),
    ("torch.tensor([-1.5, 0.0, 2.7]).long()", [-1, 0, 2], "torch.int64"),
    ("torch.tensor([-1.5, 0.0, 2.7]).bool()", [True, False, True], "torch.bool"),
    ("torch.tensor([-1.5, 0.0, 2.7]).half()", [-1.5, 0.0, 2.69921875], "torch.float16"),
    ("torch.tensor([-1.5, 0.0, 2.7]).double()", [-1.5, 0.0, 2.700000047683716],
     "torch.float64"),
    ("torch.tensor([-1.5, 300.7, float('nan')]).byte()", [255, 44, 0], "torch.uint8"),
    ("torch.tensor([-1.5, 300.7]).char()", [-1, 44], "torch.int8"),
    ("torch.tensor([70000.5]).short()", [4464], "torch.int16"),
    ("torch.tensor([2.0, float('inf')]).long()", [2, -9223372036854775808], "torch.int64"),
    ("torch.tensor([70000.5]).half()", [float("inf")], "torch.float16"),
    ("torch.tensor([2 ** 40]).int()", [0], "torch.int32"),
    ("torch.tensor([True, False]).float()", [1.0, 0.0], "torch.float32"),
    ("torch.tensor([1, 2]).to(torch.float64)", [1.0, 2.0], "torch.float64"),
    ("torch.tensor([1, 2]).to(dtype=torch.int16)", [1, 2], "torch.int16"),
    ("torch.tensor([1, 2]).to('cpu', torch.float16)", [1.0, 2.0], "torch.float16"),
    ("torch.tensor([1, 2]).to(torch.tensor([1.5]))", [1.0, 2.0], "torch.float32"),
    ("torch.tensor([1, 2]).to(float)", [1.0, 2.0], "torch.float64"),
    ("torch.tensor([1.5, 2.5]).to(int)", [1, 2], "torch.int64"),
    ("torch.tensor([1.5, 0.0]).to(bool)", [True, False], "torch.bool"),
    ("torch.tensor([1, 2]).type(torch.float16)", [1.0, 2.0], "torch.float16"),
    ("torch.tensor([1, 2]).type('torch.DoubleTensor')", [1.0, 2.0], "torch.float64"),
    ("torch.tensor([1.7]).type_as(torch.tensor([1]))", [1], "torch.int64"),
]


@pytest.mark.parametrize(("expression", "values", "dtype"), CONVERSIONS,
                         ids=[c[0] for c in CONVERSIONS])
def test_conversion(expression, values, dtype):
    result = _eval(expression)
    assert str(result.dtype) == dtype
    assert result.tolist() == values


def test_no_op_conversions_return_the_tensor():
    x = TORCH.tensor([1.0, 2.0], requires_grad=True)
    for same in (x.float(), x.to(TORCH.float32), x.to("cpu"), x.to(x), x.type(TORCH.float32),
                 x.type_as(x), x.to()):
        assert same is x
    assert x.to(TORCH.float32, copy=True) is not x


def test_conversions_record_to_copy():
    x = TORCH.tensor([1.5, -2.5], requires_grad=True)
    for converted in (x.double(), x.half(), x.to(TORCH.float64), x.type(TORCH.float64),
                      x.to(TORCH.float32, copy=True), x.type_as(TORCH.ones(1).double())):
        assert converted.grad_fn.name() == "ToCopyBackward0"
        assert converted.grad_fn.next_functions[0][0] is not None
    assert x.long().grad_fn is None and not x.long().requires_grad
    y = x.double() * 2
    y.sum().backward()
    assert x.grad.dtype == TORCH.float32 and x.grad.tolist() == [2.0, 2.0]


def test_conversion_errors():
    with pytest.raises(TypeError):
        TORCH.tensor([1.0]).type_as(1.0)
    with pytest.raises(RuntimeError):
        TORCH.tensor([1.0]).to("float")  # a string is a device
    with pytest.raises(TypeError):
        creation.as_dtype("float")


# ============================================================== gradcheck
GRADCHECK_CASES = [
    ("to", lambda a: a.to(TORCH.float32), ((3,),)),
    ("to", lambda a: a.to("cpu", TORCH.float32).to(TORCH.float64), ((2, 2),)),
    ("float", lambda a: a.float(), ((3,),)),
    ("double", lambda a: a.float().double() * a, ((3,),)),
    ("half", lambda a: a.half(), ((3,),)),
    ("type_as", lambda a: a.type_as(TORCH.ones(1)), ((3,),)),
]
# Conversions are linear: a wide step keeps float32 rounding out of the finite
# differences; float16 keeps only 11 bits, so its check is coarser.
_TOLERANCES = {"half": {"eps": 0.1, "atol": 1e-2}}


@pytest.mark.parametrize(("name", "fn", "shapes"), GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_gradcheck(name, fn, shapes):
    inputs = _inputs(shapes, seed=len(name))
    tolerances = _TOLERANCES.get(name, {"eps": 1e-3})
    assert gradcheck(fn, inputs, **tolerances)
    assert gradgradcheck(fn, inputs, **tolerances)


def test_every_differentiable_conversion_is_gradchecked():
    conversions = {"to", "float", "double", "half", "int", "long", "short", "char", "byte",
                   "bool", "type_as"}
    declared = {op.name for op in creation.table.ops if op.grad_fns and op.name in conversions}
    assert declared <= {case[0] for case in GRADCHECK_CASES}


# ======================================================= parity with torch
_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
_VALUES = {"bool": "[True, False, True]", "uint8": "[250, 5, 0]", "int8": "[100, -2, 3]"}
_OPERATORS = ("+", "-", "*", "/", "//", "%", "**", "==", "<", "&")


def _operand(dtype: str, ndim: int = 1) -> str:
    values = _VALUES.get(dtype, "[1.5, -2.0, 3.0]" if dtype.startswith("float") else "[7, -2, 3]")
    if ndim == 0:
        values = values.strip("[]").split(",")[0]
    return f"torch.tensor({values}, dtype=torch.{dtype})"


def _compare(expressions) -> list:
    torch = pytest.importorskip("torch")
    mismatches = []
    for expression in expressions:
        results = []
        for module in (TORCH, torch):
            try:
                results.append(describe(eval(expression, {"torch": module})))
            except Exception as error:  # noqa: BLE001 - the class is what is compared
                results.append(("error", type(error).__name__))
        try:
            assert_same(*results)
        except AssertionError:
            mismatches.append((expression, results))
    return mismatches


@pytest.mark.parametrize("operator", _OPERATORS)
def test_every_dtype_pair_matches_torch(operator):
    expressions = [f"{_operand(a)} {operator} {_operand(b, ndim)}"
                   for a, b in itertools.product(_DTYPES, _DTYPES) for ndim in (1, 0)]
    assert _compare(expressions) == []


@pytest.mark.parametrize("operator", _OPERATORS)
def test_tensor_and_number_match_torch(operator):
    numbers = ("True", "2", "-3", "2.5", "300")
    expressions = [f"{_operand(a)} {operator} {n}" for a in _DTYPES for n in numbers]
    expressions += [f"{n} {operator} {_operand(a)}" for a in _DTYPES for n in numbers]
    assert _compare(expressions) == []


def test_conversions_match_torch():
    sources = {"float32": "[-1.5, 0.0, 2.7, 300.7, -70000.5]", "float64": "[1e40, -0.5, 2.5]",
               "int64": "[-1, 300, 2 ** 40]", "bool": "[True, False]"}
    methods = ("float", "double", "half", "int", "long", "short", "char", "byte", "bool")
    expressions = [f"torch.tensor({v}, dtype=torch.{d}).{m}()" for d, v in sources.items()
                   for m in methods]
    expressions += ["torch.tensor([float('nan'), float('inf')]).long()",
                    "torch.tensor([float('nan')]).bool()", "torch.tensor([1, 2]).to(float)",
                    "torch.tensor([1.5], requires_grad=True).double()",
                    "torch.tensor([1.5], requires_grad=True).to(torch.float16)",
                    "torch.tensor([1.5], requires_grad=True).int()"]
    assert _compare(expressions) == []


def test_float32_results_match_torch_items():
    """``.item()`` prints every digit: float32 arithmetic must round as PyTorch's does."""
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(4).uniform(-10, 10, 200).astype(np.float32).tolist()
    for op in ("a * 0.1", "a / 3", "a + 1e-3", "a ** 2", "a ** 3", "-a * 2.5"):
        ours = _eval(f"(lambda a: {op})(torch.tensor({values}))").tolist()
        theirs = eval(f"(lambda a: {op})(torch.tensor({values}))",
                      {"torch": torch}).tolist()
        assert ours == theirs, op
