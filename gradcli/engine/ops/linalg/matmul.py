"""``matmul`` (the ``@`` operator), written with the primitive products as in PyTorch."""

from __future__ import annotations

import math

from ... import autograd as ag
from ...backend import xp
from ...namespace import ops
from ...node import backward
from ...tensor import Tensor
from ..common import broadcast_shapes, new, plural
from ..registry import OpTable
from ._helpers import check_tensor, unsafe_view, unsafe_view_backward
from .products import bmm, bmm_backward, check_matrix_dtypes, dot, mm, mm_backward, mv, mv_backward

table = OpTable("linalg.matmul")


# ================================================================ matmul
@backward("SqueezeBackward4")
def _squeeze_first_backward(ctx, grad):
    return (ops.unsqueeze(grad, 0),)


def _squeeze_first(input: Tensor) -> Tensor:
    """``squeeze_(0)`` on a fresh result (PyTorch's 1-D @ 2-D): SqueezeBackward4."""
    result = new(input._data.reshape(input._data.shape[1:]), input._dtype)
    if ag.needs_grad(input):
        ag.record(_squeeze_first_backward, (input,), result)
    return result


def _should_fold(tensor1: Tensor, tensor2: Tensor) -> bool:
    """PyTorch's ``should_fold``: fold the larger operand's batch into mm/mv rows."""
    larger = tensor1.ndim >= tensor2.ndim
    t1 = tensor1._data if larger else xp.swapaxes(tensor2._data, -1, -2)
    dim_t2 = tensor2.ndim if larger else tensor1.ndim
    if not (t1.ndim >= 3 and dim_t2 <= 2):
        return False
    if (tensor2 if larger else tensor1)._requires_grad:
        return True
    if tensor1.ndim == 2:
        return False
    if t1.size == 0:
        return True
    strides, shape = t1.strides, t1.shape
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1.ndim - 2))


def _matmul_folded(tensor1: Tensor, tensor2: Tensor) -> Tensor:
    transpose_back = tensor2.ndim > tensor1.ndim
    if transpose_back:
        t1 = ops.transpose(tensor2, -2, -1)
        t2 = ops.t(tensor1) if tensor1.ndim == 2 else tensor1
    else:
        t1, t2 = tensor1, tensor2
    sizes1 = t1._data.shape
    output_shape = sizes1[:-1]
    folded = math.prod(output_shape)
    t1_folded = ops.reshape(t1, folded, sizes1[-1])
    if t2.ndim == 2:
        output_shape = output_shape + (t2._data.shape[1],)
        output = unsafe_view(mm(t1_folded, t2), output_shape)
        return ops.contiguous(ops.transpose(output, -2, -1)) if transpose_back else output
    return unsafe_view(mv(t1_folded, t2), output_shape)


def _matmul_batched(tensor1: Tensor, tensor2: Tensor) -> Tensor:
    dim1, dim2 = tensor1.ndim, tensor2.ndim
    shape1, shape2 = tensor1._data.shape, tensor2._data.shape
    n = shape1[-2] if dim1 > 1 else 1
    m1 = shape1[-1]
    batch1 = shape1[:max(dim1 - 2, 0)]
    m2 = shape2[-2] if dim2 > 1 else shape2[0]
    p = shape2[-1] if dim2 > 1 else 1
    batch2 = shape2[:max(dim2 - 2, 0)]
    if dim1 == 3 and dim2 == 3 and batch1[0] != batch2[0]:
        # Broadcasting a single matrix: fold it instead (cheaper gradients).
        if batch1[0] == 1 and tensor1._requires_grad:
            return matmul(ops.squeeze(tensor1, 0), tensor2)
        if batch2[0] == 1 and tensor2._requires_grad:
            return matmul(tensor1, ops.squeeze(tensor2, 0))
    batch = broadcast_shapes(batch1, batch2)
    count = math.prod(batch)
    expanded1 = ops.reshape(ops.expand(tensor1, batch + (n, m1)), count, n, m1)
    vector_rhs = dim2 == 1
    if vector_rhs:
        expanded2 = ops.unsqueeze(ops.reshape(ops.expand(tensor2, batch + (m2,)), count, m2), 2)
    else:
        expanded2 = ops.reshape(ops.expand(tensor2, batch + (m2, p)), count, m2, p)
    output_shape = batch + ((n,) if dim1 > 1 else ()) + ((p,) if dim2 > 1 else ())
    product = bmm(expanded1, expanded2)
    if vector_rhs:
        product = ops.squeeze(product, -1)
    return unsafe_view(product, output_shape)


@table.op(operators=("__matmul__",),
          backward=(mv_backward, mm_backward, bmm_backward, unsafe_view_backward,
                    _squeeze_first_backward),
          composes=("dot", "clone"), qualified=("linalg.matmul",))
def matmul(input, other):
    """The ``@`` operator: dot, matrix-vector, matrix or broadcast batched product.

    Example:
        >>> tensor([1.0, 2.0]) @ tensor([3.0, 4.0])
        tensor(11.)
    """
    check_tensor(input, "matmul")
    check_tensor(other, "matmul", "other", 2)
    dim1, dim2 = input.ndim, other.ndim
    if dim1 == 0 or dim2 == 0:
        raise RuntimeError(f"matrix multiplication needs tensors with at least 1 dimension, "
                           f"but got {plural(dim1, 'dimension')} and "
                           f"{plural(dim2, 'dimension')}; use * to multiply by a "
                           "0-dimensional tensor")
    if dim1 == 1 and dim2 == 1:
        return dot(input, other)
    if dim1 == 2 and dim2 == 1:
        return mv(input, other)
    if dim1 == 1 and dim2 == 2:
        return _squeeze_first(mm(ops.unsqueeze(input, 0), other))
    if dim1 == 2 and dim2 == 2:
        return mm(input, other)
    check_matrix_dtypes(input, other)
    if _should_fold(input, other):
        return _matmul_folded(input, other)
    return _matmul_batched(input, other)


@table.op(function=False, method=False, operators=("__rmatmul__",))
def rmatmul(input, other):
    """``other @ input`` where ``other`` is not a tensor's own ``__matmul__``."""
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, input)
