"""Matrix decompositions: determinants, inverse, Cholesky, QR, SVD and the symmetric
eigendecomposition (``torch.linalg`` and their older ``torch`` forms).

Values come from LAPACK through NumPy (the same routines PyTorch's CPU build calls:
getrf, potrf, geqrf/orgqr, gesdd, syevd), except the determinant, which PyTorch
takes as the product of the LU factor's diagonal where NumPy exponentiates a
log-determinant: :func:`_lu` factors in the input's dtype as getrf does.
Backward rules follow ``derivatives.yaml`` (``linalg_det_backward``,
``cholesky_backward``, ``linalg_qr_backward``, ``svd_backward``,
``linalg_eig_backward``), written with tensor ops so that double backward works.
"""

from __future__ import annotations

from ... import autograd as ag
from ...backend import xp
from ...namespace import ops
from ...node import SavedContext, backward
from ...returntypes import TYPES
from ...tensor import Tensor
from ..common import new
from ..registry import OpTable
from ._helpers import LinAlgError, check_matrices, check_tensor, mT

table = OpTable("linalg.decompositions")


def _lu(a):
    """Partial-pivoting LU of a batch of square matrices, in their dtype (LAPACK getf2).

    Returns the packed factors and the parity of the row swaps (a bool array).
    """
    lu = xp.array(a, copy=True)
    n = lu.shape[-1]
    odd = xp.zeros(lu.shape[:-2], dtype=bool)
    batch = xp.indices(lu.shape[:-2]) if lu.ndim > 2 else ()
    for k in range(n):
        pivot = k + xp.argmax(xp.abs(lu[..., k:, k]), axis=-1)
        swap = pivot != k
        odd ^= swap
        if swap.any():
            idx = tuple(batch) if lu.ndim > 2 else ()
            row_k = lu[..., k, :].copy()
            row_p = lu[idx + (pivot,)].copy() if lu.ndim > 2 else lu[pivot].copy()
            lu[..., k, :] = row_p
            if lu.ndim > 2:
                lu[idx + (pivot,)] = row_k
            else:
                lu[pivot] = row_k
        p = lu[..., k, k]
        with xp.errstate(divide="ignore", invalid="ignore"):
            scale = xp.where(p != 0, lu.dtype.type(1) / xp.where(p != 0, p, 1), 0)
        lu[..., k + 1:, k] *= scale[..., None]
        lu[..., k + 1:, k + 1:] -= lu[..., k + 1:, k:k + 1] * lu[..., k:k + 1, k + 1:]
    return lu, odd


def _diagonal_product(lu, odd):
    diag = xp.diagonal(lu, 0, -2, -1)
    total = xp.ones(diag.shape[:-1], dtype=lu.dtype)
    for k in range(diag.shape[-1]):
        total = total * diag[..., k]
    return xp.where(odd, -total, total)


def _square_eye(grad_diag: Tensor, n: int) -> Tensor:
    """``diag_embed`` of ``grad_diag`` repeated along a new last dim of size ``n``,
    transposed (PyTorch makes it column-major for LAPACK)."""
    shape = tuple(grad_diag.shape) + (n,)
    return mT(ops.diag_embed(ops.unsqueeze(grad_diag, -1).expand(*shape)))


# ================================================================== det
def _prod_others(s: Tensor) -> Tensor:
    """``prod_{j != i} s_j`` for each i along the last dim, with zeros allowed."""
    n = s.shape[-1]
    ones = ops.ones_like(ops.narrow(s, -1, 0, 1))
    before = ops.cat([ones, ops.cumprod(ops.narrow(s, -1, 0, n - 1), -1)], -1)
    flipped = ops.flip(s, (-1,))
    after = ops.cat([ones, ops.cumprod(ops.narrow(flipped, -1, 0, n - 1), -1)], -1)
    return before * ops.flip(after, (-1,))


@backward("LinalgDetBackward0")
def _det_backward(ctx, grad):
    A, det = ctx.saved_tensors
    n = A.shape[-1]
    if n == 0:
        return (ops.zeros_like(A),)
    if (det._data != 0).all():
        return (linalg_solve(mT(A), _square_eye(grad * det, n)),)
    # A singular matrix: the cofactor matrix through the SVD, as PyTorch does.
    U, S, Vh = linalg_svd(A, full_matrices=False)
    alpha = linalg_det(U) * linalg_det(Vh)
    D = ops.unsqueeze(grad * alpha, -1) * _prod_others(S)
    return (ops.matmul(U * ops.unsqueeze(D, -2), Vh),)


