"""Reductions: values, dtypes, shapes, named tuples, errors, grad_fn names and gradients.

Three kinds of tables:

- ``GOLDEN``: expected values and dtypes printed by PyTorch 2.13, pasted here so
  the suite means something without torch;
- ``CASES``: expressions run on gradcli and, when torch is installed, on
  PyTorch, comparing values bit for bit (float sums follow PyTorch's order),
  dtypes, shapes, grad_fn names and first-order gradients;
- ``GRADCHECK_CASES``: every op of the reduce table that records a backward
  node, checked against finite differences (first and second order).
"""

from __future__ import annotations

import math
import types

import numpy as np
import pytest

from gradcli.engine import FUNCTIONS, Tensor
from gradcli.engine import autograd as ag
from gradcli.engine import dtypes as dt
from gradcli.engine.gradcheck import gradcheck, gradgradcheck
from gradcli.engine.returntypes import TYPES

G = types.SimpleNamespace(**FUNCTIONS, **dt.ALIASES)
tensor = FUNCTIONS["tensor"]
NAN, INF = math.nan, math.inf


def _rng_values(shape, seed=0, kind="normal"):
    rng = np.random.default_rng(seed)
    if kind == "int":
        return rng.integers(-5, 6, size=shape)
    if kind == "positive":
        return rng.uniform(0.5, 2.0, size=shape)
    if kind == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    return rng.standard_normal(shape)


