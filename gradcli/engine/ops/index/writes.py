"""In-place writers that are not an out-of-place op plus a write.

``fill_``, ``zero_``, ``copy_``, ``resize_``, and the in-place shape changes
(``t_``, ``transpose_``, ``squeeze_``, ``unsqueeze_``); ``fill`` too. Their
machinery lives in ``ops/inplace.py``.
"""

from __future__ import annotations

from ... import autograd as ag
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...tensor import wrap_dim
from .. import inplace as ip
from ..common import fill_value, new, require_tensor
from ..registry import OpTable

table = OpTable("index.writes")


# ============================================================= copy, fill
@backward("FillBackward0")
def _fill_backward(ctx, grad):
    return (ops.zeros_like(grad),)


@backward("FillBackward1")
def _fill_tensor_backward(ctx, grad):
    return ops.zeros_like(grad), ops.sum(grad)


@table.op(method=False, backward=(_fill_backward, _fill_tensor_backward), out=False)
def fill(input, value):
    """A tensor of ``input``'s shape and dtype filled with ``value``."""
    value_tensor, value = fill_value(value, "fill")
    result = new(ip.full_of(input._data.shape, input._dtype, value), input._dtype)
    if value_tensor is not None and ag.needs_grad(input, value_tensor):
        ag.record(_fill_tensor_backward, (input, value_tensor), result)
    elif ag.needs_grad(input):
        ag.record(_fill_backward, (input,), result)
    return result


@table.op(name="fill_", out=False, backward=(ip.fill_backward2, ip.fill_tensor_backward))
def fill_(self, value):
    """Every element becomes ``value`` (a number or a 0-dim tensor)."""
    return ip.fill_values(self, value)


@table.op(name="zero_", out=False, backward=(ip.zero_backward0,))
def zero_(self):
    """Every element becomes 0."""
    return ip.fill_values(self, 0, zero=True)


@table.op(name="copy_", function=False, backward=(ip.copy_backward,))
def copy_(self, src, non_blocking=False):
    """Copies ``src`` into ``self`` (broadcast, converted to ``self``'s dtype)."""
    return ip.copy_(self, src, non_blocking)


@table.op(name="resize_", function=False)
def resize_(self, *sizes, size=None, memory_format=None):
    """Changes the shape in place; leading values are kept, new ones are zero."""
    return ip.resize_(self, *(sizes if size is None else (size,)))


@table.op(name="resize_as_", out=False)
def resize_as_(self, the_template, memory_format=None):
    template = require_tensor(the_template, "resize_as_", "the_template", 2)
    return ip.resize_(self, template._data.shape)


# ================================================ in-place shape changes
@backward("TBackward1")
def _t1_backward(ctx, grad):
    return (ops.t(grad),)


@table.op(name="t_", function=False, backward=(_t1_backward,))
def t_(self):
    """Transposes the tensor itself (a matrix, or a 0-D/1-D tensor unchanged)."""
    if self.ndim > 2:
        raise RuntimeError(f"t_() transposes tensors of at most 2 dims; this one has "
                           f"{self.ndim}")
    return ip.restride_inplace(self, ops.t, _t1_backward, None)


@backward("TransposeBackward1")
def _transpose1_backward(ctx, grad):
    return (ops.transpose(grad, ctx.dim0, ctx.dim1),)


@table.op(name="transpose_", function=False, aliases=("swapaxes_", "swapdims_"),
          backward=(_transpose1_backward,))
def transpose_(self, dim0, dim1):
    """Swaps two dims of the tensor itself."""
    d0, d1 = wrap_dim(dim0, self.ndim), wrap_dim(dim1, self.ndim)
    return ip.restride_inplace(self, lambda t: ops.transpose(t, d0, d1), _transpose1_backward,
                               SavedContext(dim0=d0, dim1=d1))


def _squeeze_inplace_backward(ctx, grad):
    for d in ctx.dims:
        grad = ops.unsqueeze(grad, d)
    return (grad,)


# squeeze_'s nodes, by the node of the out-of-place squeeze with the same dims
_SQUEEZE_INPLACE = {"SqueezeBackward0": Backward("SqueezeBackward3", _squeeze_inplace_backward),
                    "SqueezeBackward1": Backward("SqueezeBackward4", _squeeze_inplace_backward),
                    "SqueezeBackward2": Backward("SqueezeBackward5", _squeeze_inplace_backward)}


@table.op(name="squeeze_", function=False, backward=tuple(_SQUEEZE_INPLACE.values()))
def squeeze_(self, dim=None):
    """Removes size-1 dims of the tensor itself."""
    dims, node = ops.squeeze_dims(self, dim)
    return ip.restride_inplace(self, lambda t: ops.squeeze(t, dim), _SQUEEZE_INPLACE[node.name],
                               SavedContext(dims=dims))


@backward("UnsqueezeBackward1")
def _unsqueeze_inplace_backward(ctx, grad):
    return (ops.squeeze(grad, ctx.dim),)


@table.op(name="unsqueeze_", function=False, backward=(_unsqueeze_inplace_backward,))
def unsqueeze_(self, dim):
    """Inserts a size-1 dim into the tensor itself."""
    d = wrap_dim(dim, self.ndim + 1)
    return ip.restride_inplace(self, lambda t: ops.unsqueeze(t, d), _unsqueeze_inplace_backward,
                               SavedContext(dim=d))
