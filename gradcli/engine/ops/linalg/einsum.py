"""Contractions: ``einsum``, ``tensordot``, ``inner`` and ``kron``, in PyTorch's steps."""

from __future__ import annotations

import math
import numbers

from ...namespace import ops
from ...tensor import Tensor, wrap_dim
from ..common import plural
from ..registry import OpTable
from ._helpers import check_tensor, unsafe_view, unsafe_view_backward
from .products import bmm, dot, mm, mm_backward

table = OpTable("linalg.einsum")


# ================================================================ einsum
_ELLIPSIS = "..."


def _parse_operand_labels(lhs: str, count: int) -> list:
    labels = [[]]
    i = 0
    while i < len(lhs):
        ch = lhs[i]
        if ch == " ":
            pass
        elif ch == ".":
            if _ELLIPSIS in labels[-1]:
                raise RuntimeError(f"einsum(): operand {len(labels) - 1} has a second "
                                   "ellipsis; each operand may have at most one '...'")
            if lhs[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): operand {len(labels) - 1} has a '.' that is "
                                   "not part of an ellipsis '...'")
            labels[-1].append(_ELLIPSIS)
            i += 2
        elif ch == ",":
            labels.append([])
            if len(labels) > count:
                raise RuntimeError(f"einsum(): the equation names more operands than the "
                                   f"{count} given")
        elif ch.isascii() and ch.isalpha():
            labels[-1].append(ch)
        else:
            raise RuntimeError(f"einsum(): {ch!r} at index {i} of the equation is not a "
                               "valid subscript; subscripts are the letters a-z and A-Z")
        i += 1
    if len(labels) != count:
        raise RuntimeError(f"einsum(): {count} operands were given, but the equation names "
                           f"only {len(labels)}")
    return labels


def _label_order(label: str) -> int:
    """PyTorch orders implicit-output labels with uppercase before lowercase."""
    return ord(label) - ord("A") if label.isupper() else 26 + ord(label) - ord("a")


def _sumproduct_pair(left: Tensor, right: Tensor, sum_dims: list) -> Tensor:
    """``(left * right).sum(sum_dims, keepdim=True)`` as a bmm (PyTorch's pairwise step)."""
    if not sum_dims:
        return left * right
    ndim = left.ndim
    summed = set(sum_dims)
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(ndim):
        left_size, right_size = left._data.shape[i], right._data.shape[i]
        in_left, in_right = left_size != 1, right_size != 1
        if i in summed:
            if in_left and in_right:
                if left_size != right_size:
                    raise RuntimeError(f"einsum(): a summed dimension has size {left_size} in "
                                       f"one operand and {right_size} in the other")
                sum_size *= left_size
            elif in_left:
                left = _sum_keep(left, [i])
            elif in_right:
                right = _sum_keep(right, [i])
        elif in_left and in_right:
            if left_size != right_size:
                raise RuntimeError(f"einsum(): a shared dimension has size {left_size} in one "
                                   f"operand and {right_size} in the other")
            lro.append(i)
            lro_size *= left_size
        elif in_left:
            lo.append(i)
            lo_size *= left_size
        else:
            ro.append(i)
            ro_size *= right_size
    out_size = ([left._data.shape[d] for d in lro] + [left._data.shape[d] for d in lo]
                + [1] * len(sum_dims) + [right._data.shape[d] for d in ro])
    lperm = lro + lo + list(sum_dims) + ro
    rperm = lro + list(sum_dims) + ro + lo
    operm = [-1] * len(out_size)
    for i, d in enumerate(lro + lo + list(sum_dims) + ro):
        operm[d] = i
    left = ops.reshape(ops.permute(left, lperm), lro_size, lo_size, sum_size)
    right = ops.reshape(ops.permute(right, rperm), lro_size, sum_size, ro_size)
    result = bmm(left, right)
    return ops.permute(ops.view(result, out_size), operm)