# ===================================================================== golden
# (id, fn(G) -> result, expected values (nested lists), expected dtype name)
GOLDEN = [
    ("sum-all", lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(), 10.0, "float32"),
    ("sum-dim", lambda T: T.tensor([[1, 2], [3, 4]]).sum(0), [4, 6], "int64"),
    ("sum-bool", lambda T: T.tensor([True, True, False]).sum(), 2, "int64"),
    ("sum-int32", lambda T: T.tensor([1, 2], dtype=T.int32).sum(), 3, "int64"),
    ("sum-dtype", lambda T: T.tensor([1.5, 2.5]).sum(dtype=T.float64), 4.0, "float64"),
    ("sum-empty", lambda T: T.tensor([]).sum(), 0.0, "float32"),
    ("sum-keepdim", lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(1, keepdim=True),
     [[3.0], [7.0]], "float32"),
    ("sum-tuple", lambda T: T.arange(24.0).view(2, 3, 4).sum((0, 2)), [60.0, 92.0, 124.0],
     "float32"),
    # A running float32 sum gives 5.299999713897705; PyTorch's lanes give this.
    ("sum-float32-order", lambda T: T.tensor([0.9, 0.0, 0.7, 0.2, 0.9, 0.5, 0.3, 0.4, 0.0, 0.1,
                                               0.7, 0.6]).sum().item(), 5.3000006675720215,
     None),
    ("mean", lambda T: T.tensor([[1.0, 2.0], [3.0, 5.0]]).mean(0), [2.0, 3.5], "float32"),
    ("mean-dtype", lambda T: T.tensor([1, 2, 4]).mean(dtype=T.float32), 7 / 3, "float32"),
    ("prod", lambda T: T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).prod(1), [6.0, 120.0],
     "float32"),
    ("prod-int", lambda T: T.tensor([1, 2, 3, 4]).prod(), 24, "int64"),
    ("prod-bool", lambda T: T.tensor([True, False]).prod(), 0, "int64"),
    ("max-all", lambda T: T.tensor([[3.0, 9.0], [7.0, 2.0]]).max(), 9.0, "float32"),
    ("max-int-keeps-dtype", lambda T: T.tensor([3, 7, 5], dtype=T.int32).max(), 7, "int32"),
    ("max-bool", lambda T: T.tensor([True, False]).max(), True, "bool"),
    ("min-all", lambda T: T.tensor([3.0, 1.0]).min(), 1.0, "float32"),
    ("amax-dim", lambda T: T.tensor([[1, 5], [4, 2]]).amax(0), [4, 5], "int64"),
    ("amin-all", lambda T: T.tensor([[1.0, 5.0], [4.0, -2.0]]).amin(), -2.0, "float32"),
    ("argmax-flat", lambda T: T.tensor([[3.0, 9.0, 1.0], [7.0, 2.0, 8.0]]).argmax(), 1,
     "int64"),
    ("argmax-ties-first", lambda T: T.tensor([1.0, 5.0, 5.0]).argmax(), 1, "int64"),
    ("argmin-dim", lambda T: T.tensor([[2, 2], [1, 1]]).argmin(1), [0, 0], "int64"),
    ("argmax-nan", lambda T: T.tensor([1.0, NAN, 2.0]).argmax(), 1, "int64"),
    ("argmax-keepdim-nodim", lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]]).argmax(
        keepdim=True), [[3]], "int64"),
    ("var", lambda T: T.tensor([1.0, 2.0, 3.0, 4.0]).var(), 5 / 3, "float32"),
    ("var-unbiased-false", lambda T: T.tensor([1.0, 2.0, 3.0, 4.0]).var(unbiased=False),
     1.25, "float32"),
    ("std-correction0", lambda T: T.tensor([1.0, 2.0, 3.0, 4.0]).std(correction=0),
     math.sqrt(1.25), "float32"),
    ("std-one-element-nan", lambda T: T.tensor([2.5]).std(), NAN, "float32"),
    ("var-dim", lambda T: T.tensor([[1.0, 3.0], [2.0, 6.0]]).var(0), [0.5, 4.5], "float32"),
    ("norm", lambda T: T.tensor([3.0, 4.0]).norm(), 5.0, "float32"),
    ("norm-p1", lambda T: T.tensor([3.0, -4.0]).norm(p=1), 7.0, "float32"),
    ("norm-inf", lambda T: T.tensor([3.0, -4.0]).norm(p=INF), 4.0, "float32"),
    ("norm-dim", lambda T: T.norm(T.tensor([[3.0, 4.0], [6.0, 8.0]]), dim=1), [5.0, 10.0],
     "float32"),
    ("norm-0", lambda T: T.tensor([3.0, 0.0, -1.0]).norm(0), 2.0, "float32"),
    ("logsumexp-stable", lambda T: T.logsumexp(T.tensor([1000.0, 1000.0]), 0),
     1000.6931471805599, "float32"),
    ("logsumexp-int", lambda T: T.tensor([[1, 2], [3, 4]]).logsumexp(1),
     [2.3132617, 4.3132617], "float32"),
    ("cumsum-int", lambda T: T.tensor([[1, 2, 3], [4, 5, 6]]).cumsum(1),
     [[1, 3, 6], [4, 9, 15]], "int64"),
    ("cumsum-int32-gives-int64", lambda T: T.tensor([1, 2], dtype=T.int32).cumsum(0), [1, 3],
     "int64"),
    ("cumprod", lambda T: T.tensor([1.0, 2.0, 3.0]).cumprod(0), [1.0, 2.0, 6.0], "float32"),
    ("cumsum-dtype", lambda T: T.tensor([1, 2]).cumsum(0, dtype=T.float64), [1.0, 3.0],
     "float64"),
    ("all", lambda T: T.tensor([[True, False], [True, True]]).all(dim=1), [False, True],
     "bool"),
    ("any-float", lambda T: T.tensor([0.0, 0.0]).any(), False, "bool"),
    ("all-uint8", lambda T: T.tensor([1, 0], dtype=T.uint8).all(), 0, "uint8"),
    ("all-empty", lambda T: T.tensor([]).all(), True, "bool"),
    ("count-nonzero", lambda T: T.count_nonzero(T.tensor([[0, 1], [2, 0]]), dim=0), [1, 1],
     "int64"),
    ("median-lower", lambda T: T.tensor([1.0, 4.0, 2.0, 3.0]).median(), 2.0, "float32"),
    ("median-nan", lambda T: T.tensor([1.0, NAN, 2.0]).median(), NAN, "float32"),
    ("nanmedian", lambda T: T.tensor([1.0, NAN, 2.0, 5.0]).nanmedian(), 2.0, "float32"),
    ("nansum", lambda T: T.tensor([1.0, NAN, 2.0]).nansum(), 3.0, "float32"),
    ("nanmean", lambda T: T.tensor([1.0, NAN, 2.0]).nanmean(), 1.5, "float32"),
    ("numpy-axis", lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0), [4.0, 6.0],
     "float32"),
    ("numpy-keepdims", lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=1, keepdims=True),
     [[1.5], [3.5]], "float32"),
    ("logcumsumexp", lambda T: T.tensor([0.0, 0.0]).logcumsumexp(0), [0.0, 0.6931471824645996],
     "float32"),
]


