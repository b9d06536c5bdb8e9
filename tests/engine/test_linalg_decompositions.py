"""``torch.linalg`` and the decompositions of ``torch`` (det, inverse, solve, Cholesky,
QR, SVD, eigh, lstsq, pinv, norms, cross, multi_dot, cdist, block_diag).

- ``GRADCHECK_CASES``: every op of the decompositions, solvers and norms tables
  that records a node, against finite differences (first and second order);
- ``EXPRESSIONS``: values, dtypes, grad_fn names and their edges compared with
  PyTorch (where it is installed), named tuples included;
- ``GRADIENTS``: first and second derivatives compared with PyTorch's.
"""

from __future__ import annotations

import numpy as np
import pytest
from graph_helpers import TORCH, assert_same, run_both

from gradcli.engine import Tensor
from gradcli.engine import dtypes as dt
from gradcli.engine.gradcheck import gradcheck, gradgradcheck

L = TORCH.linalg


def _spd(a):
    """A symmetric positive-definite matrix made from ``a``."""
    return a @ a.mT + 3 * TORCH.eye(a.shape[-1], dtype=a.dtype)


def _sym(a):
    return a + a.mT


GRADCHECK_CASES = [
    ("det", lambda a: L.det(a), [(3, 3)]),
    ("det", lambda a: a.det(), [(2, 2, 2)]),
    ("slogdet", lambda a: TORCH.slogdet(a)[1], [(3, 3)]),
    ("linalg_slogdet", lambda a: L.slogdet(a).logabsdet, [(2, 3, 3)]),
    ("inverse", lambda a: L.inv(a), [(3, 3)]),
    ("inverse", lambda a: a.inverse(), [(2, 2, 2)]),
    ("linalg_solve", lambda a, b: L.solve(a, b), [(3, 3), (3, 2)]),
    ("linalg_solve", lambda a, b: L.solve(a, b), [(3, 3), (3,)]),
    ("linalg_solve", lambda a, b: L.solve(a, b, left=False), [(3, 3), (2, 3)]),
    ("linalg_cholesky", lambda a: L.cholesky(_spd(a)), [(3, 3)]),
    ("linalg_cholesky", lambda a: L.cholesky(_spd(a), upper=True), [(2, 2, 2)]),
    ("cholesky", lambda a: TORCH.cholesky(_spd(a)), [(3, 3)]),
    ("linalg_qr", lambda a: L.qr(a), [(4, 3)]),
    ("linalg_qr", lambda a: L.qr(a, mode="complete"), [(3, 3)]),
    ("qr", lambda a: TORCH.qr(a), [(3, 2)]),
    ("linalg_svd", lambda a: L.svd(a, full_matrices=False), [(3, 3)]),
    ("linalg_svd", lambda a: L.svd(a, full_matrices=False), [(4, 2)]),
    ("linalg_svd", lambda a: L.svd(a, full_matrices=False), [(2, 4)]),
    ("svdvals", lambda a: L.svdvals(a), [(3, 4)]),
    ("eigh", lambda a: L.eigh(_sym(a)), [(3, 3)]),
    ("eigvalsh", lambda a: L.eigvalsh(_sym(a)), [(3, 3)]),
    ("solve_triangular", lambda a, b: L.solve_triangular(a + 3 * TORCH.eye(3, dtype=a.dtype),
                                                         b, upper=True), [(3, 3), (3, 2)]),
    ("solve_triangular", lambda a, b: L.solve_triangular(
        a + 3 * TORCH.eye(3, dtype=a.dtype), b, upper=False, left=False,
        unitriangular=True), [(3, 3), (2, 3)]),
    ("pinv", lambda a: L.pinv(a), [(3, 4)]),
    ("pinv", lambda a: L.pinv(a), [(4, 2)]),
    ("lstsq", lambda a, b: L.lstsq(a, b).solution, [(4, 3), (4, 2)]),
    ("lstsq", lambda a, b: L.lstsq(a, b).solution, [(3, 3), (3,)]),
    ("linalg_cross", lambda a, b: L.cross(a, b), [(2, 3), (2, 3)]),
    ("linalg_cross", lambda a, b: TORCH.cross(a, b, dim=0), [(3, 2), (3, 1)]),
    ("vector_norm", lambda a: L.vector_norm(a, 3, dim=1), [(2, 3)]),
    ("dist", lambda a, b: TORCH.dist(a, b), [(3,), (2, 3)]),
    ("dist", lambda a, b: TORCH.dist(a, b, 3), [(3,), (3,)]),
    ("cdist", lambda a, b: TORCH.cdist(a, b), [(3, 2), (4, 2)]),
    ("cdist", lambda a, b: TORCH.cdist(a, b, p=1.5), [(2, 3, 2), (2, 2, 2)]),
    ("block_diag", lambda a, b: TORCH.block_diag(a, b), [(2, 2), (3,)]),
    ("matrix_exp", lambda a: L.matrix_exp(a), [(3, 3)]),
    ("matrix_exp", lambda a: a.matrix_exp(), [(2, 2, 2)]),
]


