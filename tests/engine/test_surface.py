"""The torch functions and Tensor methods issue 14 added (besides ``torch.linalg`` and
``torch.special``): pointwise (addcmul, addcdiv, ldexp, frexp, heaviside, gcd, lcm),
arrangements (rot90, splits, repeat_interleave, take_along_dim, unfold, diff, vander...),
counting (bincount, histograms, searchsorted, unique, isin) and numerical reductions
(quantile, cov, corrcoef, trapezoid, gradient, renorm), the in-place functions
``torch.NAME_`` and ``Tensor.mH``, compared with PyTorch and gradchecked.
"""

from __future__ import annotations

import numpy as np
import pytest
from graph_helpers import TORCH, assert_same, run_both

from gradcli.engine import Tensor
from gradcli.engine import dtypes as dt
from gradcli.engine.gradcheck import gradcheck, gradgradcheck

IDX = TORCH.tensor([[0, 0, 1], [1, 1, 0]])

GRADCHECK_CASES = [
    ("rot90", lambda a: TORCH.rot90(a, 3, [1, 0]), [(2, 3)]),
    ("diagonal_scatter", lambda a, b: TORCH.diagonal_scatter(a, b, 1), [(3, 3), (2,)]),
    ("unfold", lambda a: a.unfold(1, 2, 1), [(2, 4)]),
    ("renorm", lambda a: TORCH.renorm(a, 2, 0, 1.0), [(3, 2)]),
    ("renorm", lambda a: TORCH.renorm(a, 3, 1, 0.5), [(2, 3)]),
    ("as_strided", lambda a: TORCH.as_strided(a, (2, 2), (1, 2)), [(2, 3)]),
    ("as_strided", lambda a: TORCH.as_strided(a, (3, 2), (1, 1), 1), [(5,)]),
    ("scatter_reduce", lambda a, b: a.scatter_reduce(1, IDX, b, "sum"), [(2, 3), (2, 3)]),
    ("scatter_reduce", lambda a, b: a.scatter_reduce(1, IDX, b, "prod"), [(2, 3), (2, 3)]),
    ("scatter_reduce", lambda a, b: a.scatter_reduce(1, IDX, b, "mean", include_self=False),
     [(2, 3), (2, 3)]),
    ("scatter_reduce", lambda a, b: a.scatter_reduce(1, IDX, b, "amax"), [(2, 3), (2, 3)]),
    ("index_reduce", lambda a, b: a.index_reduce(0, TORCH.tensor([1, 1]), b, "prod"),
     [(2, 3), (2, 3)]),
    ("index_reduce", lambda a, b: a.index_reduce(1, TORCH.tensor([0, 2, 0]), b, "amin",
                                                 include_self=False), [(2, 3), (2, 3)]),
]