def _same(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7)
    return a == b


@pytest.mark.parametrize("case", GOLDEN, ids=[c[0] for c in GOLDEN])
def test_reduce_golden_values(case):
    _, fn, expected, dtype = case
    result = fn(G)
    if dtype is None:
        assert result == expected
        return
    assert result.dtype.name == dtype
    assert _same(result.tolist(), expected)


# ============================================================ named tuples
def test_max_with_dim_is_a_named_tuple_that_unpacks_indexes_and_has_fields():
    x = tensor([[3.0, 9.0, 1.0], [7.0, 2.0, 8.0]])
    result = x.max(dim=1)
    assert type(result) is TYPES["max"]
    values, indices = result
    assert values.tolist() == [9.0, 8.0] and indices.tolist() == [1, 2]
    assert result[0] is result.values and result[1] is result.indices
    assert result[-1] is result.indices and len(result) == 2
    assert isinstance(result, tuple)
    assert repr(type(result)) == "<class 'torch.return_types.max'>"


def test_named_tuple_repr_puts_each_field_on_its_own_line():
    result = tensor([[3.0, 9.0], [7.0, 2.0]]).min(0)
    text = repr(result)
    assert text.startswith("torch.return_types.min(\nvalues=")
    assert "),\nindices=" in text and text.endswith(")")
    assert str(result) == text


def test_aminmax_fields_are_min_and_max():
    result = G.aminmax(tensor([[1.0, 2.0], [3.0, 4.0]]), dim=0)
    assert result.min.tolist() == [1.0, 2.0] and result.max.tolist() == [3.0, 4.0]
    assert repr(result).startswith("torch.return_types.aminmax(\nmin=")


