"""``torch.special`` and the special functions of ``torch`` (lgamma, digamma, polygamma,
mvlgamma, erfinv, xlogy, i0, sinc) compared with PyTorch.

The ops with one tensor argument declare a ``domain`` and are gradchecked and
compared by ``test_systematic.py`` (the others by ``test_elementwise.py``'s
``GRADCHECK_CASES``); here: the submodule's names, edge values
(poles, infinities, the tails of the normal distribution), the Scalar overloads,
integer inputs, and the ``torch.special`` aliases of ops declared elsewhere.
"""

from __future__ import annotations

import pytest
from graph_helpers import TORCH, assert_same, run_both

SETUP = ("x = torch.tensor([0.3, 0.6, -0.45], dtype=torch.float64, requires_grad=True); "
         "y = torch.tensor([1.5, 2.5, 0.25], dtype=torch.float64, requires_grad=True); "
         "f = torch.tensor([0.3, 0.6, -0.45]); i = torch.tensor([1, 2, 3])")

EXPRESSIONS = [
    # torch.special names of ops declared elsewhere
    "torch.special.expit(x)", "torch.special.logit(f)", "torch.special.erf(x)",
    "torch.special.erfc(x)", "torch.special.expm1(x)", "torch.special.exp2(x)",
    "torch.special.log1p(x)", "torch.special.softmax(x, 0)", "torch.special.log_softmax(x, 0)",
    "torch.special.logsumexp(x, 0)", "torch.special.round(x * 3)",
    "torch.special.round(x * 3, decimals=1)", "torch.special.logit(f, eps=0.1)",
    # the gamma family
    "torch.special.gammaln(y)", "torch.lgamma(y)", "y.lgamma()", "torch.special.digamma(y)",
    "torch.special.psi(y)", "y.digamma()", "torch.polygamma(1, y)", "torch.polygamma(3, y)",
    "torch.special.polygamma(2, y)", "torch.mvlgamma(y + 1, 2)", "y.polygamma(1)",
    "y.detach().clone().polygamma_(2)", "(y + 1).mvlgamma(2)",
    "torch.special.multigammaln(y + 2, 3)", "torch.lgamma(i)", "torch.digamma(i)",
    "torch.lgamma(torch.tensor([0.0, -1.0, -2.5, 1e10, float('inf')]))",
    "torch.digamma(torch.tensor([0.0, -0.0, -1.0, -2.5, 1e-8, 10.0, 1e20]))",
    "torch.polygamma(1, torch.tensor([-1.5, 0.0, 0.25, 40.0]))",
    "torch.mvlgamma(torch.tensor([0.1]), 3)",
    # erfinv, xlogy
    "torch.erfinv(x)", "x.erfinv()", "torch.special.erfinv(f)",
    "torch.erfinv(torch.tensor([-1.0, -0.999, 0.0, 0.75, 1.0, 1.5]))", "torch.erfinv(i)",
    "torch.xlogy(x, y)", "torch.xlogy(2, y)", "torch.xlogy(x, 3)", "x.xlogy(y)",
    "torch.special.xlogy(x, y)", "torch.special.xlog1py(x, y)", "torch.special.xlog1py(2, y)",
    "torch.xlogy(torch.tensor([0.0, 0.0, 1.0]), torch.tensor([0.0, float('nan'), 0.0]))",
    "torch.xlogy(i, i)",
    # Bessel, sinc, entr
    "torch.i0(x)", "torch.special.i0(x * 20)", "torch.special.i0e(x * 20)",
    "torch.special.i1(x * 20)", "torch.special.i1e(x * 20)", "torch.special.i1(f)",
    "torch.special.i1e(torch.tensor([0.0, 1e-9, 800.0]))", "torch.sinc(x)",
    "torch.special.sinc(torch.tensor([0.0, 0.5, 1.0, 2.0]))", "torch.special.entr(y)",
    "torch.special.entr(torch.tensor([-1.0, 0.0, 0.5]))",
    # the normal distribution
    "torch.special.ndtr(x)", "torch.special.ndtr(i)", "torch.special.ndtri(y / 3)",
    "torch.special.ndtri(torch.tensor([0.0, 1e-10, 0.025, 0.5, 0.999, 1.0]))",
    "torch.special.log_ndtr(x)", "torch.special.log_ndtr(torch.tensor([-40.0, -3.0, 5.0]))",
    "torch.special.erfcx(x)", "torch.special.erfcx(torch.tensor([-3.0, 0.0, 10.0, 30.0]))",
    # zeta and the incomplete gamma functions
    "torch.special.zeta(y + 1, y)", "torch.special.zeta(2, y)", "torch.special.zeta(y + 1, 2.0)",
    "torch.special.zeta(i + 1, i)", ("torch.special.zeta(torch.tensor([1.0, 0.5, 2.0]), "
    "torch.tensor([1.0, 1.0, -1.0]))"),
    "torch.special.gammainc(y, y + 1)", "torch.special.gammaincc(y, y / 2)",
    ("torch.special.gammainc(torch.tensor([0.5, 2.0, 10.0, 0.0, -1.0]), "
    "torch.tensor([0.1, 3.0, 30.0, 1.0, 1.0]))"),
    ("torch.special.gammaincc(torch.tensor([0.5, 2.0, 100.0, 3.0]), "
    "torch.tensor([0.0, 0.5, 90.0, float('inf')]))"),
    "torch.special.gammainc(2.0, y)", "torch.special.gammainc(i, i)",
    # errors
    "torch.polygamma(-1, y)", "torch.mvlgamma(i, 2)", "torch.xlogy(2, 3)",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_matches_torch(expression):
    assert_same(*run_both(SETUP, expression))


@pytest.mark.parametrize("expression", [
    "torch.special.gammaln(y).sum()", "torch.special.digamma(y).sum()",
    "torch.special.i0(x).sum()", "torch.special.ndtri(y / 3).sum()",
    "torch.xlogy(x, y).sum()", "torch.special.erfinv(x).sum()",
    "torch.special.zeta(y.detach() + 1, y).sum()", "torch.special.gammainc(y.detach(), x.abs()).sum()",
    "torch.special.gammaincc(y.detach(), y).sum()",
])
def test_gradients_match_torch(expression):
    setup = SETUP + "; out = " + expression + "; gx, gy = torch.autograd.grad(out, (x, y), " \
        "create_graph=True, allow_unused=True, materialize_grads=True)"
    assert_same(*run_both(setup, "(gx, gy)"))


def test_first_argument_is_not_differentiable():
    a = TORCH.tensor([1.5], requires_grad=True)
    with pytest.raises(RuntimeError):
        TORCH.special.gammainc(a, TORCH.tensor([2.0])).sum().backward()
    with pytest.raises(RuntimeError):
        TORCH.special.zeta(a + 1, TORCH.tensor([2.0])).sum().backward()


def test_special_module_has_its_names():
    names = {n for n in vars(TORCH.special) if not n.startswith("_")}
    assert {"erf", "erfc", "erfinv", "expit", "logit", "xlogy", "gammaln", "digamma",
            "softmax", "log_softmax", "ndtr", "ndtri", "log_ndtr", "i0", "sinc", "entr",
            "logsumexp", "expm1", "exp2", "log1p", "round", "polygamma", "multigammaln",
            "psi", "xlog1py", "i0e", "i1", "i1e", "erfcx", "zeta", "gammainc",
            "gammaincc"} <= names
    assert "ndtr" not in vars(TORCH) and "lgamma" in vars(TORCH)