@table.op(backward=(_det_backward,), qualified=("linalg.det",))
def det(A):
    """The determinant of a square matrix (or of each in a batch).

    Example:
        >>> det(tensor([[2.0, 1.0], [1.0, 3.0]]))
        tensor(5.)
    """
    check_matrices(A, "linalg.det")
    data = A._data
    value = _diagonal_product(*_lu(data)) if data.shape[-1] else xp.ones(data.shape[:-2])
    result = new(xp.asarray(value, dtype=data.dtype), A._dtype)
    if ag.needs_grad(A):
        ag.record(_det_backward, (A,), result, SavedContext(A, result))
    return result


linalg_det = det


# ============================================================== slogdet
@backward("LinalgSlogdetBackward0")
def _slogdet_backward(ctx, grad_sign, grad_logabsdet):
    (A,) = ctx.saved_tensors
    return (linalg_solve(mT(A), _square_eye(grad_logabsdet, A.shape[-1])),)


def _slogdet(A, name: str, kind: str):
    check_matrices(A, name)
    data = A._data
    lu, odd = _lu(data)
    diag = xp.diagonal(lu, 0, -2, -1)
    signs = xp.where(odd, -1, 1) * xp.prod(xp.sign(diag), axis=-1)
    with xp.errstate(divide="ignore"):
        logabs = xp.sum(xp.log(xp.abs(diag)), axis=-1)
    sign = new(xp.asarray(signs, dtype=data.dtype), A._dtype)
    logabsdet = new(xp.asarray(logabs, dtype=data.dtype), A._dtype)
    if ag.needs_grad(A):
        ag.record(_slogdet_backward, (A,), (sign, logabsdet), SavedContext(A))
    return TYPES[kind]((sign, logabsdet))


@table.op(backward=(_slogdet_backward,), out=False)
def slogdet(input):
    """``torch.return_types.slogdet(sign, logabsdet)``: the determinant as sign and log."""
    return _slogdet(input, "slogdet", "slogdet")


@table.op(function=False, method=False, backward=(_slogdet_backward,),
          qualified=("linalg.slogdet",))
def linalg_slogdet(A):
    """``torch.linalg.slogdet``: ``torch.return_types.linalg_slogdet(sign, logabsdet)``."""
    return _slogdet(A, "linalg.slogdet", "linalg_slogdet")


@table.op(composes=("linalg_slogdet", "where"), out=False)
def logdet(input):
    """The log of the determinant: nan where it is negative, -inf where it is zero."""
    sign, logabsdet = _slogdet(input, "logdet", "linalg_slogdet")
    nan = new(xp.asarray(xp.nan, dtype=input._data.dtype), input._dtype)
    return ops.where(sign == -1, nan, logabsdet)


# ============================================================== inverse
@backward("LinalgInvExBackward0")
def _inv_backward(ctx, grad, grad_info=None):
    (inverse_,) = ctx.saved_tensors
    inverse_h = mT(inverse_)
    return (-ops.matmul(inverse_h, ops.matmul(grad, inverse_h)),)


def _singular(name: str, data) -> LinAlgError:
    return LinAlgError(f"{name}: the input matrix is singular (a zero pivot appeared in "
                       "its LU factorization), so it has no inverse")


@table.op(backward=(_inv_backward,), qualified=("linalg.inv",))
def inverse(A):
    """The inverse of a square matrix (or of each in a batch); singular ones raise."""
    check_matrices(A, "linalg.inv")
    try:
        value = xp.linalg.inv(A._data)
    except xp.linalg.LinAlgError:
        raise _singular("linalg.inv", A._data) from None
    result = new(value.astype(A._data.dtype, copy=False), A._dtype)
    if ag.needs_grad(A):
        ag.record(_inv_backward, (A,), result, SavedContext(result))
    return result


# ================================================================ solve
@backward("LinalgSolveExBackward0")
def _solve_backward(ctx, grad, grad_info=None):
    A, X = ctx.saved_tensors
    vector, left = ctx.vector, ctx.left
    gB_ = linalg_solve(mT(A), ops.unsqueeze(grad, -1) if vector else grad, left=left)
    gB = ops.squeeze(gB_, -1) if vector else gB_
    gA = None
    if ctx.need_a:
        X_ = ops.unsqueeze(X, -1) if vector else X
        gA = -ops.matmul(gB_, mT(X_)) if left else -ops.matmul(mT(X_), gB_)
    return gA, gB


@table.op(function=False, method=False, backward=(_solve_backward,),
          qualified=("linalg.solve",))