@pytest.mark.parametrize("case", GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_gradcheck(case):
    _, fn, shapes = case
    inputs = tuple(Tensor._make(np.random.default_rng(i + 11).standard_normal(shape),
                                dt.float64, requires_grad=True)
                   for i, shape in enumerate(shapes))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


SETUP = ("x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True); "
         "v = torch.tensor([1.0, 3.0, 2.0, 5.0], requires_grad=True); "
         "t = torch.tensor([0.5, 1.5, 2.5]); i = torch.tensor([1, 3, 1, 0, 5]); "
         "w = torch.tensor([0.5, 1.0, 2.0, 1.5, 1.0]); "
         "d = torch.tensor([[1.0, 3.0, 2.0], [5.0, 4.0, 0.5]], dtype=torch.float64, "
         "requires_grad=True)")

EXPRESSIONS = [
    # pointwise
    "torch.addcmul(x, x, t, value=2)", "x.addcmul(t, t)", "torch.addcdiv(x, x, t, value=0.5)",
    "torch.addcmul(i, i, i, value=2)", "torch.addcdiv(i, i, i)", "x.clone().addcmul_(t, t)",
    "torch.ldexp(x, torch.tensor([1, 2, 3]))", "torch.ldexp(i, i)", "torch.frexp(v)",
    "torch.frexp(torch.tensor([0.0, -3.5, 1e-40]))", "torch.frexp(i)",
    "torch.heaviside(v - 3, torch.tensor([0.5]))", "torch.heaviside(i - 1, i)",
    "torch.gcd(torch.tensor([12, 18, -4, 0]), torch.tensor([8, 12, 6, 0]))",
    "torch.lcm(torch.tensor([4, 6, 0]), torch.tensor([6, 8, 3]))", "torch.gcd(v, v)",
    # arrangements
    "torch.rot90(x)", "torch.rot90(x, 2)", "x.rot90(-1, [1, 0])", "torch.rot90(x, 1, [0, 0])",
    "torch.diagflat(v)", "torch.diagflat(x, -1)", "torch.diagonal_scatter(x, t[:2])",
    "torch.diagonal_scatter(x, t[:2], 1)", "torch.diagonal_scatter(x, t)",
    "torch.hsplit(x, 3)", "torch.hsplit(x, [1])", "torch.vsplit(x, 2)", "torch.hsplit(v, 2)",
    "torch.dsplit(x.reshape(1, 2, 3), [1, 2])", "torch.hsplit(x, 2)", "torch.vsplit(v, 2)",
    "torch.repeat_interleave(v, 2)", "x.repeat_interleave(2, dim=0)",
    "v.repeat_interleave(torch.tensor([1, 0, 2, 1]))", "torch.repeat_interleave(torch.tensor([2, 1]))",
    "x.repeat_interleave(torch.tensor([2]), dim=1)",
    "torch.take_along_dim(x, torch.tensor([[0], [2]]), 1)", "torch.take_along_dim(x, torch.tensor([5, 0]))",
    "torch.take_along_dim(x, x.argsort(dim=1), dim=1)", "x.take_along_dim(torch.tensor([[1, 0, 1]]), 0)",
    "v.unfold(0, 2, 1)", "x.unfold(1, 2, 1)", "x.unfold(0, 1, 2)", "v.unfold(0, 5, 1)",
    "torch.cartesian_prod(v[:2], t[:2])", "torch.cartesian_prod(t)", "torch.combinations(v)",
    "torch.combinations(v, 3)", "torch.combinations(v[:2], with_replacement=True)",
    "torch.vander(v.detach(), 3)", "torch.vander(torch.tensor([1, 2, 3]), increasing=True)",
    "torch.vander(t)", "torch.diff(v)", "torch.diff(x, n=2, dim=1, prepend=x)",
    "torch.diff(torch.tensor([True, False, False]))", "torch.diff(i, append=i[:2])",
    "torch.tril_indices(3, 3)", "torch.triu_indices(3, 4, 1)", "torch.tril_indices(4, 3, -1)",
    "torch.unravel_index(torch.tensor([4, 1, -1]), (2, 3))", "torch.unravel_index(torch.tensor(7), (2, 2, 2))",
    "torch.broadcast_shapes((2, 1), (3,), 1)", "torch.broadcast_shapes((2, 3), (4, 1, 3))",
    "torch.broadcast_shapes((2,), (3,))",
    # counting
    "torch.bincount(i)", "torch.bincount(i, w)", "torch.bincount(i, w.double(), minlength=8)",
    "torch.bincount(i, torch.tensor([1, 2, 3, 4, 5]))", "i.bincount()", "torch.bincount(i - 2)",
    "torch.histc(w, 4)", "torch.histc(w, 4, min=0, max=1)", "torch.histc(w.double(), 3)",
    "w.histc(bins=2)", "torch.histogram(w, 3)",
    "torch.histogram(w, torch.tensor([0.0, 1.0, 2.0]), density=True)",
    "torch.histogram(w, 2, range=(0.0, 4.0), weight=w)",
    "torch.bucketize(w, torch.tensor([0.5, 1.0, 2.0]))",
    "torch.bucketize(w, torch.tensor([0.5, 1.0, 2.0]), right=True, out_int32=True)",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([[3, 6], [9, 0]]))",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), 5, side='right')",
    "torch.searchsorted(torch.tensor([[1, 3], [2, 4]]), torch.tensor([[2], [5]]))",
    "torch.unique(i)", "torch.unique(i, return_inverse=True, return_counts=True)",
    "torch.unique(torch.tensor([[1, 2], [1, 2], [0, 1]]), dim=0)", "i.unique(sorted=True)",
    "torch.unique(torch.tensor([[1, 2], [1, 2], [0, 1]]), dim=1, return_counts=True)",
    "torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1]))",
    ("torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1]), return_counts=True, "
    "return_inverse=True)"),
    "torch.unique_consecutive(torch.tensor([[1, 1], [1, 1], [2, 3]]), dim=0)",
    "torch.isin(i, torch.tensor([1, 5]))", "torch.isin(i, 3, invert=True)",
    "torch.isin(w, w[:2])", "torch.msort(x)", "torch.msort(i)",
    # numerical
    "torch.quantile(d, 0.3)", ("torch.quantile(d, torch.tensor([0.25, 0.5], dtype=torch.float64), dim=1, "
    "keepdim=True).detach()"),
    "torch.nanquantile(torch.tensor([1.0, float('nan'), 3.0]), 0.5)",
    "torch.quantile(torch.tensor([1.0, float('nan'), 3.0]), 0.5)", "d.quantile(0.5, dim=0)",
    "d.nanquantile(0.9, 1, True)", "torch.quantile(d, 0.4, dim=1, interpolation='lower')",
    "torch.quantile(d, 0.4, dim=1, interpolation='higher')",
    "torch.quantile(d, 0.4, dim=1, interpolation='midpoint')",
    "torch.quantile(d, 0.4, dim=1, interpolation='nearest')", "torch.quantile(d, 1.5)",
    "torch.quantile(d, 0.5, keepdim=True)",
    "torch.nanquantile(torch.tensor([[float('nan'), float('nan')], [1.0, 2.0]]), 0.5, dim=1)",
    "torch.cov(d)", "torch.cov(d, correction=0)", "torch.corrcoef(d)", "torch.cov(d[0])",
    ("torch.cov(d, fweights=torch.tensor([1, 2, 1]), aweights=torch.tensor([0.5, 1.0, 1.0], "
    "dtype=torch.float64))"), "torch.cov(i)", "torch.corrcoef(d[0])",
    "torch.trapezoid(d)", "torch.trapezoid(d, dx=2, dim=0)",
    "torch.trapezoid(d, torch.tensor([0.0, 1.0, 3.0], dtype=torch.float64))",
    "torch.cumulative_trapezoid(d)", "torch.cumulative_trapezoid(d, dx=0.5, dim=0)",
    "torch.cumulative_trapezoid(d, torch.tensor([0.0, 1.0, 3.0], dtype=torch.float64))",
    "torch.trapezoid(i)", "torch.renorm(d, 2, 0, 3)", "torch.renorm(d, 1, 1, 4)",
    "d.renorm(float('inf'), 0, 2)", "torch.gradient(d)", "torch.gradient(d, spacing=2.0, dim=1)",
    "torch.gradient(torch.tensor([1.0, 4.0, 9.0, 16.0]))", "torch.gradient(i)",
    "torch.gradient(torch.tensor([4., 1., 1., 16.]), spacing=(torch.tensor([-2., -1., 1., 4.]),))",
    "torch.gradient(d, spacing=(torch.tensor([0, 2]), torch.tensor([0, 3, 7])))",
    "torch.gradient(d, spacing=[3., 2.])", "torch.gradient(d, spacing=[2.0])",
    # in-place functions and mH
    "torch.sin_(x.detach().clone())", "torch.relu_(torch.tensor([-1.0, 2.0]))",
    "torch.xlogy_(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))",
    "torch.fill_(torch.zeros(2), 3.0)", "torch.zero_(torch.ones(2))", "x.mH", "d.mH.mH",
    # small functions
    "torch.typename(x)", "torch.typename(i)", "torch.typename(1)", "torch.typename(d)",
    "torch.is_nonzero(torch.tensor([1.5]))", "torch.is_nonzero(torch.tensor(0))",
    "torch.is_nonzero(i)", "torch.range(1, 4)", "torch.range(0, 1, 0.25)",
    "torch.range(1, 4, dtype=torch.int64)", "torch.range(5, 1, -2)",
    "torch.asarray([1, 2])", "torch.asarray([1.0, 2])", "torch.asarray(x) is x",
    "torch.asarray(x, dtype=torch.float64)", "torch.asarray(3.5)",
    "torch.as_strided(x, (2, 2), (1, 2))", "torch.as_strided(x, (3,), (2,), 1)",
    "x.as_strided((2,), (3,))", "torch.as_strided(x, (9,), (1,))",
    # reducing writes
    "d.scatter_reduce(1, torch.tensor([[0, 0, 1], [1, 1, 0]]), d * 2, 'sum')",
    ("d.scatter_reduce(1, torch.tensor([[0, 0, 1], [1, 1, 0]]), d * 2, 'amin', "
    "include_self=False)"),
    "torch.scatter_reduce(i, 0, torch.tensor([0, 0, 2, 2, 1]), i, 'mean')",
    "torch.scatter_reduce(w, 0, torch.tensor([0, 0, 2, 2, 1]), w, 'prod', include_self=False)",
    "d.scatter_reduce(1, torch.tensor([[0, 0, 1], [1, 1, 0]]), d, 'max')",
    "d.clone().index_reduce_(1, torch.tensor([0, 2, 0]), d * 3, 'mean')",
    "torch.index_reduce(d, 0, torch.tensor([1, 1]), d, 'amax', include_self=False)",
    "d.index_reduce(0, torch.tensor([1, 1]), d, 'sum')",
    "torch.zeros(5, 3).fill_diagonal_(2.0)", "torch.zeros(7, 3).fill_diagonal_(1.0, wrap=True)",
    "torch.zeros(2, 2, 2).fill_diagonal_(5)", "torch.zeros(2, 3, 2).fill_diagonal_(5)",
    "i.clone().fill_diagonal_(1)",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_matches_torch(expression):
    assert_same(*run_both(SETUP, expression))


GRADIENTS = [
    ("(torch.quantile(d, 0.3) + torch.quantile(d, 0.9, dim=1).sum()) * d.pow(2).sum()", "d"),
    ("torch.cov(d).sum() + torch.corrcoef(d)[0, 1]", "d"),
    ("torch.renorm(d, 2, 0, 3).pow(2).sum()", "d"),
    ("torch.trapezoid(d).sum() + torch.cumulative_trapezoid(d).pow(2).sum()", "d"),
    ("torch.gradient(d)[1].pow(2).sum()", "d"),
    (("torch.gradient(d, spacing=(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0, 7.0])))[1]"
     ".pow(2).sum()"), "d"),
    ("torch.rot90(d).pow(2).sum() + d.unfold(1, 2, 1).pow(2).sum()", "d"),
    ("torch.repeat_interleave(d, 2).pow(2).sum() + torch.diff(d).pow(2).sum()", "d"),
    ("torch.addcmul(d, d, d).sum() + torch.addcdiv(d, d, d + 3).sum()", "d"),
    ("torch.as_strided(d, (2, 2), (1, 2)).pow(3).sum()", "d"),
    ("d.scatter_reduce(1, torch.tensor([[0, 0, 1], [1, 1, 0]]), d * 2, 'prod').pow(2).sum()",
     "d"),
    ("d.scatter_reduce(1, torch.tensor([[0, 0, 1], [1, 1, 0]]), d * 2, 'amax').pow(2).sum()",
     "d"),
    ("d.clone().index_reduce_(1, torch.tensor([0, 2, 0]), d * 3, 'mean').pow(2).sum()", "d"),
    ("(d * 1).fill_diagonal_(0.5).pow(2).sum()", "d"),
    ("torch.msort(d).pow(3).sum() + torch.take_along_dim(d, d.argsort(1), 1)[:, 0].sum()", "d"),
]


@pytest.mark.parametrize(("expression", "wrt"), GRADIENTS)
def test_gradients_match_torch(expression, wrt):
    setup = (SETUP + f"; out = {expression}; g, = torch.autograd.grad(out, {wrt}, "
             f"create_graph=True); gg, = torch.autograd.grad(g.pow(2).sum(), {wrt})")
    assert_same(*run_both(setup, "(g.detach(), gg)"))