# ================================================================== errors
ERRORS = [
    ("max-empty", lambda T: T.tensor([]).max(), RuntimeError),
    ("max-empty-dim", lambda T: T.zeros(0, 3).max(0), IndexError),
    ("argmax-empty", lambda T: T.tensor([]).argmax(), IndexError),
    ("amax-empty", lambda T: T.tensor([]).amax(), RuntimeError),
    ("mean-int", lambda T: T.tensor([1, 2]).mean(), RuntimeError),
    ("mean-int-dtype", lambda T: T.tensor([1.0]).mean(dtype=T.int64), RuntimeError),
    ("std-int", lambda T: T.tensor([1, 2]).std(), RuntimeError),
    ("var-int", lambda T: T.tensor([1, 2]).var(), RuntimeError),
    ("norm-int", lambda T: T.tensor([1, 2]).norm(), RuntimeError),
    ("norm-bad-string", lambda T: T.tensor([[1.0]]).norm(p="foo"), RuntimeError),
    ("sum-dim-out-of-range", lambda T: T.ones(2, 2).sum(2), IndexError),
    ("sum-dup-dims", lambda T: T.ones(2, 2).sum((0, 0)), RuntimeError),
    ("max-dim-out-of-range", lambda T: T.ones(2, 2).max(2), IndexError),
    ("max-tuple-dim", lambda T: T.ones(2, 2).max((0, 1)), TypeError),
    ("prod-tuple-dim", lambda T: T.ones(2, 2).prod((0, 1)), TypeError),
    ("argmax-bool", lambda T: T.tensor([True]).argmax(), RuntimeError),
    ("topk-too-big", lambda T: T.tensor([1.0, 2.0]).topk(3), RuntimeError),
    ("kthvalue-too-big", lambda T: T.tensor([1.0, 2.0]).kthvalue(3), RuntimeError),
    ("logsumexp-needs-dim", lambda T: T.logsumexp(T.ones(2)), TypeError),
    ("cumsum-needs-dim", lambda T: T.ones(2).cumsum(), TypeError),
    ("scalar-dim-1", lambda T: T.tensor(5.0).max(1), IndexError),
    ("sum-keepdim-without-dim", lambda T: T.ones(2).sum(keepdim=True), TypeError),
    ("max-keepdim-without-dim", lambda T: T.ones(2).max(keepdim=True), TypeError),
    ("median-keepdim-without-dim", lambda T: T.ones(2).median(keepdim=True), TypeError),
    ("logsumexp-dim-none", lambda T: T.ones(2).logsumexp(dim=None), TypeError),
    ("norm-axis", lambda T: T.ones(2).norm(axis=0), TypeError),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_reduce_errors_have_pytorchs_class(case):
    _, fn, exc = case
    with pytest.raises(exc):
        fn(G)


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_reduce_errors_match_torch(case):
    torch = pytest.importorskip("torch")
    _, fn, exc = case
    with pytest.raises(exc):
        fn(torch)


# ========================================================== grad_fn names
GRAD_FN_NAMES = [
    ("sum()", lambda x: x.sum(), "SumBackward0"),
    ("sum(0)", lambda x: x.sum(0), "SumBackward1"),
    ("sum(None)", lambda x: x.sum(None), "SumBackward1"),
    ("sum(dtype)", lambda x: x.sum(dtype=dt.float64), "SumBackward0"),
    ("mean()", lambda x: x.mean(), "MeanBackward0"),
    ("mean(1)", lambda x: x.mean(1), "MeanBackward1"),
    ("prod()", lambda x: x.prod(), "ProdBackward0"),
    ("prod(0)", lambda x: x.prod(0), "ProdBackward1"),
    ("max()", lambda x: x.max(), "MaxBackward1"),
    ("max(0)", lambda x: x.max(0).values, "MaxBackward0"),
    ("min()", lambda x: x.min(), "MinBackward1"),
    ("min(1)", lambda x: x.min(1)[0], "MinBackward0"),
    ("amax", lambda x: x.amax(0), "AmaxBackward0"),
    ("amin", lambda x: x.amin(), "AminBackward0"),
    ("std", lambda x: x.std(), "StdBackward0"),
    ("std(0)", lambda x: x.std(0), "StdBackward0"),
    ("var", lambda x: x.var(1), "VarBackward0"),
    ("norm", lambda x: x.norm(), "LinalgVectorNormBackward0"),
    ("norm(1, dim)", lambda x: x.norm(1, 1), "LinalgVectorNormBackward0"),
    ("norm(fro)", lambda x: x.norm("fro"), "LinalgVectorNormBackward0"),
    ("logsumexp", lambda x: x.logsumexp(1), "LogsumexpBackward0"),
    ("cumsum", lambda x: x.cumsum(0), "CumsumBackward0"),
    ("cumprod", lambda x: x.cumprod(1), "CumprodBackward0"),
    ("median()", lambda x: x.median(), "MedianBackward0"),
    ("median(0)", lambda x: x.median(0).values, "MedianBackward1"),
    ("mode", lambda x: x.mode(0).values, "ModeBackward0"),
    ("kthvalue", lambda x: x.kthvalue(1).values, "KthvalueBackward0"),
    ("sort", lambda x: x.sort().values, "SortBackward0"),
    ("topk", lambda x: x.topk(1).values, "TopkBackward0"),
    ("aminmax", lambda x: G.aminmax(x).min, "AminmaxBackward0"),
    ("std_mean", lambda x: G.std_mean(x)[1], "StdMeanBackward0"),
    ("var_mean", lambda x: G.var_mean(x, 0)[0], "VarMeanBackward0"),
    ("nansum", lambda x: x.nansum(), "NansumBackward0"),
    ("cummax", lambda x: x.cummax(0).values, "CummaxBackward0"),
    ("cummin", lambda x: x.cummin(1).values, "CumminBackward0"),
    ("logcumsumexp", lambda x: x.logcumsumexp(1), "LogcumsumexpBackward0"),
    ("nanmedian", lambda x: x.nanmedian(), "NanmedianBackward0"),
]


@pytest.mark.parametrize("case", GRAD_FN_NAMES, ids=[c[0] for c in GRAD_FN_NAMES])
def test_reduce_grad_fn_names(case):
    _, fn, name = case
    x = tensor(_rng_values((3, 4)).tolist(), requires_grad=True)
    assert fn(x).grad_fn.name() == name


def test_indices_of_max_have_no_grad_fn():
    x = tensor([[1.0, 2.0]], requires_grad=True)
    result = x.max(1)
    assert result.indices.grad_fn is None and not result.indices.requires_grad


# ============================================== comparisons with PyTorch
# (id, fn(T, *inputs), input specs: (shape, kind[, dtype]))
F32, F64, I64 = "float32", "float64", "int64"
CASES = [
    ("sum-all", lambda T, x: x.sum(), [((3, 4), "normal", F32)]),
    ("sum-dim0", lambda T, x: x.sum(0), [((5, 17), "normal", F32)]),
    ("sum-dim1", lambda T, x: x.sum(1), [((17, 5), "normal", F32)]),
    ("sum-long-row", lambda T, x: x.sum(), [((1000,), "normal", F32)]),
    ("sum-3d-middle", lambda T, x: x.sum(1), [((4, 9, 5), "normal", F32)]),
    ("sum-3d-outer", lambda T, x: x.sum((0, 2), keepdim=True), [((4, 9, 5), "normal", F32)]),
    ("sum-transposed", lambda T, x: x.t().sum(0), [((6, 20), "normal", F32)]),
    ("sum-f64", lambda T, x: x.sum(-1), [((3, 33), "normal", F64)]),
    ("sum-int", lambda T, x: x.sum(1), [((3, 4), "int", I64)]),
    ("sum-none-keepdim", lambda T, x: x.sum(None, True), [((2, 3), "normal", F32)]),
    ("mean-all", lambda T, x: x.mean(), [((7, 9), "normal", F32)]),
    ("mean-dims", lambda T, x: x.mean((0, 1)), [((3, 4, 5), "normal", F32)]),
    ("mean-keepdim", lambda T, x: x.mean(-1, keepdim=True), [((3, 40), "normal", F32)]),
    ("prod-all", lambda T, x: x.prod(), [((3, 4), "positive", F32)]),
    ("prod-dim", lambda T, x: x.prod(1, keepdim=True), [((3, 40), "positive", F32)]),
    ("prod-long", lambda T, x: x.prod(), [((70,), "positive", F32)]),
    ("prod-zero", lambda T, x: (x * (x > 0)).prod(1), [((3, 4), "normal", F32)]),
    ("prod-int-dtype", lambda T, x: x.prod(0, dtype=T.float64), [((3, 4), "int", I64)]),
    ("max-all", lambda T, x: x.max(), [((3, 4), "normal", F32)]),
    ("max-dim", lambda T, x: x.max(1), [((3, 4), "normal", F32)]),
    ("max-dim-keepdim", lambda T, x: x.max(0, keepdim=True), [((3, 4), "normal", F32)]),
    ("max-int-dim", lambda T, x: x.max(0), [((5, 4), "int", I64)]),
    ("min-dim", lambda T, x: T.min(x, dim=-1), [((2, 3, 4), "normal", F32)]),
    ("max-ties-all", lambda T, x: x.max(), [((4, 4), "int", F32)]),
    ("max-ties-dim", lambda T, x: x.max(1), [((4, 6), "int", F32)]),
    ("max-scalar-dim", lambda T, x: x.max(0), [((), "normal", F32)]),
    ("amax-dims", lambda T, x: x.amax((0, 2)), [((3, 4, 5), "int", F32)]),
    ("amin-keepdim", lambda T, x: x.amin(1, True), [((3, 4), "int", F32)]),
    ("argmax-dim", lambda T, x: x.argmax(0), [((5, 4), "int", F32)]),
    ("argmin-all", lambda T, x: x.argmin(), [((5, 4), "int", I64)]),
    ("var-all", lambda T, x: x.var(), [((5, 7), "normal", F32)]),
    ("var-dim", lambda T, x: x.var(1), [((5, 7), "normal", F32)]),
    ("var-dims", lambda T, x: x.var((0, 2), keepdim=True), [((3, 4, 5), "normal", F32)]),
    ("var-correction", lambda T, x: x.var(0, correction=2), [((6, 3), "normal", F32)]),
    ("std-all", lambda T, x: x.std(), [((5, 7), "normal", F32)]),
    ("std-dim", lambda T, x: x.std(0, unbiased=False), [((5, 7), "normal", F32)]),
    ("std-f64", lambda T, x: x.std(1), [((4, 9), "normal", F64)]),
    ("std-single-output", lambda T, x: x.std(1), [((1, 9), "normal", F32)]),
    ("std-mean", lambda T, x: T.std_mean(x, 1), [((4, 9), "normal", F32)]),
    ("var-mean", lambda T, x: T.var_mean(x), [((4, 9), "normal", F32)]),
    ("norm-all", lambda T, x: x.norm(), [((5, 7), "normal", F32)]),
    ("norm-lastdim", lambda T, x: x.norm(dim=1), [((5, 13), "normal", F32)]),
    ("norm-firstdim", lambda T, x: x.norm(dim=0), [((13, 5), "normal", F32)]),
    ("norm-p1", lambda T, x: x.norm(p=1, dim=1), [((5, 13), "normal", F32)]),
    ("norm-p3", lambda T, x: x.norm(p=3), [((4, 6), "normal", F32)]),
    ("norm-inf-dim", lambda T, x: x.norm(p=INF, dim=0, keepdim=True),
     [((4, 6), "normal", F32)]),
    ("norm-p05", lambda T, x: x.norm(p=0.5), [((4, 6), "normal", F32)]),
    ("norm-fro-dims", lambda T, x: x.norm("fro", dim=(1, 2)), [((2, 3, 4), "normal", F32)]),
    ("norm-dtype", lambda T, x: x.norm(dtype=T.float64), [((2, 3), "normal", F32)]),
    ("logsumexp", lambda T, x: x.logsumexp(1), [((3, 9), "normal", F32)]),
    ("logsumexp-dims", lambda T, x: T.logsumexp(x, (0, 1), keepdim=True),
     [((3, 9), "normal", F32)]),
    ("cumsum", lambda T, x: x.cumsum(1), [((3, 9), "normal", F32)]),
    ("cumsum-dim0", lambda T, x: x.cumsum(0), [((5, 3), "normal", F64)]),
    ("cumprod", lambda T, x: x.cumprod(0), [((5, 3), "positive", F32)]),
    ("cumprod-zero", lambda T, x: (x * (x > 0)).cumprod(1), [((3, 5), "normal", F64)]),
    ("all-dim", lambda T, x: x.all(0), [((3, 4), "bool", "bool")]),
    ("any-keepdim", lambda T, x: x.any(1, keepdim=True), [((3, 4), "int", I64)]),
    ("median-dim", lambda T, x: x.median(1), [((3, 5), "normal", F32)]),
    ("median-even", lambda T, x: x.median(0), [((4, 3), "normal", F32)]),
    ("median-all", lambda T, x: x.median(), [((4, 3), "normal", F32)]),
    ("mode", lambda T, x: x.mode(1), [((4, 9), "int", I64)]),
    ("sort", lambda T, x: x.sort(), [((3, 6), "normal", F32)]),
    ("sort-desc-ties", lambda T, x: x.sort(0, descending=True), [((7, 3), "int", F32)]),
    ("sort-ties", lambda T, x: x.sort(1), [((3, 7), "int", I64)]),
    ("argsort", lambda T, x: x.argsort(descending=True), [((3, 7), "int", I64)]),
    ("topk", lambda T, x: x.topk(3), [((3, 7), "normal", F32)]),
    ("topk-dim0", lambda T, x: x.topk(2, 0), [((5, 3), "normal", F32)]),
    ("kthvalue", lambda T, x: x.kthvalue(2, 1, True), [((3, 5), "normal", F32)]),
    ("cummax", lambda T, x: x.cummax(1), [((3, 6), "normal", F32)]),
    ("logcumsumexp", lambda T, x: x.logcumsumexp(1), [((3, 6), "normal", F32)]),
    ("logcumsumexp-f64", lambda T, x: T.logcumsumexp(x, 0), [((5, 2), "normal", F64)]),
    ("cummin", lambda T, x: x.cummin(0), [((6, 3), "int", I64)]),
    ("aminmax", lambda T, x: T.aminmax(x, dim=1), [((3, 6), "normal", F32)]),
    ("count-nonzero", lambda T, x: T.count_nonzero(x, dim=(0, 1)), [((3, 6), "int", I64)]),
    ("nansum-dim", lambda T, x: x.nansum(0), [((3, 6), "normal", F32)]),
]


def _make_inputs(T, specs, seed=0):
    inputs = []
    for i, spec in enumerate(specs):
        shape, kind, dtype = spec
        values = _rng_values(shape, seed + i, kind)
        target = getattr(T, dtype)
        grad = dtype.startswith("float")
        inputs.append(T.tensor(np.asarray(values).tolist(), dtype=target, requires_grad=grad))
    return inputs


def _outputs(result):
    """(kind, [tensors]) for a tensor, a named tuple or a plain tuple."""
    if isinstance(result, tuple):
        kind = type(result).__name__
        return ("tuple" if kind == "tuple" else kind), list(result)
    return "tensor", [result]


def _grad_fn_name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_reduce_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, fn, specs = case
    ours_in = _make_inputs(G, specs)
    theirs_in = _make_inputs(torch, specs)
    ours_kind, ours = _outputs(fn(G, *ours_in))
    theirs_kind, theirs = _outputs(fn(torch, *theirs_in))
    assert ours_kind == theirs_kind
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert str(a.dtype) == str(b.dtype)
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(np.asarray(a._data), b.detach().numpy())
        assert _grad_fn_name(a) == _grad_fn_name(b)
    # First-order gradients through a weighted sum of the float outputs.
    pairs = [(a, b) for a, b in zip(ours, theirs) if b.requires_grad]
    if not pairs:
        return
    weights = [_rng_values(tuple(b.shape), 99) for _, b in pairs]
    ours_loss = sum((a * tensor(w.tolist(), dtype=a.dtype)).sum() for (a, _), w in
                    zip(pairs, weights))
    theirs_loss = sum((b * torch.tensor(w.tolist(), dtype=b.dtype)).sum() for (_, b), w in
                      zip(pairs, weights))
    ours_loss.backward()
    theirs_loss.backward()
    for a, b in zip(ours_in, theirs_in):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-5, atol=1e-6)


