"""linear, dropout, normalize and one_hot."""

from __future__ import annotations

from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ..common import new_quiet as new
from ..common import require_tensor
from ..inplace import apply_inplace
from ..registry import OpTable

table = OpTable("layers")


# ========================================================= linear, dropout
@table.op(function=False, method=False, out=False, functional=("linear",))
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, recorded as PyTorch records it: ``addmm`` for
    a 2-D input with a bias, ``matmul`` without one."""
    require_tensor(input, "linear")
    require_tensor(weight, "linear", "weight", 2)
    transposed = ops.t(weight)
    if bias is None:
        return ops.matmul(input, transposed)
    if input.ndim == 2:
        return ops.addmm(bias, input, transposed)
    flat = ops.reshape(input, -1, input._data.shape[-1])
    out = ops.addmm(bias, flat, transposed)
    return ops.reshape(out, *input._data.shape[:-1], weight._data.shape[0])


@table.op(method=False, out=False)
def dropout(input, p=0.5, train=True):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``,
    drawing PyTorch's mask (``bernoulli_(1 - p)``); the identity when not training."""
    require_tensor(input, "dropout")
    if not 0 <= p <= 1:
        raise ValueError(f"the dropout probability must be between 0 and 1, but got {p}")
    if not train or p == 0 or input._data.size == 0:
        return input
    if p == 1:
        return ops.mul(input, new(xp.zeros((), input._dtype.np), input._dtype))
    return ops.mul(input, ops.dropout_mask(input, p))


@table.op(function=False, method=False, functional=("dropout",))
def _functional_dropout(input, p=0.5, training=True, inplace=False):
    if inplace:
        return apply_inplace(input, dropout, (p, training), {})
    return dropout(input, p, training)


@table.op(function=False, method=False, functional=("normalize",))
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(norm(input, p, dim), eps)``."""
    require_tensor(input, "normalize")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return ops.div(input, denom) if out is None else ops.div(input, denom, out=out)


@table.op(function=False, method=False, functional=("one_hot",))
def one_hot(tensor, num_classes=-1):
    """A one-hot int64 encoding of class indices, with a new last dimension."""
    require_tensor(tensor, "one_hot", "tensor")
    if tensor._dtype is not dt.int64:
        raise RuntimeError(f"one_hot() needs class indices of dtype torch.int64, but got "
                           f"{tensor._dtype!r}")
    data = tensor._data
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("one_hot() cannot infer the number of classes from an empty "
                               "tensor; pass num_classes")
        num_classes = int(data.max()) + 1
    if data.size and data.min() < 0:
        raise RuntimeError(f"one_hot() needs non-negative class values, but found "
                           f"{int(data.min())}")
    if data.size and data.max() >= num_classes:
        raise RuntimeError(f"one_hot() found class value {int(data.max())}, but "
                           f"num_classes={num_classes} allows only 0 to {num_classes - 1}")
    return new(xp.arange(num_classes) == data[..., None], dt.int64)
