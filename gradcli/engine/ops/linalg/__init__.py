"""Linear algebra: matrix products (``@``, mm, bmm, mv, dot, addmm...), einsum, diagonals.

The primitive products (``mm``, ``bmm``, ``mv``, ``dot``, ``addmm``...) record
their own nodes with backward rules from ``derivatives.yaml``. ``matmul``,
``einsum``, ``outer``, ``inner`` and ``tensordot`` are composites written with
those primitives and the shape ops, in the same steps as PyTorch's
implementation, so their graphs show the same nodes (``x @ y`` for batched
operands records ``UnsafeViewBackward0`` over ``BmmBackward0``...).

Float products add in the order PyTorch's CPU kernels (MKL) were measured to
use for small operands: one product at a time (starting from ``input`` in
``addmm``), or interleaved partial sums for ``x @ w.t()`` and ``dot``; other
sizes go through NumPy's BLAS, which agrees with PyTorch less often.

The family is split by what the code holds; :data:`TABLES` lists its tables in
declaration order:

- :mod:`.products`
- :mod:`.addmm`
- :mod:`.matmul`
- :mod:`.einsum`
- :mod:`.matrices`
- :mod:`.decompositions` (det, inverse, Cholesky, QR, SVD, eigh)
- :mod:`.solvers` (solve_triangular, lstsq, pinv, matrix_rank, multi_dot, cross)
- :mod:`.norms` (matrix and vector norms, dist, cdist, block_diag)
- :mod:`.functions` (matrix_exp, the _ex forms, cond, vecdot, diagonal, vander)
"""

from __future__ import annotations

from . import (
    addmm,
    decompositions,
    einsum,
    functions,
    matmul,
    matrices,
    norms,
    products,
    solvers,
)
from ._helpers import LinAlgError

TABLES = (products.table, addmm.table, matmul.table, einsum.table, matrices.table,
          decompositions.table, solvers.table, norms.table, functions.table)

__all__ = ["TABLES", "LinAlgError"]