# ========================================================== gradcheck
# (op name, fn taking float64 tensors, input shapes)
GRADCHECK_CASES = [
    ("sum", lambda x: x.sum(), [(3, 4)]),
    ("sum", lambda x: x.sum((0, 2), keepdim=True), [(2, 3, 2)]),
    ("nansum", lambda x: x.nansum(1), [(3, 4)]),
    ("mean", lambda x: x.mean(1), [(3, 4)]),
    ("mean", lambda x: x.mean(), [(3,)]),
    ("prod", lambda x: x.prod(), [(2, 3)]),
    ("prod", lambda x: x.prod(1, keepdim=True), [(2, 3)]),
    ("max", lambda x: x.max(), [(3, 4)]),
    ("max", lambda x: x.max(1).values, [(3, 4)]),
    ("min", lambda x: x.min(), [(3, 4)]),
    ("min", lambda x: x.min(0, keepdim=True).values, [(3, 4)]),
    ("amax", lambda x: x.amax(1), [(3, 4)]),
    ("amin", lambda x: x.amin((0, 1)), [(3, 4)]),
    ("aminmax", lambda x: G.aminmax(x, dim=0), [(3, 4)]),
    ("std", lambda x: x.std(), [(3, 4)]),
    ("std", lambda x: x.std(1, keepdim=True), [(3, 4)]),
    ("var", lambda x: x.var(0), [(3, 4)]),
    ("var", lambda x: x.var(correction=0), [(5,)]),
    ("std_mean", lambda x: G.std_mean(x, 1), [(3, 4)]),
    ("var_mean", lambda x: G.var_mean(x), [(3, 4)]),
    ("norm", lambda x: x.norm(), [(3, 4)]),
    ("norm", lambda x: x.norm(p=1, dim=1), [(3, 4)]),
    ("norm", lambda x: x.norm(p=3, dim=0, keepdim=True), [(3, 4)]),
    ("norm", lambda x: x.norm(p=INF), [(3, 4)]),
    ("norm", lambda x: x.norm(p=1.5), [(3, 4)]),
    ("norm", lambda x: x.norm(p=0.5), [(3, 4)]),
    ("logsumexp", lambda x: x.logsumexp(1), [(3, 4)]),
    ("cumsum", lambda x: x.cumsum(1), [(3, 4)]),
    ("cumprod", lambda x: x.cumprod(0), [(3, 4)]),
    ("cummax", lambda x: x.cummax(1).values, [(3, 4)]),
    ("cummin", lambda x: x.cummin(0).values, [(3, 4)]),
    ("logcumsumexp", lambda x: x.logcumsumexp(1), [(3, 4)]),
    ("median", lambda x: x.median(), [(3, 5)]),
    ("median", lambda x: x.median(1).values, [(3, 5)]),
    ("nanmedian", lambda x: x.nanmedian(0).values, [(3, 5)]),
    ("mode", lambda x: x.mode(1).values, [(3, 5)]),
    ("kthvalue", lambda x: x.kthvalue(2, 0).values, [(3, 5)]),
    ("sort", lambda x: x.sort(1).values, [(3, 5)]),
    ("topk", lambda x: x.topk(2).values, [(3, 5)]),
]