@pytest.mark.parametrize("case", GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_gradcheck(case):
    _, fn, shapes = case
    inputs = tuple(Tensor._make(np.random.default_rng(i + 3).standard_normal(shape),
                                dt.float64, requires_grad=True)
                   for i, shape in enumerate(shapes))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


SETUP = ("A = torch.tensor([[2.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 4.0]], "
         "dtype=torch.float64, requires_grad=True); "
         "W = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], requires_grad=True); "
         "b = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True); "
         "B = torch.tensor([[1.0, 0.5], [2.0, -1.0], [3.0, 0.0]], dtype=torch.float64); "
         "v = torch.tensor([1.0, -2.0, 3.0], requires_grad=True); "
         "u = torch.tensor([0.5, 1.0, -1.0]); "
         "F = torch.tensor([[4.0, 1.0], [1.0, 3.0]]); I = torch.tensor([[1, 2], [3, 4]]); "
         "S = torch.tensor([[1.0, 2.0], [2.0, 4.0]])")

EXPRESSIONS = [
    "torch.linalg.det(A)", "torch.det(A)", "A.det()", "torch.linalg.det(F)",
    "torch.linalg.det(S)", "torch.linalg.det(torch.stack([F, S]))", "torch.linalg.slogdet(A)",
    "torch.slogdet(A)", "torch.logdet(A)", "torch.logdet(-F)", "torch.logdet(S)",
    "torch.linalg.inv(A)", "torch.inverse(F)", "A.inverse()", "torch.linalg.inv(S)",
    "torch.linalg.inv(I)", "torch.linalg.solve(A, b)", "torch.linalg.solve(A, B)",
    "torch.linalg.solve(A, B.mT, left=False)", "torch.linalg.solve(S, u[:2])",
    "torch.linalg.cholesky(A)", "torch.linalg.cholesky(A, upper=True)",
    "torch.cholesky(A)", "torch.linalg.cholesky(-F)", "torch.linalg.qr(A)",
    "torch.linalg.qr(W)", "torch.linalg.qr(W, mode='complete')", "torch.linalg.qr(W, 'r')",
    "torch.qr(W)", "torch.linalg.svd(A)", "torch.linalg.svd(W)",
    "torch.linalg.svd(W, full_matrices=False)", "torch.svd(W)", "torch.linalg.svdvals(W)",
    "torch.linalg.eigh(A)", "torch.linalg.eigh(F, UPLO='U')", "torch.linalg.eigvalsh(A)",
    "torch.linalg.solve_triangular(A.triu(), B, upper=True)",
    "torch.linalg.lstsq(A, B)", "torch.linalg.lstsq(W.double(), u.double())",
    "torch.linalg.lstsq(W, u, driver='gelsd')",
    "torch.linalg.lstsq(W, u.unsqueeze(1), driver='gels')",
    "torch.linalg.lstsq(A.unsqueeze(0), torch.stack([B, 2 * B]))",
    "torch.linalg.lstsq(A.unsqueeze(0), torch.stack([B, 2 * B]), driver='gelsd')",
    "torch.linalg.pinv(W)", "torch.linalg.pinv(S)", "torch.linalg.pinv(F, hermitian=True)",
    "torch.linalg.matrix_rank(S)", "torch.linalg.matrix_rank(A)",
    "torch.linalg.matrix_rank(W, tol=1.0)", "torch.linalg.matrix_rank(S, hermitian=True)",
    "torch.linalg.vector_norm(v)", "torch.linalg.vector_norm(v, 1)",
    "torch.linalg.vector_norm(W, float('inf'), dim=0)", "torch.linalg.matrix_norm(A)",
    "torch.linalg.matrix_norm(W, 1)", "torch.linalg.matrix_norm(W, -1)",
    "torch.linalg.matrix_norm(W, float('inf'))", "torch.linalg.matrix_norm(W, 2)",
    "torch.linalg.matrix_norm(W, -2)", "torch.linalg.matrix_norm(A, 'nuc')",
    "torch.linalg.matrix_norm(W, 1, keepdim=True)",
    "torch.linalg.norm(v)", "torch.linalg.norm(A)", "torch.linalg.norm(W, 1)",
    "torch.linalg.norm(v, 3)", "torch.linalg.norm(A, 'fro')", "torch.linalg.norm(W, dim=1)",
    "torch.linalg.cross(v, u)", "torch.cross(v, u, dim=0)", "torch.cross(W.detach().T, W.detach().T.flip(0))",
    "torch.linalg.multi_dot([A, B])", "torch.linalg.multi_dot([b, A, A, b])",
    "torch.linalg.multi_dot([v, W])", "torch.chain_matmul(A, A, B)",
    "torch.linalg.matrix_power(A, -2)", "torch.linalg.matrix_power(A, 3)",
    "torch.matrix_power(F, -1)", "torch.block_diag(A, b, torch.tensor(5.0, dtype=torch.float64))",
    "torch.block_diag(I, torch.tensor([7]))", "torch.block_diag(F, I)",
    "torch.cdist(W, W + 1)", "torch.cdist(W, W.flip(0), p=1)", "torch.cdist(W, W, p=0)",
    "torch.cdist(W, -W, p=float('inf'))", "torch.dist(v, u)", "torch.dist(v, u, 1)",
    "torch.dist(W, W.detach() * 2, 3)",
    "torch.linalg.matrix_exp(A)", "torch.matrix_exp(F)", "torch.linalg.matrix_exp(A * 20)",
    "torch.linalg.inv_ex(A)", "torch.linalg.inv_ex(S).info", "torch.linalg.cholesky_ex(A)",
    "torch.linalg.cholesky_ex(-F).info", "torch.linalg.solve_ex(A, b)",
    "torch.linalg.cond(A)", "torch.linalg.cond(A, 1)", "torch.linalg.cond(A, 'fro')",
    "torch.linalg.cond(A, -2)", "torch.linalg.cond(F, float('inf'))",
    "torch.linalg.vecdot(A, B.mT @ A)", "torch.linalg.vecdot(v, u)", "torch.linalg.diagonal(A)",
    "torch.linalg.diagonal(W, offset=-1)", "torch.linalg.vander(u)",
    "torch.linalg.vander(torch.tensor([2, 3]), N=4)", "torch.linalg.matmul(A, B)",
    "torch.linalg.tensorinv(torch.eye(6).reshape(2, 3, 6), ind=2).shape",
    "torch.linalg.tensorinv(A, ind=1).detach()", "torch.linalg.tensorsolve(A, b)",
    ("torch.linalg.tensorsolve(torch.eye(6, dtype=torch.float64).reshape(2, 3, 3, 2), "
    "B, dims=(0,))"),
    # errors
    "torch.linalg.inv_ex(S, check_errors=True)", "torch.linalg.matrix_exp(W)",
    "torch.linalg.det(W)", "torch.linalg.inv(torch.zeros(2, 2))", "torch.linalg.det(I)",
    "torch.linalg.solve(S, u[:2])", "torch.linalg.cholesky(-F)", "torch.linalg.qr(v)",
    "torch.linalg.cross(v, u[:2])", "torch.linalg.multi_dot([A])", "torch.cdist(v, u)",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_matches_torch(expression):
    assert_same(*run_both(SETUP, expression))


GRADIENTS = [
    ("torch.linalg.det(A)", "A"), ("torch.linalg.slogdet(A).logabsdet", "A"),
    ("torch.logdet(A)", "A"), ("torch.linalg.inv(A).sum()", "A"),
    ("torch.linalg.solve(A, b).sum()", "A"), ("torch.linalg.solve(A, b).pow(2).sum()", "b"),
    ("torch.linalg.cholesky(A).sum()", "A"),
    ("torch.linalg.svdvals(A).sum()", "A"), ("torch.linalg.eigvalsh(A).pow(2).sum()", "A"),
    ("torch.linalg.eigh(A).eigenvectors.abs().sum()", "A"), ("torch.linalg.pinv(A).sum()", "A"),
    ("torch.linalg.lstsq(A, B).solution.sum()", "A"), ("torch.linalg.matrix_norm(A, 2)", "A"),
    ("torch.linalg.norm(A, 'nuc')", "A"), ("torch.linalg.cross(v, v.flip(0)).sum()", "v"),
    ("torch.dist(v, u, 3)", "v"), ("torch.block_diag(A, b).pow(2).sum()", "A"),
    ("torch.linalg.multi_dot([b, A, A, b])", "A"),
    ("torch.linalg.matrix_exp(A).sum()", "A"), ("torch.linalg.cond(A)", "A"),
    ("torch.linalg.vecdot(A, A).sum()", "A"),
]


@pytest.mark.parametrize(("expression", "wrt"), GRADIENTS)
def test_gradients_match_torch(expression, wrt):
    setup = (SETUP + f"; out = {expression}; g, = torch.autograd.grad(out, {wrt}, "
             f"create_graph=True); gg, = torch.autograd.grad(g.pow(2).sum(), {wrt})")
    assert_same(*run_both(setup, "(g, gg)"))


# QR's backward is PyTorch's formula rearranged (gradcli's double-backward graph
# differs), so only the values are compared.
@pytest.mark.parametrize("expression", ["torch.linalg.qr(A).R.sum()",
                                        "torch.linalg.qr(A).Q.pow(2).sum()"])
def test_qr_gradients_match_torch(expression):
    setup = (SETUP + f"; out = {expression}; g, = torch.autograd.grad(out, A, "
             "create_graph=True); gg, = torch.autograd.grad(g.pow(2).sum(), A)")
    assert_same(*run_both(setup, "(g.detach(), gg)"))


def test_linalg_module_has_its_names():
    names = {n for n in vars(L) if not n.startswith("_")}
    assert {"det", "slogdet", "inv", "solve", "cholesky", "qr", "svd", "svdvals", "eigh",
            "eigvalsh", "lstsq", "pinv", "matrix_rank", "vector_norm", "matrix_norm", "norm",
            "cross", "multi_dot", "matrix_power", "solve_triangular", "LinAlgError",
            "matrix_exp", "inv_ex", "cholesky_ex", "solve_ex", "cond", "vecdot", "diagonal",
            "vander", "matmul"} <= names
    assert issubclass(L.LinAlgError, RuntimeError)