def _sum_keep(t: Tensor, dims: list) -> Tensor:
    return ops.sum(t, tuple(dims), keepdim=True)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sublist_equation(args: tuple) -> tuple:
    """``(a, [0, 1], b, [1, 2], [0, 2])`` -> ``("ab,bc->ac", (a, b))``: sublist integers
    0-51 name the dims, ``...`` stands for the broadcast dims, as in PyTorch."""
    def subscripts(sublist, position: int) -> str:
        if not isinstance(sublist, (list, tuple)):
            raise TypeError(f"einsum(): argument {position} should be a list of subscripts, "
                            f"not a value of type {type(sublist).__name__}")
        text = []
        for item in sublist:
            if item is Ellipsis:
                text.append("...")
            elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item < 52:
                text.append(_LETTERS[item])
            else:
                raise ValueError(f"einsum(): subscripts in a sublist must be integers in "
                                 f"[0, 52) or ..., not {item!r}")
        return "".join(text)

    operands, inputs = [], []
    pairs, rest = args[:len(args) // 2 * 2], args[len(args) // 2 * 2:]
    for i in range(0, len(pairs), 2):
        operands.append(pairs[i])
        inputs.append(subscripts(pairs[i + 1], i + 2))
    equation = ",".join(inputs)
    if rest:
        equation += "->" + subscripts(rest[0], len(args))
    return equation, tuple(operands)


@table.op(method=False, out=False,
          composes=("view", "permute", "sum", "mul"))
def einsum(equation, *operands):
    """Einstein summation, computed as PyTorch does: diagonals, permutes, then bmm pairs.

    Example:
        >>> einsum("ij,jk->ik", a, b)  # a @ b
    """
    if isinstance(equation, Tensor):  # the sublist form: einsum(a, [0, 1], b, [1, 2], [0, 2])
        equation, operands = _sublist_equation((equation, *operands))
    if not isinstance(equation, str):
        raise TypeError(f"einsum() expects the equation as a string, not a value of type "
                        f"{type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum() needs at least one operand")
    for i, op in enumerate(operands):
        check_tensor(op, "einsum", "operands", i + 2)
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels = _parse_operand_labels(lhs, len(operands))

    label_count: dict = {}
    ell_num_dim = 0
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        named = [lab for lab in labels if lab != _ELLIPSIS]
        has_ellipsis = len(named) != len(labels)
        for lab in named:
            label_count[lab] = label_count.get(lab, 0) + 1
        if has_ellipsis:
            ell_num_dim = max(ell_num_dim, op.ndim - len(named))
        if (len(named) > op.ndim) if has_ellipsis else (len(named) != op.ndim):
            raise RuntimeError(
                f"einsum(): operand {i} has {plural(op.ndim, 'dimension')}, but the equation "
                f"gives it {plural(len(named), 'subscript')}"
                + (" (more than it has, even with the ellipsis)" if has_ellipsis else
                   " and no ellipsis '...' to cover the rest"))

    perm_index: dict = {}
    position = 0
    ell_index = 0
    ell_in_output = False
    if arrow < 0:
        position = ell_num_dim
        ell_in_output = True
        for lab in sorted(label_count, key=_label_order):
            if label_count[lab] == 1:
                perm_index[lab] = position
                position += 1
    else:
        rhs = equation[arrow + 2:]
        i = 0
        while i < len(rhs):
            ch = rhs[i]
            if ch == " ":
                pass
            elif ch == ".":
                if ell_in_output:
                    raise RuntimeError("einsum(): the output has a second ellipsis; it may "
                                       "have at most one '...'")
                if rhs[i:i + 3] != "...":
                    raise RuntimeError("einsum(): the output has a '.' that is not part of an "
                                       "ellipsis '...'")
                ell_index = position
                position += ell_num_dim
                ell_in_output = True
                i += 2
            elif ch.isascii() and ch.isalpha():
                if label_count.get(ch, 0) == 0 or ch in perm_index:
                    raise RuntimeError(
                        f"einsum(): output subscript {ch} "
                        + ("appears more than once in the output" if ch in perm_index else
                           "does not appear in any input"))
                perm_index[ch] = position
                position += 1
            else:
                raise RuntimeError(f"einsum(): {ch!r} at index {len(lhs) + 2 + i} of the "
                                   "equation is not a valid subscript; subscripts are the "
                                   "letters a-z and A-Z")
            i += 1
    out_num_dim = position
    if not ell_in_output:
        ell_index = position
        position += ell_num_dim
    for lab in sorted(label_count, key=_label_order):
        if lab not in perm_index:
            perm_index[lab] = position
            position += 1
    total_dims = position

    label_size: dict = {}
    ell_sizes = [1] * ell_num_dim
    dim_counts = [0] * total_dims
    terms = []
    for i, (operand, labels) in enumerate(zip(operands, op_labels)):
        op = operand
        permutation = [-1] * total_dims
        dim = 0
        for lab in labels:
            if lab == _ELLIPSIS:
                covered = operand.ndim - (len(labels) - 1)
                for j in range(ell_num_dim - covered, ell_num_dim):
                    size = op._data.shape[dim]
                    if size != 1:
                        if ell_sizes[j] != 1 and ell_sizes[j] != size:
                            raise RuntimeError(
                                f"einsum(): dimension {dim} of operand {i}, under the "
                                f"ellipsis, has size {size}, which does not broadcast with "
                                f"size {ell_sizes[j]} seen there in an earlier operand")
                        ell_sizes[j] = size
                        dim_counts[ell_index + j] += 1
                    permutation[ell_index + j] = dim
                    dim += 1
            elif permutation[perm_index[lab]] == -1:
                size = op._data.shape[dim]
                if size != 1:
                    seen = label_size.get(lab, 1)
                    if seen != 1 and seen != size:
                        raise RuntimeError(
                            f"einsum(): subscript {lab} has size {size} in operand {i}, which "
                            f"does not broadcast with size {seen} seen in an earlier operand")
                    label_size[lab] = size
                    dim_counts[perm_index[lab]] += 1
                permutation[perm_index[lab]] = dim
                dim += 1
            else:
                previous = permutation[perm_index[lab]]
                if op._data.shape[dim] != op._data.shape[previous]:
                    raise RuntimeError(
                        f"einsum(): subscript {lab} is repeated in operand {i}, but the sizes "
                        f"differ ({op._data.shape[previous]} and {op._data.shape[dim]})")
                op = ops.movedim(ops.diagonal(op, 0, previous, dim), -1, previous)
        for k, value in enumerate(permutation):
            if value == -1:
                op = ops.unsqueeze(op, dim)
                permutation[k] = dim
                dim += 1
        terms.append(ops.permute(op, permutation))

    while len(terms) > 1:
        a, b = terms[0], terms[1]
        del terms[:2]
        sum_dims, a_dims, b_dims = [], [], []
        for d in range(out_num_dim, total_dims):
            a_size, b_size = a._data.shape[d], b._data.shape[d]
            if a_size != 1 and b_size != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if a_size != 1:
                    a_dims.append(d)
                    dim_counts[d] = 0
                elif b_size != 1:
                    b_dims.append(d)
                    dim_counts[d] = 0
        if a_dims:
            a = _sum_keep(a, a_dims)
        if b_dims:
            b = _sum_keep(b, b_dims)
        terms.insert(0, _sumproduct_pair(a, b, sum_dims))

    result = terms[0]
    if total_dims - out_num_dim > 0:
        if len(operands) > 1:
            return ops.view(result, list(result._data.shape[:out_num_dim]))
        return ops.sum(result, tuple(range(out_num_dim, total_dims)))
    return result


# ============================================================== tensordot
@table.op(method=False, composes=("view",))
def tensordot(a, b, dims=2):
    """Contracts ``dims`` (a count, or two lists of dims) of ``a`` and ``b`` with one mm."""
    check_tensor(a, "tensordot", "a")
    check_tensor(b, "tensordot", "b", 2)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, numbers.Integral):
        if dims < 0:
            raise RuntimeError(f"tensordot() needs dims >= 0, but got dims={dims}")
        dims_a = list(range(a.ndim - dims, a.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, numbers.Integral) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, numbers.Integral) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError(f"tensordot() needs two dimension lists of the same length, but "
                           f"got {dims_a} and {dims_b}")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"tensordot() needs both tensors to have the same dtype, but got "
                           f"{a._dtype!r} and {b._dtype!r}")
    dims_a = [wrap_dim(d, a.ndim) for d in dims_a]
    dims_b = [wrap_dim(d, b.ndim) for d in dims_b]
    t1, t2 = a, b
    csize = 1
    for d1, d2 in zip(dims_a, dims_b):
        s1, s2 = a._data.shape[d1], b._data.shape[d2]
        if s2 == 1:
            t1 = _sum_keep(t1, [d1])
        elif s1 == 1:
            t2 = _sum_keep(t2, [d2])
        else:
            if s1 != s2:
                raise RuntimeError(f"tensordot() cannot contract dimension {d1} of the first "
                                   f"tensor (size {s1}) with dimension {d2} of the second "
                                   f"(size {s2}); the sizes must match")
            csize *= s1
    p1 = [d for d in range(a.ndim) if d not in dims_a] + dims_a
    p2 = dims_b + [d for d in range(b.ndim) if d not in dims_b]
    size1 = math.prod(t1._data.shape[d] for d in range(a.ndim) if d not in dims_a)
    size2 = math.prod(t2._data.shape[d] for d in range(b.ndim) if d not in dims_b)
    rsizes = [t1._data.shape[d] for d in range(a.ndim) if d not in dims_a] + \
        [t2._data.shape[d] for d in range(b.ndim) if d not in dims_b]
    left = ops.reshape(ops.permute(t1, p1), size1, csize)
    right = ops.reshape(ops.permute(t2, p2), csize, size2)
    return ops.reshape(mm(left, right), rsizes)


