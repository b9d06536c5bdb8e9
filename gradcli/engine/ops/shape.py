"""Shape ops: views that share storage (view, permute, expand, ...) and copies (cat, stack).

A view's array is a NumPy view of its base's array, and the view tensor keeps
``_base`` so that writes through either are seen by both, as in PyTorch.
"""

from __future__ import annotations

import math

from .. import autograd as ag
from ..backend import xp
from ..node import SavedContext
from ..tensor import Tensor, wrap_dim
from .common import new, shape_arg
from .registry import OpTable

table = OpTable("shape")


def make_view(input: Tensor, array) -> Tensor:
    """A tensor over ``array``, a NumPy view of ``input``'s storage."""
    return Tensor._make(array, input._dtype, base=input._base if input._base is not None
                        else input)


def _ctx(**values) -> SavedContext:
    ctx = SavedContext()
    ctx.__dict__.update(values)
    return ctx


# ============================================================ view/reshape
def infer_shape(shape, numel: int) -> tuple:
    """Resolves one ``-1`` in ``shape`` and checks the element count."""
    shape = list(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list_repr(shape)}' is invalid for input of size {numel}")
        shape[unknown[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list_repr(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def list_repr(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _view_backward(ctx, grad):
    return (reshape(grad, ctx.shape),)


@table.op(grad_fns=("ViewBackward0",), out=False)
def view(input, *shape):
    """The same storage seen with another shape; an error when that needs a copy."""
    from .. import dtypes as dt
    if len(shape) == 1 and isinstance(shape[0], dt.DType):
        raise RuntimeError("view(dtype) is not supported by gradcli")
    target = infer_shape(shape_arg(shape), input._data.size)
    try:
        array = xp.reshape(input._data, target, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") \
            from None
    result = make_view(input, array)
    if ag.needs_grad(input):
        ag.record("ViewBackward0", _view_backward, (input,), result,
                  _ctx(shape=input._data.shape))
    return result


def _unsafe_view_backward(ctx, grad):
    return (reshape(grad, ctx.shape),)


@table.op(grad_fns=("ViewBackward0", "UnsafeViewBackward0", "CloneBackward0"))
def reshape(input, *shape):
    """A view when the storage allows one, otherwise a copy."""
    target = infer_shape(shape_arg(shape, "shape"), input._data.size)
    if target == input._data.shape:
        return view(input, target) if False else _alias(input)
    try:
        xp.reshape(input._data, target, copy=False)
    except ValueError:
        from .creation import clone
        copied = clone(input)
        array = copied._data.reshape(target)
        result = new(array, input._dtype)
        if ag.needs_grad(input):
            ag.record("UnsafeViewBackward0", _unsafe_view_backward, (copied,), result,
                      _ctx(shape=input._data.shape))
        return result
    return view(input, target)


def _alias_backward(ctx, grad):
    return (grad,)


def _alias(input: Tensor) -> Tensor:
    # PyTorch's reshape to the same shape is a view recorded as ViewBackward0.
    result = make_view(input, input._data.view())
    if ag.needs_grad(input):
        ag.record("ViewBackward0", _view_backward, (input,), result,
                  _ctx(shape=input._data.shape))
    return result


@table.op(function=False, out=False)
def view_as(input, other):
    return view(input, other._data.shape)


@table.op(function=False, out=False)
def reshape_as(input, other):
    return reshape(input, other._data.shape)


# ============================================================ permutations
def _permute_backward(ctx, grad):
    inverse = [0] * len(ctx.dims)
    for i, d in enumerate(ctx.dims):
        inverse[d] = i
    return (permute(grad, inverse),)


@table.op(grad_fns=("PermuteBackward0",), out=False)
def permute(input, *dims):
    dims = shape_arg(dims, "dims")
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is "
            f"not equal to len(dims) = {len(dims)}")
    wrapped = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    result = make_view(input, xp.transpose(input._data, wrapped))
    if ag.needs_grad(input):
        ag.record("PermuteBackward0", _permute_backward, (input,), result, _ctx(dims=wrapped))
    return result


def _transpose_backward(ctx, grad):
    return (transpose(grad, ctx.dim0, ctx.dim1),)


@table.op(aliases=("swapaxes", "swapdims"), grad_fns=("TransposeBackward0",), out=False)
def transpose(input, dim0, dim1):
    d0, d1 = wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim)
    result = make_view(input, xp.swapaxes(input._data, d0, d1))
    if ag.needs_grad(input):
        ag.record("TransposeBackward0", _transpose_backward, (input,), result,
                  _ctx(dim0=d0, dim1=d1))
    return result


def _t_backward(ctx, grad):
    return (t(grad),)


@table.op(grad_fns=("TBackward0",), out=False)
def t(input):
    """Transpose of a matrix (0-D and 1-D tensors are returned as they are)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    result = make_view(input, input._data.T)
    if ag.needs_grad(input):
        ag.record("TBackward0", _t_backward, (input,), result)
    return result


# ====================================================== squeeze/unsqueeze
def _unsqueeze_backward(ctx, grad):
    return (squeeze(grad, ctx.dim),)


@table.op(grad_fns=("UnsqueezeBackward0",), out=False)
def unsqueeze(input, dim):
    d = wrap_dim(dim, input.ndim + 1)
    result = make_view(input, xp.expand_dims(input._data, d))
    if ag.needs_grad(input):
        ag.record("UnsqueezeBackward0", _unsqueeze_backward, (input,), result, _ctx(dim=d))
    return result


def _squeeze_backward(ctx, grad):
    return (reshape(grad, ctx.shape),)


@table.op(grad_fns=("SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2"), out=False)
def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        node = "SqueezeBackward0"
    else:
        many = isinstance(dim, (tuple, list))
        dims = tuple(wrap_dim(d, input.ndim) for d in (dim if many else (dim,)))
        dims = tuple(d for d in dims if input.ndim and shape[d] == 1)
        node = "SqueezeBackward2" if many else "SqueezeBackward1"
    result = make_view(input, xp.squeeze(input._data, axis=dims) if dims else
                       input._data.view())
    if ag.needs_grad(input):
        ag.record(node, _squeeze_backward, (input,), result, _ctx(shape=shape))
    return result


# ================================================================= expand
def _expand_backward(ctx, grad):
    from .reduce import sum_to_size
    return (sum_to_size(grad, ctx.shape),)


@table.op(grad_fns=("ExpandBackward0",), out=False)
def expand(input, *sizes):
    """A broadcast view (no copy); -1 keeps a size."""
    sizes = shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.{input._dtype.legacy.split('.')[1]}{{{list_repr(shape)}}}, "
            f"size={list_repr(sizes)}): the number of sizes provided ({len(sizes)}) must be "
            f"greater or equal to the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            target.append(s)
            continue
        have = shape[i - lead]
        if s == -1:
            s = have
        if have != s and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({have}) "
                f"at non-singleton dimension {i}.  Target sizes: {list_repr(sizes)}.  Tensor "
                f"sizes: {list_repr(shape)}")
        target.append(s)
    target = tuple(target)
    if target == shape:
        array = input._data.view()
    else:
        array = xp.broadcast_to(input._data, target)
    result = make_view(input, array)
    if ag.needs_grad(input):
        ag.record("ExpandBackward0", _expand_backward, (input,), result, _ctx(shape=shape))
    return result


@table.op(function=False, out=False)
def expand_as(input, other):
    return expand(input, other._data.shape)


# ================================================================ unbind
def _unbind_backward(ctx, *grads):
    return (stack(grads, ctx.dim),)


@table.op(grad_fns=("UnbindBackward0",), out=False)
def unbind(input, dim=0):
    d = wrap_dim(dim, input.ndim)
    parts = tuple(make_view(input, xp.take(input._data, i, axis=d) if False else
                            input._data[(slice(None),) * d + (i,)])
                  for i in range(input._data.shape[d]))
    if ag.needs_grad(input) and parts:
        ag.record("UnbindBackward0", _unbind_backward, (input,), parts, _ctx(dim=d))
    return parts


def _stack_backward(ctx, grad):
    return tuple(select(grad, ctx.dim, i) for i in range(ctx.count))


@table.op(grad_fns=("StackBackward0",))
def stack(tensors, dim=0):
    tensors = tuple(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list_repr(first)} at entry 0 and {list_repr(t._data.shape)} "
                               f"at entry {i}")
    from .. import dtypes as dt
    target = tensors[0]._dtype
    for t in tensors[1:]:
        target = dt.promote_types(target, t._dtype)
    d = wrap_dim(dim, len(first) + 1)
    result = new(xp.stack([t._data.astype(target.np, copy=False) for t in tensors], axis=d),
                 target)
    if ag.needs_grad(*tensors):
        ag.record("StackBackward0", _stack_backward, tensors, result,
                  _ctx(dim=d, count=len(tensors)))
    return result


def _select_backward(ctx, grad):
    from .creation import zeros
    full = zeros(ctx.shape, dtype=grad._dtype)
    from .index import select_scatter
    return (select_scatter(full, grad, ctx.dim, ctx.index),)


@table.op(grad_fns=("SelectBackward0",), out=False)
def select(input, dim, index):
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list_repr(input._data.shape)} at dimension {d}")
    index = index + size if index < 0 else index
    result = make_view(input, input._data[(slice(None),) * d + (index,)])
    if ag.needs_grad(input):
        ag.record("SelectBackward0", _select_backward, (input,), result,
                  _ctx(shape=input._data.shape, dim=d, index=index))
    return result