# Second derivatives PyTorch itself does not give (piecewise-constant selections
# are fine; these are the ones whose first derivative is not differentiable here).
_NO_GRADGRAD = {"cumprod"}


def _gradcheck_inputs(shapes, seed=0):
    return tuple(Tensor._make(np.random.default_rng(seed + i).standard_normal(shape) + 0.1,
                              dt.float64, requires_grad=True)
                 for i, shape in enumerate(shapes))


@pytest.mark.parametrize("case", GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_reduce_gradcheck(case):
    name, fn, shapes = case
    inputs = _gradcheck_inputs(shapes)
    assert gradcheck(fn, inputs)
    if name not in _NO_GRADGRAD:
        assert gradgradcheck(fn, inputs)


def test_cumprod_gradgradcheck_without_zeros():
    inputs = (Tensor._make(np.random.default_rng(3).uniform(0.5, 2.0, (3, 4)), dt.float64,
                           requires_grad=True),)
    assert gradgradcheck(lambda x: x.cumprod(1), inputs)


def test_prod_and_cumprod_gradients_with_zeros():
    x = tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0]], dtype=dt.float64, requires_grad=True)
    assert gradcheck(lambda t: t.prod(1), (x,))
    assert gradcheck(lambda t: t.prod(), (x,))
    assert gradcheck(lambda t: t.cumprod(1), (x,))


def test_max_gradient_is_shared_among_ties():
    x = tensor([1.0, 5.0, 5.0, 2.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]


def test_max_dim_gradient_goes_to_the_first_maximum():
    x = tensor([[1.0, 5.0, 5.0]], requires_grad=True)
    x.max(1).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0]]


def test_norm_gradient_at_zero_is_zero():
    x = tensor([0.0, 0.0], requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_create_graph_through_sum_records_expand():
    x = tensor([1.0, 2.0], requires_grad=True)
    (gx,) = ag.grad((x * x).sum(), x, create_graph=True)
    assert gx.grad_fn is not None
    (ggx,) = ag.grad(gx.sum(), x)
    assert ggx.tolist() == [2.0, 2.0]


def test_no_grad_records_nothing():
    x = tensor([1.0, 2.0], requires_grad=True)
    with ag.no_grad():
        assert x.sum().grad_fn is None and not x.max(0).values.requires_grad