def linalg_solve(A, B, *, left=True):
    """``torch.linalg.solve``: ``X`` with ``A @ X = B`` (``X @ A = B`` when not ``left``);
    ``B`` may be a vector (or a batch of them)."""
    check_matrices(A, "linalg.solve")
    check_tensor(B, "linalg.solve", "B", 2)
    if B._dtype is not A._dtype:
        raise RuntimeError(f"linalg.solve() needs A and B of the same dtype, but got "
                           f"{A._dtype!r} and {B._dtype!r}")
    n = A._data.shape[-1]
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B._data.shape == A._data.shape[:-1])
    b = B._data[..., None] if vector else B._data
    if b.ndim < 2:
        raise RuntimeError("linalg.solve() needs B to be a vector or matrices")
    a = A._data if left else xp.swapaxes(A._data, -1, -2)
    b = b if left or vector else xp.swapaxes(b, -1, -2)
    if b.shape[-2] != n:
        raise RuntimeError(f"linalg.solve(): A holds {n} by {n} matrices, which does not "
                           f"fit B of shape {list(B.shape)}")
    try:
        batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        value = xp.linalg.solve(xp.broadcast_to(a, batch + a.shape[-2:]),
                                xp.broadcast_to(b, batch + b.shape[-2:]))
    except xp.linalg.LinAlgError:
        raise LinAlgError("linalg.solve: the matrix A is singular (a zero pivot appeared in "
                          "its LU factorization), so the system has no unique solution") from None
    if vector:
        value = value[..., 0]
    elif not left:
        value = xp.swapaxes(value, -1, -2)
    result = new(xp.ascontiguousarray(value, dtype=A._data.dtype), A._dtype)
    if ag.needs_grad(A, B):
        ctx = SavedContext(A, result, vector=vector, left=left, need_a=A._requires_grad)
        ag.record(_solve_backward, (A, B), result, ctx)
    return result


# ============================================================= cholesky
def _cholesky_grad(grad, L, upper: bool):
    if upper:
        L, grad = mT(L), mT(grad)
    gA = ops.tril(ops.matmul(mT(L), grad))
    gA = ops.mul_scalar(gA + mT(ops.tril(gA, -1)), 0.5)
    gA = ops.solve_triangular(mT(L), gA, upper=True, left=True)
    return ops.solve_triangular(L, gA, upper=False, left=False)


@backward("LinalgCholeskyExBackward0")
def _linalg_cholesky_backward(ctx, grad, grad_info=None):
    (L,) = ctx.saved_tensors
    return (_cholesky_grad(grad, L, ctx.upper),)


@backward("CholeskyBackward0")
def _cholesky_backward(ctx, grad):
    (L,) = ctx.saved_tensors
    return (_cholesky_grad(grad, L, ctx.upper),)


def _cholesky(A, upper: bool, name: str, node):
    check_matrices(A, name)
    try:
        value = xp.linalg.cholesky(A._data)
    except xp.linalg.LinAlgError:
        raise LinAlgError(f"{name}: the input is not positive-definite, so the Cholesky "
                          "factorization could not be completed") from None
    if upper:
        value = xp.swapaxes(value, -1, -2)
    result = new(xp.ascontiguousarray(value), A._dtype)
    if ag.needs_grad(A):
        ag.record(node, (A,), result, SavedContext(result, upper=upper))
    return result


@table.op(function=False, method=False, backward=(_linalg_cholesky_backward,),
          qualified=("linalg.cholesky",))
def linalg_cholesky(A, *, upper=False):
    """``torch.linalg.cholesky``: lower-triangular ``L`` with ``A = L @ L.mT``."""
    return _cholesky(A, upper, "linalg.cholesky", _linalg_cholesky_backward)


@table.op(backward=(_cholesky_backward,))
def cholesky(input, upper=False):
    """``torch.cholesky`` (deprecated in PyTorch for ``torch.linalg.cholesky``)."""
    return _cholesky(input, upper, "cholesky", _cholesky_backward)


# =================================================================== qr
@backward("LinalgQrBackward0")
def _qr_backward(ctx, gQ, gR):
    Q, R = ctx.saved_tensors
    m, n = Q.shape[-2], R.shape[-1]
    if ctx.mode == "r":
        raise RuntimeError("linalg.qr: the derivative of mode='r' is not defined, because it "
                           "depends on Q, which this mode does not compute")
    if m < n:
        raise NotImplementedError("linalg.qr: the derivative for wide matrices (more columns "
                                  "than rows) is not implemented in gradcli")
    if ctx.mode == "complete" and m > n:
        raise RuntimeError("linalg.qr: the derivative of mode='complete' is defined only for "
                           "square or wide matrices")
    # gA = (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q (copyltu: the symmetric
    # matrix with M's lower triangle), the formula of PyTorch's derivation.
    M = ops.matmul(R, mT(gR)) - ops.matmul(mT(gQ), Q)
    gA = gQ + ops.matmul(Q, ops.tril(M) + mT(ops.tril(M, -1)))
    return (ops.solve_triangular(mT(R), gA, upper=False, left=False),)


