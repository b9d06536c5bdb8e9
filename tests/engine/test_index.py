"""Indexing: getitem/setitem with every index kind, gather/scatter, masks, nonzero.

Tables:

- ``GOLDEN``: expected values pasted from PyTorch 2.13 (no torch needed);
- ``GETITEM``: index expressions compared with PyTorch (values, shape, strides,
  offset, view or copy, grad_fn chain, gradients);
- ``SETITEM``: assignments compared with PyTorch (values, grad_fn chain and the
  gradients that flow to the target and to the assigned value);
- ``OPS``: index_select, gather, scatter, masked_*, take, put, index_*, *_scatter;
- ``ERRORS``: calls that raise, with PyTorch's exception class;
- ``GRADCHECK_CASES``: every op of the index table that records a backward node.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from gradcli.engine import FUNCTIONS, Tensor
from gradcli.engine import autograd as ag
from gradcli.engine import dtypes as dt
from gradcli.engine.gradcheck import gradcheck, gradgradcheck

G = types.SimpleNamespace(**FUNCTIONS, **dt.ALIASES, autograd=ag)

from graph_helpers import chain, node_name

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


# ===================================================================== golden
GOLDEN = [
    ("int", lambda T: T.tensor([[1, 2, 3], [4, 5, 6]])[1], [4, 5, 6]),
    ("negative", lambda T: T.tensor([[1, 2, 3], [4, 5, 6]])[-1, -3], 4),
    ("slice-step", lambda T: T.arange(10)[1::3], [1, 4, 7]),
    ("slice-empty", lambda T: T.arange(10)[5:2].tolist(), []),
    ("none-ellipsis", lambda T: T.arange(24).view(2, 3, 4)[..., None].shape, (2, 3, 4, 1)),
    ("mask", lambda T: T.tensor([[-1.0, 2.0], [3.0, -4.0]])[T.tensor([[-1.0, 2.0],
                                                                        [3.0, -4.0]]) > 0],
     [2.0, 3.0]),
    ("row-mask", lambda T: T.tensor([[1, 2], [3, 4]])[:, T.tensor([True, False])],
     [[1], [3]]),
    ("list", lambda T: T.tensor([10, 20, 30, 40])[[-1, 0, -1]], [40, 10, 40]),
    ("pairs", lambda T: T.arange(9).view(3, 3)[[0, 1, 2], [2, 1, 0]], [2, 4, 6]),
    ("list-and-slice", lambda T: T.arange(9).view(3, 3)[[1, 2], 1:], [[4, 5], [7, 8]]),
    ("advanced-apart", lambda T: T.arange(24).view(2, 3, 4)[[0, 1], :, [1, 2]].shape,
     (2, 3)),
    ("int-then-list", lambda T: T.arange(24).view(2, 3, 4)[0, :, [1, 2]].shape, (3, 2)),
    ("gather", lambda T: T.tensor([[1, 2, 3], [4, 5, 6]]).gather(1, T.tensor([[2], [0]])),
     [[3], [4]]),
    ("scatter", lambda T: T.zeros(2, 3).scatter(0, T.tensor([[1, 0, 1]]),
                                                T.tensor([[5.0, 6.0, 7.0]])),
     [[0.0, 6.0, 0.0], [5.0, 0.0, 7.0]]),
    ("index-select", lambda T: T.tensor([[1, 2, 3], [4, 5, 6]]).index_select(1,
                                                                              T.tensor([2, 0])),
     [[3, 1], [6, 4]]),
    ("masked-fill", lambda T: T.tensor([1.0, -2.0]).masked_fill(T.tensor([False, True]), 0.0),
     [1.0, 0.0]),
    ("masked-select", lambda T: T.tensor([1, -2, 3]).masked_select(T.tensor([1, -2, 3]) > 0),
     [1, 3]),
    ("nonzero", lambda T: T.tensor([[0, 3], [5, 0]]).nonzero(), [[0, 1], [1, 0]]),
    ("nonzero-tuple", lambda T: [t.tolist() for t in T.nonzero(T.tensor([1, 0, 2]),
                                                                as_tuple=True)], [[0, 2]]),
    ("where-one-arg", lambda T: [t.tolist() for t in T.where(T.tensor([0, 4, 5]))], [[1, 2]]),
]


@pytest.mark.parametrize("case", GOLDEN, ids=[c[0] for c in GOLDEN])
def test_index_golden(case):
    _, fn, expected = case
    result = fn(G)
    if isinstance(result, Tensor):
        result = result.tolist()
    elif isinstance(result, tuple) and not isinstance(expected, tuple):
        result = list(result)
    assert result == expected


def test_basic_index_is_a_view_and_advanced_a_copy():
    values = G.tensor([1.0, 2.0, 3.0, 4.0])
    values[1:3][0] = 20.0
    picked = values[[0, 1]]
    picked[0] = 100.0
    assert values.tolist() == [1.0, 20.0, 3.0, 4.0]


def test_setitem_broadcasts_and_converts():
    grid = G.zeros(2, 3, dtype=G.int64)
    grid[0] = G.tensor([1, 2, 3])
    grid[:, 0] = G.tensor([7, 8])
    grid[:, 1:] = G.tensor([5, 6])
    grid[1] = G.tensor(4.9)
    assert grid.tolist() == [[7, 5, 6], [4, 4, 4]]
    grid[grid > 5] = 0
    assert grid.tolist() == [[0, 5, 0], [4, 4, 4]]


def test_setitem_records_copy_slices():
    x = G.ones(3, requires_grad=True)
    y = x * 2
    y[0] = 5.0
    assert node_name(y.grad_fn) == "CopySlices"
    assert [node_name(f) for f, _ in y.grad_fn.next_functions] == ["MulBackward0", None]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


# =================================================================== getitem
def _x(T, grad=True):
    x = T.arange(24.0, dtype=T.float64).reshape(2, 3, 4)
    return x.requires_grad_() if grad else x


GETITEM = [
    ("int", lambda T, x: x[1]),
    ("neg-int", lambda T, x: x[-1, -2]),
    ("ints", lambda T, x: x[1, 2, 3]),
    ("slice", lambda T, x: x[1:]),
    ("full-slice", lambda T, x: x[:]),
    ("slice-step", lambda T, x: x[:, ::2, 1::2]),
    ("slice-clamped", lambda T, x: x[:, -10:2]),
    ("slice-past-end", lambda T, x: x[5:10]),
    ("tuple-full-slices", lambda T, x: x[:, :]),
    ("tuple-trailing-slice", lambda T, x: x[0:2, :]),
    ("column", lambda T, x: x[:, 1]),
    ("ellipsis", lambda T, x: x[...]),
    ("ellipsis-int", lambda T, x: x[..., 0]),
    ("int-ellipsis-none", lambda T, x: x[0, ..., None]),
    ("none", lambda T, x: x[None]),
    ("none-middle", lambda T, x: x[:, None]),
    ("none-int-none-slice", lambda T, x: x[None, 0, None, 1:]),
    ("empty-tuple", lambda T, x: x[()]),
    ("true", lambda T, x: x[True]),
    ("false", lambda T, x: x[False]),
    ("int-true", lambda T, x: x[1, True]),
    ("0d-int-tensor", lambda T, x: x[T.tensor(1)]),
    ("0d-int-tensors", lambda T, x: x[T.tensor(1), T.tensor(0)]),
    ("0d-bool-tensor", lambda T, x: x[T.tensor(True)]),
    ("list", lambda T, x: x[[1, 0, 1]]),
    ("list-of-tensors", lambda T, x: x[[T.tensor(1), T.tensor(0)]]),
    ("nested-list-as-tuple", lambda T, x: x[[[0, 1], [1, 2]]]),
    ("long-tensor", lambda T, x: x[T.tensor([1, 0])]),
    ("int32-tensor", lambda T, x: x[T.tensor([1], dtype=T.int32)]),
    ("2d-index", lambda T, x: x[T.tensor([[1, 0], [0, 0]])]),
    ("two-lists", lambda T, x: x[[0, 1], [2, 0]]),
    ("lists-apart", lambda T, x: x[[0, 1], :, [1, 2]]),
    ("lists-adjacent", lambda T, x: x[:, [0, 1], [1, 2]]),
    ("int-then-list", lambda T, x: x[0, :, [1, 2]]),
    ("broadcast-lists", lambda T, x: x[[[0], [1]], [[0, 1, 2]]]),
    ("slice-then-list", lambda T, x: x[0:1, [0, 2]]),
    ("full-slice-then-list", lambda T, x: x[:, [2]]),
    ("none-then-list", lambda T, x: x[None, [0, 1]]),
    ("list-then-none", lambda T, x: x[[0, 1], None]),
    ("list-none-list", lambda T, x: x[[0, 1], None, [0, 1]]),
    ("empty-list", lambda T, x: x[[]]),
    ("mask-all", lambda T, x: x[x > 10]),
    ("mask-2d-then-int", lambda T, x: x[(x > 10).any(2), 0]),
    ("mask-2d-then-slice", lambda T, x: x[(x > 10).any(2), 1:]),
    ("mask-1d-middle", lambda T, x: x[:, T.tensor([True, False, True])]),
    ("bool-list", lambda T, x: x[[True, False]]),
    ("double-ellipsis", lambda T, x: x[..., ...]),
    ("chained", lambda T, x: x[0][2][1:]),
]


def _describe(result) -> dict:
    return {"values": result.tolist(), "shape": tuple(result.shape),
            "stride": result.stride(), "offset": result.storage_offset(),
            "view": result._base is not None, "chain": chain(result.grad_fn)}


def _getitem(T, fn):
    x = _x(T)
    result = fn(T, x)
    described = _describe(result)
    weights = T.arange(1.0, result.numel() + 1, dtype=T.float64).reshape(result.shape)
    (result * weights).sum().backward()
    return described, x.grad.tolist()


@pytest.mark.parametrize("case", GETITEM, ids=[c[0] for c in GETITEM])
def test_getitem_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, fn = case
    assert _getitem(G, fn) == _getitem(torch, fn)


# =================================================================== setitem
def _assign(index, value):
    def run(T, x, v):
        x[index(T, x)] = value(T, v)
        return x
    return run


# (id, index(T, x), value(T, v)); x is a (2, 3, 4) non-leaf, v a (4,) leaf
SETITEM = [
    ("int-scalar", lambda T, x: 0, lambda T, v: 5.0),
    ("int-tensor", lambda T, x: (1, 2), lambda T, v: v * 2),
    ("element", lambda T, x: (1, 2, 3), lambda T, v: v[0]),
    ("slice", lambda T, x: slice(None), lambda T, v: v),
    ("slice-part", lambda T, x: (slice(None), slice(1, None)), lambda T, v: v),
    ("step", lambda T, x: (Ellipsis, slice(None, None, 2)), lambda T, v: v[:2]),
    ("ellipsis-scalar", lambda T, x: Ellipsis, lambda T, v: 1.5),
    ("ellipsis-0d", lambda T, x: Ellipsis, lambda T, v: v[1]),
    ("none", lambda T, x: None, lambda T, v: v),
    ("true", lambda T, x: True, lambda T, v: 3.0),
    ("false", lambda T, x: False, lambda T, v: 3.0),
    ("0d-index", lambda T, x: T.tensor(1), lambda T, v: v),
    ("leading-ones", lambda T, x: 0, lambda T, v: v.view(1, 1, 4)),
    ("list", lambda T, x: [1, 0], lambda T, v: 7.0),
    ("list-tensor", lambda T, x: [0], lambda T, v: v),
    ("list-repeated", lambda T, x: ([0, 0], [1, 1]), lambda T, v: v[:2].view(2, 1)),
    ("mask", lambda T, x: x > 10, lambda T, v: -1.0),
    ("mask-values", lambda T, x: x > 19, lambda T, v: v),
    ("int-and-list", lambda T, x: (0, [2, 0]), lambda T, v: v),
    ("slice-and-list", lambda T, x: (slice(None), [2]), lambda T, v: v),
    ("index-then-list-view", lambda T, x: (1, slice(None), [0, 3]), lambda T, v: v[1:3]),
]


def _setitem(T, index, value):
    leaf = T.arange(24.0, dtype=T.float64).reshape(2, 3, 4).requires_grad_()
    v = T.tensor([10.0, 20.0, 30.0, 40.0], dtype=T.float64, requires_grad=True)
    x = leaf * 1
    x[index(T, x)] = value(T, v)
    described = {"values": x.tolist(), "chain": chain(x.grad_fn)}
    weights = T.arange(1.0, 25.0, dtype=T.float64).reshape(2, 3, 4)
    (x * weights).sum().backward()
    return described, leaf.grad.tolist(), None if v.grad is None else v.grad.tolist()


@pytest.mark.parametrize("case", SETITEM, ids=[c[0] for c in SETITEM])
def test_setitem_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, index, value = case
    assert _setitem(G, index, value) == _setitem(torch, index, value)


SETITEM_VALUES = [
    ("int-from-float", lambda T: (T.zeros(3, dtype=T.int64), 0, 2.7)),
    ("int-list-from-float", lambda T: (T.zeros(3, dtype=T.int64), [0, 1], 2.7)),
    ("bool-from-int", lambda T: (T.zeros(3, dtype=T.bool), 0, 2)),
    ("uint8-wraps", lambda T: (T.zeros(3, dtype=T.uint8), 0, -1)),
    ("nan", lambda T: (T.zeros(3), 1, float("nan"))),
    ("int32-from-double", lambda T: (T.zeros(3, dtype=T.int32), slice(0, 2),
                                     T.tensor([1.5, 2.5], dtype=T.float64))),
    ("repeated-last-wins", lambda T: (T.zeros(3), [0, 0], T.tensor([1.0, 2.0]))),
    ("mask-values", lambda T: (T.zeros(3), T.tensor([True, False, True]), T.tensor([1.0, 2.0]))),
    ("none", lambda T: (T.zeros(3), None, T.tensor([[1.0, 2.0, 3.0]]))),
    ("expanded-row", lambda T: (T.zeros(3).expand(2, 3), 0, 1.0)),
]


def _set_value(T, make):
    target, index, value = make(T)
    target[index] = value
    return str(target.dtype), str(target.tolist())


@pytest.mark.parametrize("case", SETITEM_VALUES, ids=[c[0] for c in SETITEM_VALUES])
def test_setitem_values_match_torch(case):
    torch = pytest.importorskip("torch")
    _, make = case
    assert _set_value(G, make) == _set_value(torch, make)


# ======================================================================= ops
OPS = [
    ("index-select", lambda T, x: x.index_select(1, T.tensor([2, 0, 2]))),
    ("index-select-0d-index", lambda T, x: x.index_select(2, T.tensor(1))),
    ("index-select-int32", lambda T, x: T.index_select(x, 0, T.tensor([1], dtype=T.int32))),
    ("gather", lambda T, x: x.gather(2, T.tensor([[[3, 0], [1, 1], [2, 2]]]))),
    ("gather-dim0", lambda T, x: x.gather(0, T.tensor([[[1, 0, 1, 0]]]))),
    ("scatter-value", lambda T, x: x.scatter(1, T.tensor([[[0, 2]]]), -1.0)),
    ("scatter-value-kw", lambda T, x: x.scatter(1, T.tensor([[[0, 2]]]), value=-1.0)),
    ("scatter-src", lambda T, x: x.scatter(2, T.tensor([[[3], [0], [1]]]), x[:1, :, :1] * 3)),
    ("scatter-add", lambda T, x: x.scatter_add(2, T.tensor([[[1, 1], [0, 0], [2, 3]]]),
                                               x[:1, :, :2] * 2)),
    ("masked-fill", lambda T, x: x.masked_fill(x > 12, 0.0)),
    ("masked-fill-broadcast", lambda T, x: x[0, 0].masked_fill(T.tensor([[True], [False]]),
                                                               1.0)),
    ("masked-fill-tensor", lambda T, x: x.masked_fill(x < 3, x[0, 0, 1] * 5)),
    ("masked-select", lambda T, x: x.masked_select(x > 15)),
    ("masked-select-broadcast", lambda T, x: x[0, 0].masked_select(
        T.tensor([[True], [False]]))),
    ("masked-scatter", lambda T, x: x[0].masked_scatter(x[0] > 5, x[1] * 2)),
    ("take", lambda T, x: x.take(T.tensor([[0, -1], [5, 5]]))),
    ("put", lambda T, x: x.put(T.tensor([0, 0, 5]), x[1, 0, :3] * 2)),
    ("put-accumulate", lambda T, x: x.put(T.tensor([0, 0, 5]), x[1, 0, :3], accumulate=True)),
    ("index-add", lambda T, x: x.index_add(1, T.tensor([0, 0]), x[:, :2] * 3, alpha=2)),
    ("index-copy", lambda T, x: x.index_copy(2, T.tensor([3, 1]), x[:, :, :2] * 2)),
    ("index-fill", lambda T, x: x.index_fill(1, T.tensor([0, 2]), -1.0)),
    ("index-fill-tensor", lambda T, x: x.index_fill(1, T.tensor([0]), x[0, 0, 0] * 2)),
    ("index-put", lambda T, x: x.index_put((T.tensor([1, 0]), T.tensor([2, 2])), x[0, 0] * 2)),
    ("index-put-mask", lambda T, x: x.index_put((x > 20,), T.tensor(9.0, dtype=T.float64))),
    ("index-put-accumulate", lambda T, x: x.index_put((T.tensor([0, 0]),), x[1] * 2,
                                                      accumulate=True)),
    ("select-scatter", lambda T, x: T.select_scatter(x, x[:, 0] * 2, 1, 2)),
    ("slice-scatter", lambda T, x: T.slice_scatter(x, x[:, :, :2] * 2, 2, 0, 4, 2)),
    ("fill", lambda T, x: T.fill(x, x[1, 1, 1])),
]


def _op(T, fn):
    x = _x(T)
    results = as_tuple(fn(T, x))
    described = [(r.tolist(), tuple(r.shape), str(r.dtype), chain(r.grad_fn))
                 for r in results]
    total = sum((r * T.arange(1.0, r.numel() + 1, dtype=T.float64).reshape(r.shape)).sum()
                for r in results)
    total.backward()
    return described, x.grad.tolist()


@pytest.mark.parametrize("case", OPS, ids=[c[0] for c in OPS])
def test_index_ops_match_torch(case):
    torch = pytest.importorskip("torch")
    _, fn = case
    assert _op(G, fn) == _op(torch, fn)


NO_GRAD_OPS = [
    ("nonzero", lambda T: T.tensor([[0, 3], [5, 0], [0, 0]]).nonzero()),
    ("nonzero-float", lambda T: T.tensor([0.0, 1.5, 0.0, 2.0]).nonzero()),
    ("nonzero-none", lambda T: T.tensor([0, 0]).nonzero()),
    ("nonzero-0d", lambda T: T.tensor(5.0).nonzero()),
    ("nonzero-0d-zero", lambda T: T.tensor(0.0).nonzero()),
    ("nonzero-tuple", lambda T: T.nonzero(T.tensor([[1, 0], [0, 2]]), as_tuple=True)),
    ("nonzero-0d-tuple", lambda T: T.tensor(5.0).nonzero(as_tuple=True)),
    ("argwhere", lambda T: T.tensor([[1, 0], [0, 2]]).argwhere()),
    ("where", lambda T: T.where(T.tensor([1, 0, 2]))),
    ("scatter-reduce-add", lambda T: T.arange(6).view(2, 3).scatter(
        0, T.tensor([[1, 1]]), 2, reduce="add")),
    ("scatter-reduce-multiply", lambda T: T.arange(6).view(2, 3).scatter(
        0, T.tensor([[1]]), 2, reduce="multiply")),
    ("scatter-int-value", lambda T: T.arange(3).scatter(0, T.tensor([1]), 2.7)),
    ("masked-fill-int", lambda T: T.arange(3).masked_fill(T.tensor([True, False, True]), 2.7)),
    ("nonzero-out", lambda T: T.nonzero(T.tensor([1, 0, 1]), out=T.zeros(3, dtype=T.int64))),
    ("gather-out", lambda T: T.gather(T.arange(4.0), 0, T.tensor([1, 2]), out=T.zeros(0))),
]


def _plain(value):
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return str(value.dtype), value.tolist()


@pytest.mark.parametrize("case", NO_GRAD_OPS, ids=[c[0] for c in NO_GRAD_OPS])
def test_index_values_match_torch(case):
    torch = pytest.importorskip("torch")
    _, fn = case
    assert _plain(fn(G)) == _plain(fn(torch))


# =================================================================== errors
ERRORS = [
    ("int-0d", lambda T: T.tensor(5.0)[0], IndexError),
    ("slice-0d", lambda T: T.tensor(5.0)[:], IndexError),
    ("negative-step", lambda T: T.arange(3)[::-1], ValueError),
    ("zero-step", lambda T: T.arange(3)[::0], ValueError),
    ("out-of-range", lambda T: T.arange(3)[3], IndexError),
    ("negative-out-of-range", lambda T: T.arange(3)[-4], IndexError),
    ("too-many", lambda T: T.ones(2, 3)[0, 0, 0], IndexError),
    ("list-out-of-range", lambda T: T.ones(2, 3)[[0, 5]], IndexError),
    ("mask-shape", lambda T: T.ones(2, 3)[T.ones(3, dtype=T.bool)], IndexError),
    ("float-index", lambda T: T.ones(2, 3)[1.0], IndexError),
    ("float-tensor-index", lambda T: T.ones(2, 3)[T.tensor([1.0])], IndexError),
    ("0d-float-tensor-index", lambda T: T.ones(2, 3)[T.tensor(1.0)], IndexError),
    ("string-index", lambda T: T.ones(2, 3)["a"], TypeError),
    ("lists-do-not-broadcast", lambda T: T.ones(2, 3)[[0, 1], [0, 1, 2]], IndexError),
    ("set-out-of-range", lambda T: T.ones(3).__setitem__(5, 1), IndexError),
    ("set-list-out-of-range", lambda T: T.ones(3).__setitem__([5], 1), IndexError),
    ("set-string", lambda T: T.ones(3).__setitem__(0, "a"), TypeError),
    ("set-list-value", lambda T: T.ones(3).__setitem__(0, [1]), TypeError),
    ("set-wrong-shape", lambda T: T.ones(3).__setitem__(0, T.tensor([1.0, 2.0])),
     RuntimeError),
    ("set-index-put-shape", lambda T: T.ones(3).__setitem__([0, 1], T.ones(3)), RuntimeError),
    ("set-index-put-dtype", lambda T: T.ones(3).__setitem__([0], T.tensor([1])), RuntimeError),
    ("set-uint8-overflow", lambda T: T.zeros(3, dtype=T.uint8).__setitem__(0, 300),
     RuntimeError),
    ("set-leaf", lambda T: T.ones(3, requires_grad=True).__setitem__(0, 5.0), RuntimeError),
    ("set-expanded", lambda T: T.zeros(3).expand(2, 3).__setitem__(Ellipsis, 1.0),
     RuntimeError),
    ("masked-fill-long-mask", lambda T: T.ones(2).masked_fill(T.ones(2, dtype=T.long), 0),
     RuntimeError),
    ("masked-fill-1d-value", lambda T: T.ones(2).masked_fill(T.ones(2) > 0, T.tensor([1.0])),
     RuntimeError),
    ("masked-fill_-broadcast", lambda T: T.ones(3).masked_fill_(T.tensor([[True], [False]]),
                                                                0.0), RuntimeError),
    ("masked-select-long", lambda T: T.ones(2).masked_select(T.ones(2, dtype=T.long)),
     RuntimeError),
    ("masked-scatter-few", lambda T: T.ones(3).masked_scatter(T.ones(3) > 0, T.ones(2)),
     RuntimeError),
    ("scatter-src-dtype", lambda T: T.ones(2, 3).scatter(0, T.tensor([[1]]),
                                                         T.ones(1, 1, dtype=T.long)),
     RuntimeError),
    ("scatter-out-of-range", lambda T: T.ones(2, 3).scatter(0, T.tensor([[5]]), 1.0),
     RuntimeError),
    ("scatter-negative", lambda T: T.ones(2, 3).scatter(0, T.tensor([[-1]]), 1.0),
     RuntimeError),
    ("scatter-ndim", lambda T: T.ones(2, 3).scatter(0, T.tensor([1]), 1.0), RuntimeError),
    ("scatter-index-size", lambda T: T.ones(2, 3).scatter(0, T.tensor([[1, 1, 1, 1]]), 1.0),
     RuntimeError),
    ("scatter-reduce", lambda T: T.ones(2, 3).scatter(0, T.tensor([[1]]), 2.0, reduce="max"),
     RuntimeError),
    ("scatter-add-number", lambda T: T.ones(2, 3).scatter_add(0, T.tensor([[1]]), 1.0),
     TypeError),
    ("gather-ndim", lambda T: T.ones(2, 3).gather(1, T.tensor([0])), RuntimeError),
    ("gather-size", lambda T: T.ones(2, 3).gather(1, T.tensor([[0], [0], [0]])), RuntimeError),
    ("gather-out-of-range", lambda T: T.ones(2, 3).gather(1, T.tensor([[5]])), RuntimeError),
    ("gather-float", lambda T: T.ones(2, 3).gather(1, T.tensor([[0.0]])), RuntimeError),
    ("index-select-2d", lambda T: T.ones(2, 3).index_select(1, T.tensor([[0]])), IndexError),
    ("index-select-float", lambda T: T.ones(2, 3).index_select(1, T.tensor([1.0])),
     RuntimeError),
    ("index-select-list", lambda T: T.ones(2, 3).index_select(1, [1]), TypeError),
    ("index-add-dtype", lambda T: T.ones(2, 3).index_add(0, T.tensor([1]),
                                                         T.ones(1, 3, dtype=T.long)),
     RuntimeError),
    ("index-add-count", lambda T: T.ones(2, 3).index_add(0, T.tensor([1, 1]), T.ones(1, 3)),
     RuntimeError),
    ("index-add-range", lambda T: T.ones(2, 3).index_add(0, T.tensor([5]), T.ones(1, 3)),
     RuntimeError),
    ("take-range", lambda T: T.ones(2, 3).take(T.tensor([6])), IndexError),
    ("take-float", lambda T: T.ones(2, 3).take(T.tensor([1.0])), RuntimeError),
    ("select-scatter-shape", lambda T: T.select_scatter(T.ones(2, 3), T.ones(2), 0, 1),
     RuntimeError),
    ("slice-scatter-shape", lambda T: T.slice_scatter(T.ones(2, 3), T.ones(2, 3), 1, 0, 3, 2),
     RuntimeError),
    ("index-put-dtype", lambda T: T.ones(2, 3).index_put((T.tensor([0]),), T.tensor(1)),
     RuntimeError),
    ("index-put-not-tuple", lambda T: T.ones(2, 3).index_put(T.tensor([0]), T.tensor(1.0)),
     TypeError),
    ("index-put-number", lambda T: T.ones(2, 3).index_put((T.tensor([0]),), 1.0), TypeError),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_index_errors(case):
    _, fn, expected = case
    with pytest.raises(Exception) as info:
        fn(G)
    assert type(info.value) is expected


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_index_error_classes_match_torch(case):
    torch = pytest.importorskip("torch")
    _, fn, expected = case
    with pytest.raises(Exception) as info:
        fn(torch)
    assert type(info.value) is expected


def test_scatter_backward_rejects_a_src_larger_than_index():
    x = G.zeros(2, 3, dtype=G.float64)
    src = G.ones(2, 3, dtype=G.float64, requires_grad=True)
    y = x.scatter(1, G.tensor([[0], [2]]), src)
    with pytest.raises(RuntimeError):
        y.sum().backward()


def test_scatter_with_reduce_records_a_not_implemented_node():
    x = G.ones(2, 3, requires_grad=True)
    y = x.scatter(0, G.tensor([[1]]), 2.0, reduce="add")
    assert node_name(y.grad_fn) == "NotImplemented"
    with pytest.raises(RuntimeError):
        y.sum().backward()


# ================================================================ gradcheck
def _input(shape, seed):
    rng = np.random.default_rng(seed)
    return Tensor._make(rng.standard_normal(shape), dt.float64, requires_grad=True)


def _set(index):
    def run(x, v):
        y = x.clone()
        y[index] = v
        return y
    return run


def _inplace(method, *args, **kwargs):
    def run(x, *values):
        y = x.clone()
        getattr(y, method)(*args, *values, **kwargs)
        return y
    return run


IDX = G.tensor([[0, 2], [1, 1]])
MASK = G.tensor([[True, False, True], [False, True, False]])

# (op name, fn(*inputs), input shapes)
GRADCHECK_CASES = [
    ("getitem", lambda x: x[1, ::2], [(2, 3)]),
    ("getitem", lambda x: x[None, ..., 0], [(2, 3)]),
    ("getitem", lambda x: x[[1, 1, 0]], [(2, 3)]),
    ("getitem", lambda x: x[:, [2, 0]][MASK[:, :2]], [(2, 3)]),
    ("setitem", _set(0), [(2, 3), (3,)]),
    ("setitem", _set((slice(None), 1)), [(2, 3), ()]),
    ("setitem", _set(([0, 0], [1, 2])), [(2, 3), (2,)]),
    ("setitem", _set(MASK), [(2, 3), (3,)]),
    ("index_put", lambda x, v: x.index_put((G.tensor([1, 0]),), v), [(2, 3), (3,)]),
    ("index_put", lambda x, v: x.index_put((G.tensor([1, 1]),), v, accumulate=True),
     [(2, 3), (2, 3)]),
    ("index_select", lambda x: x.index_select(1, G.tensor([2, 2, 0])), [(2, 3)]),
    ("index_add", lambda x, s: x.index_add(1, G.tensor([0, 0]), s, alpha=2), [(2, 3), (2, 2)]),
    ("index_copy", lambda x, s: x.index_copy(1, G.tensor([2, 0]), s), [(2, 3), (2, 2)]),
    ("index_fill", lambda x: x.index_fill(1, G.tensor([1]), 3.0), [(2, 3)]),
    ("index_fill", lambda x, v: x.index_fill(1, G.tensor([1]), v), [(2, 3), ()]),
    ("gather", lambda x: x.gather(1, IDX), [(2, 3)]),
    ("scatter", lambda x: x.scatter(1, IDX[:, :1], 0.5), [(2, 3)]),
    ("scatter", lambda x, s: x.scatter(1, G.tensor([[2], [0]]), s), [(2, 3), (2, 1)]),
    ("scatter_add", lambda x, s: x.scatter_add(1, IDX, s), [(2, 3), (2, 2)]),
    ("take", lambda x: x.take(G.tensor([[0, 5], [5, 1]])), [(2, 3)]),
    ("put", lambda x, s: x.put(G.tensor([4, 0]), s), [(2, 3), (2,)]),
    ("put", lambda x, s: x.put(G.tensor([4, 4]), s, accumulate=True), [(2, 3), (2,)]),
    ("masked_fill", lambda x: x.masked_fill(MASK, 2.0), [(2, 3)]),
    ("masked_fill", lambda x, v: x.masked_fill(MASK, v), [(2, 3), ()]),
    ("masked_select", lambda x: x.masked_select(MASK), [(2, 3)]),
    ("masked_select", lambda x: x.masked_select(MASK), [(3,)]),
    ("masked_scatter", lambda x, s: x.masked_scatter(MASK, s), [(2, 3), (4,)]),
    ("select_scatter", lambda x, s: G.select_scatter(x, s, 1, 1), [(2, 3), (2,)]),
    ("slice_scatter", lambda x, s: G.slice_scatter(x, s, 1, 0, 3, 2), [(2, 3), (2, 2)]),
    ("fill", lambda x: G.fill(x, 2.0), [(2, 3)]),
    ("fill", lambda x, v: G.fill(x, v), [(2, 3), ()]),
    ("fill_", _inplace("fill_", 2.0), [(2, 3)]),
    ("fill_", _inplace("fill_"), [(2, 3), ()]),
    ("zero_", _inplace("zero_"), [(2, 3)]),
    ("copy_", _inplace("copy_"), [(2, 3), (3,)]),
    ("t_", _inplace("t_"), [(2, 3)]),
    ("transpose_", _inplace("transpose_", 0, 1), [(2, 3)]),
    ("squeeze_", _inplace("squeeze_"), [(2, 1, 3)]),
    ("squeeze_", _inplace("squeeze_", 1), [(2, 1, 3)]),
    ("squeeze_", _inplace("squeeze_", (0, 1)), [(1, 1, 3)]),
    ("unsqueeze_", _inplace("unsqueeze_", 1), [(2, 3)]),
]


def copied_outputs(fn):
    """``fn`` with its outputs cloned: finite differences must not see views of the inputs."""
    def run(*inputs):
        return tuple(o.clone() for o in as_tuple(fn(*inputs)))
    return run


@pytest.mark.parametrize("case", GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_index_gradcheck(case):
    _, fn, shapes = case
    inputs = tuple(_input(shape, seed) for seed, shape in enumerate(shapes))
    assert gradcheck(copied_outputs(fn), inputs)
    assert gradgradcheck(copied_outputs(fn), inputs)