@table.op(backward=(mm_backward,), composes=("view", "dot", "mul"))
def inner(input, other):
    """Inner product over the last dims (a product with a 0-dim operand is elementwise)."""
    check_tensor(input, "inner")
    check_tensor(other, "inner", "other", 2)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() needs the last dimensions to match, but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    if input.ndim == 1 and other.ndim == 1:
        return ops.view(dot(input, other), ())
    return tensordot(input, other, ([-1], [-1]))


@table.op(backward=(unsafe_view_backward,), composes=("mul",))
def kron(input, other):
    """Kronecker product: every element of ``input`` times the whole of ``other``."""
    check_tensor(input, "kron")
    check_tensor(other, "kron", "other", 2)
    ndim = max(input.ndim, other.ndim)
    pad_a, pad_b = ndim - input.ndim, ndim - other.ndim
    a_shape, b_shape, out_shape = [], [], []
    for i in range(ndim):
        a_size = input._data.shape[i - pad_a] if i >= pad_a else 1
        b_size = other._data.shape[i - pad_b] if i >= pad_b else 1
        a_shape += [a_size, 1]
        b_shape += [1, b_size]
        out_shape.append(a_size * b_size)
    product = unsafe_view(input, a_shape) * unsafe_view(other, b_shape)
    return unsafe_view(product, out_shape)