def _qr(A, mode: str, name: str, kind: str):
    check_matrices(A, name, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"{name}: mode must be 'reduced', 'complete' or 'r', not {mode!r}")
    Q, R = xp.linalg.qr(A._data, mode="complete" if mode == "complete" else "reduced")
    q = new(xp.ascontiguousarray(Q) if mode != "r" else xp.zeros((0,), A._data.dtype), A._dtype)
    r = new(xp.ascontiguousarray(R), A._dtype)
    if ag.needs_grad(A):
        ag.record(_qr_backward, (A,), (q, r), SavedContext(q, r, mode=mode))
    return TYPES[kind]((q, r))


@table.op(function=False, method=False, backward=(_qr_backward,), qualified=("linalg.qr",))
def linalg_qr(A, mode="reduced"):
    """``torch.linalg.qr``: ``torch.return_types.linalg_qr(Q, R)`` with ``A = Q @ R``."""
    return _qr(A, mode, "linalg.qr", "linalg_qr")


@table.op(backward=(_qr_backward,), out=False)
def qr(input, some=True):
    """``torch.qr`` (deprecated in PyTorch): ``torch.return_types.qr(Q, R)``."""
    return _qr(input, "reduced" if some else "complete", "qr", "qr")


# ================================================================== svd
def _undefined(grad) -> bool:
    """A gradient the engine filled with zeros for an output nothing used (PyTorch's
    undefined gradient): the formulas then take their shortcuts, as PyTorch's do."""
    return not grad._requires_grad and not grad._data.any()


@backward("LinalgSvdBackward0")
def _svd_backward(ctx, gU, gS, gVh):
    U, S, Vh = ctx.saved_tensors
    if _undefined(gU) and _undefined(gVh):
        gU = gVh = None
    k = S.shape[-1]
    m, n = U.shape[-2], Vh.shape[-1]
    if ctx.full:
        U, Vh = ops.narrow(U, -1, 0, k), ops.narrow(Vh, -2, 0, k)
        if gU is not None:
            gU, gVh = ops.narrow(gU, -1, 0, k), ops.narrow(gVh, -2, 0, k)
    if gU is None:
        if m >= n:
            return (ops.matmul(U, ops.unsqueeze(gS, -1) * Vh),)
        return (ops.matmul(U * ops.unsqueeze(gS, -2), Vh),)
    UhgU = ops.matmul(mT(U), gU)
    UhgU = UhgU - mT(UhgU)
    VhgV = ops.matmul(Vh, mT(gVh))
    VhgV = VhgV - mT(VhgV)
    S2 = S * S
    E = ops.unsqueeze(S2, -2) - ops.unsqueeze(S2, -1)
    eye = ops.eye(k, dtype=S._dtype)
    E = E + eye  # PyTorch fills the diagonal with ones
    gA = (UhgU * ops.unsqueeze(S, -2) + ops.unsqueeze(S, -1) * VhgV) / E
    gA = gA + ops.diag_embed(gS)
    if m > n:
        gA = ops.matmul(U, gA)
        gUSinv = gU / ops.unsqueeze(S, -2)
        gA = gA + gUSinv - ops.matmul(U, ops.matmul(mT(U), gUSinv))
        gA = ops.matmul(gA, Vh)
    elif m < n:
        gA = ops.matmul(gA, Vh)
        SinvgVh = gVh / ops.unsqueeze(S, -1)
        gA = gA + SinvgVh - ops.matmul(ops.matmul(SinvgVh, mT(Vh)), Vh)
        gA = ops.matmul(U, gA)
    else:
        gA = ops.matmul(U, ops.matmul(gA, Vh))
    return (gA,)


def _svd_arrays(A, full_matrices: bool, name: str):
    check_matrices(A, name, square=False)
    try:
        return xp.linalg.svd(A._data, full_matrices=full_matrices)
    except xp.linalg.LinAlgError:
        raise LinAlgError(f"{name}: the SVD did not converge (the input may hold nan or "
                          "inf)") from None


