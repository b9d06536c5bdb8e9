"""Float kernels that add products in the order PyTorch's CPU kernels (MKL) use."""

from __future__ import annotations

from ...backend import xp


# ========================================================= float kernels
def _column_major(b) -> bool:
    """Whether a matrix is stored column by column (``w.t()`` of a contiguous ``w``)."""
    return (b.ndim == 2 and b.shape[0] > 1 and b.shape[1] > 1
            and b.strides[0] == b.itemsize and b.strides[1] != b.itemsize)


def _gemm_kernel(m: int, k: int, n: int, batched: bool, column_major: bool) -> str:
    """Which summation order PyTorch's CPU GEMM (MKL) uses for these sizes.

    Measured against PyTorch 2.13: ``"sequential"`` adds the products one at a
    time without fused multiply-adds; ``"lanes4"``/``"lanes8"`` add them in
    four or eight interleaved partial sums (see :func:`_lane_dot`); ``"blas"``
    stands for the kernels not reproduced here (NumPy's BLAS is used).
    """
    if k == 0:
        return "sequential"
    if not column_major:
        if m <= 3 or 2 <= n <= 8 or (batched and m * k * n < 400):
            return "sequential"
        return "blas"
    # A column-major right operand (``x @ w.t()``): dot products of rows.
    if k <= 3 or (m == 1 and k <= 8) or (n == 1 and k <= 4):
        return "sequential"
    if n >= 16 and m >= 5:
        return "blas"
    if m >= 2 and n % 4 == 0 and k % 4 == 0:
        return "lanes4"
    if m >= 2 and n in (2, 3):
        if k <= 7:
            return "sequential"
        if k % 8 == 0:
            return "lanes8" if k >= 16 else "lanes4"
    return "blas"


def _lane_dot(a, bt, width: int):
    """Row-by-row dot products ``a @ bt.T`` in ``width`` interleaved partial sums."""
    k = a.shape[-1]
    padded = -(-k // width) * width
    pa = xp.zeros(a.shape[:-1] + (padded,), a.dtype)
    pb = xp.zeros(bt.shape[:-1] + (padded,), a.dtype)
    pa[..., :k], pb[..., :k] = a, bt
    lanes = xp.zeros(a.shape[:-1] + (bt.shape[0], width), a.dtype)
    for i in range(0, padded, width):
        lanes = lanes + pa[..., :, None, i:i + width] * pb[None, :, i:i + width]
    if width == 4:
        return (lanes[..., 0] + lanes[..., 2]) + (lanes[..., 1] + lanes[..., 3])
    return ((lanes[..., 0] + lanes[..., 4]) + (lanes[..., 2] + lanes[..., 6])) + \
        ((lanes[..., 1] + lanes[..., 5]) + (lanes[..., 3] + lanes[..., 7]))


def gemm(a, b, c=None, beta=1, alpha=1, batched: bool = False):
    """``alpha * (a @ b) + beta * c`` on arrays of one dtype (``a``: (..., m, k)).

    In PyTorch's sequential kernel ``input`` (``c``) is where the sum starts;
    the column-major and matrix-vector kernels add it at the end.
    """
    m, k = a.shape[-2:]
    n = b.shape[-1]
    shape = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (m, n)
    dtype = a.dtype
    if dtype.kind != "f":
        product = xp.matmul(a, b)
        if alpha != 1:
            product = product * dtype.type(alpha)
        if c is None or beta == 0:
            return product.astype(dtype)
        return (product + xp.broadcast_to(c, shape) * dtype.type(beta)).astype(dtype)
    column_major = _column_major(b)
    work = xp.dtype(xp.float32) if dtype == xp.float16 else dtype
    a, b = a.astype(work, copy=False), b.astype(work, copy=False)
    has_c = c is not None and beta != 0
    kernel = _gemm_kernel(m, k, n, batched, column_major)
    start_from_c = has_c and beta == 1 and alpha == 1 and kernel == "sequential" and \
        not column_major and n != 1
    with xp.errstate(all="ignore"):
        if kernel == "sequential":
            acc = xp.array(xp.broadcast_to(c.astype(work), shape)) if start_from_c else \
                xp.zeros(shape, work)
            for j in range(k):
                acc = acc + a[..., :, j:j + 1] * b[..., j:j + 1, :]
        elif kernel == "blas":
            acc = xp.matmul(a, b)
        else:
            acc = _lane_dot(a, b.T, 4 if kernel == "lanes4" else 8)
        if alpha != 1:
            acc = acc * work.type(alpha)
        if has_c and not start_from_c:
            acc = acc + (c.astype(work) if beta == 1 else c.astype(work) * work.type(beta))
    return xp.broadcast_to(acc, shape).astype(dtype)


def dot_values(a, b):
    """Dot product of two 1-D arrays in PyTorch's (MKL's) order, where it is known.

    Up to four elements: four float lanes; up to twelve: eight lanes, the last
    partial vector zero-filled, folded as ((0+4)+(2+6))+((1+5)+(3+7)).
    """
    if a.dtype != xp.float32:
        if a.dtype == xp.float16:
            return xp.asarray(dot_values(a.astype(xp.float32), b.astype(xp.float32)),
                              dtype=xp.float16)
        return xp.asarray(xp.dot(a, b), dtype=a.dtype)
    size = a.shape[0]
    if size > 12:
        return xp.asarray(xp.dot(a, b), dtype=a.dtype)
    width = 4 if size <= 4 else 8
    padded = -(-size // width) * width
    pa = xp.zeros(padded, a.dtype)
    pb = xp.zeros(padded, a.dtype)
    pa[:size], pb[:size] = a, b
    with xp.errstate(all="ignore"):
        lanes = xp.zeros(width, a.dtype)
        for i in range(0, padded, width):
            lanes = lanes + pa[i:i + width] * pb[i:i + width]
        if width == 4:
            total = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
        else:
            total = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + \
                ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]))
    return xp.asarray(total, dtype=a.dtype)


def mv_values(mat, vec, c=None, beta=1, alpha=1):
    """``alpha * mat @ vec + beta * c`` (GEMV) in PyTorch's order for short rows."""
    rows, k = mat.shape
    dtype = mat.dtype
    if dtype.kind != "f":
        return gemm(mat, vec[:, None], None if c is None else
                    xp.broadcast_to(c, (rows,))[:, None], beta, alpha)[:, 0]
    work = xp.dtype(xp.float32) if dtype == xp.float16 else dtype
    mat, vec = mat.astype(work, copy=False), vec.astype(work, copy=False)
    with xp.errstate(all="ignore"):
        if k <= 4:
            # Measured: PyTorch's GEMV adds up to four products one at a time
            # (and adds ``beta * input`` afterwards, unlike GEMM).
            acc = xp.zeros(rows, work)
            for j in range(k):
                acc = acc + mat[:, j] * vec[j]
        else:
            acc = xp.matmul(mat, vec)
        if alpha != 1:
            acc = acc * work.type(alpha)
        if c is not None and beta != 0:
            acc = acc + (c.astype(work) if beta == 1 else c.astype(work) * work.type(beta))
    return xp.broadcast_to(acc, (rows,)).astype(dtype)