@table.op(function=False, method=False, backward=(_svd_backward,), qualified=("linalg.svd",))
def linalg_svd(A, full_matrices=True, *, driver=None):
    """``torch.linalg.svd``: ``torch.return_types.linalg_svd(U, S, Vh)``, ``A = U diag(S) Vh``."""
    U, S, Vh = _svd_arrays(A, full_matrices, "linalg.svd")
    u, s, vh = (new(xp.ascontiguousarray(v), A._dtype) for v in (U, S, Vh))
    if ag.needs_grad(A):
        ag.record(_svd_backward, (A,), (u, s, vh), SavedContext(u, s, vh, full=full_matrices))
    return TYPES["linalg_svd"]((u, s, vh))


@table.op(function=False, method=False, backward=(_svd_backward,),
          qualified=("linalg.svdvals",))
def svdvals(A, *, driver=None):
    """``torch.linalg.svdvals``: the singular values, largest first."""
    if not ag.needs_grad(A):
        check_matrices(A, "linalg.svdvals", square=False)
        return new(xp.linalg.svd(A._data, compute_uv=False), A._dtype)
    # U and Vh are outputs of the node too (unseen), so that double backward reaches A.
    U, S, Vh = _svd_arrays(A, False, "linalg.svdvals")
    u, s, vh = (new(xp.ascontiguousarray(v), A._dtype) for v in (U, S, Vh))
    ag.record(_svd_backward, (A,), (u, s, vh), SavedContext(u, s, vh, full=False))
    return s


@table.op(composes=("linalg_svd",), out=False)
def svd(input, some=True, compute_uv=True):
    """``torch.svd`` (deprecated in PyTorch): ``torch.return_types.svd(U, S, V)``, V not Vh."""
    if not compute_uv:
        s = svdvals(input)
        m, n = input._data.shape[-2:]
        batch = input._data.shape[:-2]
        zeros_u = ops.zeros(batch + (m, m), dtype=input._dtype)
        zeros_v = ops.zeros(batch + (n, n), dtype=input._dtype)
        return TYPES["svd"]((zeros_u, s, zeros_v))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return TYPES["svd"]((U, S, mT(Vh)))


# ================================================================= eigh
@backward("LinalgEighBackward0")
def _eigh_backward(ctx, gL, gV):
    L, V = ctx.saved_tensors
    if _undefined(gV):
        return (ops.matmul(V * ops.unsqueeze(gL, -2), mT(V)),)
    VhgV = ops.matmul(mT(V), gV)
    VhgV = ops.mul_scalar(VhgV - mT(VhgV), 0.5)
    n = L.shape[-1]
    E = ops.unsqueeze(L, -2) - ops.unsqueeze(L, -1)
    eye = ops.eye(n, dtype=L._dtype)
    gA = VhgV / (E + eye) * (ops.mul_scalar(eye, -1) + 1) + ops.diag_embed(gL)
    return (ops.matmul(V, ops.matmul(gA, mT(V))),)


def _eigh_arrays(A, UPLO: str, name: str):
    check_matrices(A, name)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{name}: UPLO must be 'L' or 'U', not {UPLO!r}")
    try:
        return xp.linalg.eigh(A._data, UPLO=UPLO)
    except xp.linalg.LinAlgError:
        raise LinAlgError(f"{name}: the eigenvalue algorithm did not converge") from None


@table.op(function=False, method=False, backward=(_eigh_backward,), qualified=("linalg.eigh",))
def eigh(A, UPLO="L"):
    """``torch.linalg.eigh``: eigenvalues (ascending) and eigenvectors of a symmetric matrix."""
    w, v = _eigh_arrays(A, UPLO, "linalg.eigh")
    values, vectors = new(w, A._dtype), new(xp.ascontiguousarray(v), A._dtype)
    if ag.needs_grad(A):
        ag.record(_eigh_backward, (A,), (values, vectors), SavedContext(values, vectors))
    return TYPES["linalg_eigh"]((values, vectors))


@table.op(function=False, method=False, backward=(_eigh_backward,),
          qualified=("linalg.eigvalsh",))
def eigvalsh(A, UPLO="L"):
    """``torch.linalg.eigvalsh``: the eigenvalues of a symmetric matrix, ascending."""
    w, v = _eigh_arrays(A, UPLO, "linalg.eigvalsh")
    values = new(w, A._dtype)
    if ag.needs_grad(A):
        vectors = new(xp.ascontiguousarray(v), A._dtype)
        ag.record(_eigh_backward, (A,), (values, vectors), SavedContext(values, vectors))
    return values

