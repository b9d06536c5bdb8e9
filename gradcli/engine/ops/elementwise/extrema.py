"""maximum, minimum, fmax, fmin, clamp (and clamp_min/clamp_max), where."""

from __future__ import annotations

from ... import autograd as ag
from ... import dtypes as dt
from ...backend import xp
from ...namespace import ops
from ...node import Backward, SavedContext, backward
from ...tensor import Tensor
from ..common import broadcast_shapes, check_operand, require_tensor, values
from ..common import new_quiet as new
from ..registry import OpTable
from ._helpers import _binary, _edges, _requires
from .arithmetic import div_scalar

table = OpTable("extrema")


# ================================================== maximum, minimum, clamp
def _extremum_backward(ctx, grad):
    a, b = ctx.saved_tensors
    ties = where(a == b, div_scalar(grad, 2), grad)
    if ctx.nan_aware:  # fmax/fmin: the gradient goes to the operand that was picked
        pick_a = (a >= b) | b.isnan() if ctx.bigger else (a <= b) | b.isnan()
        return where(pick_a, grad, 0.0), where(pick_a, 0.0, grad)
    lose_a, lose_b = (a < b, a > b) if ctx.bigger else (a > b, a < b)
    return where(lose_a, 0.0, ties), where(lose_b, 0.0, ties)


def _extremum(name: str, np_fn, node_name: str, bigger: bool, nan_aware: bool) -> None:
    node = Backward(node_name, _extremum_backward)

    def op(input, other):
        require_tensor(input, name)
        require_tensor(other, name, "other", 2)
        result = _binary(input, other, np_fn, name)
        if ag.needs_grad(input, other):
            ag.record(node, (input, other), result,
                      SavedContext(input, other, bigger=bigger, nan_aware=nan_aware))
        return result

    op.__name__ = name
    op.__doc__ = (f"The elementwise {'larger' if bigger else 'smaller'} of two tensors "
                  f"({'ignoring' if nan_aware else 'propagating'} NaN).")
    table.op(name=name, backward=(node,), domain=((-2.0, 2.0), (-2.0, 2.0)))(op)
    globals()[name] = op


_extremum("maximum", xp.maximum, "MaximumBackward0", True, False)
_extremum("minimum", xp.minimum, "MinimumBackward0", False, False)
_extremum("fmax", xp.fmax, "FmaxBackward0", True, True)
_extremum("fmin", xp.fmin, "FminBackward0", False, True)


def _clamp_values(data, low, high):
    with xp.errstate(invalid="ignore"):
        if low is not None:
            data = xp.where(xp.isnan(low), low, xp.maximum(data, low)) \
                if data.dtype.kind == "f" else xp.maximum(data, low)
        if high is not None:
            data = xp.where(xp.isnan(high), high, xp.minimum(data, high)) \
                if data.dtype.kind == "f" else xp.minimum(data, high)
    return data


def _inside(x, low, high):
    """Where ``low <= x <= high`` (either bound may be None)."""
    mask = None
    if low is not None:
        mask = x >= low
    if high is not None:
        mask = (x <= high) if mask is None else mask.logical_and(x <= high)
    return mask


@backward("ClampBackward1")
def _clamp_scalar_backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return (where(_inside(x, ctx.low, ctx.high), grad, 0.0),)


@backward("ClampBackward0")
def _clamp_tensor_backward(ctx, grad):
    x, low, high = ctx.saved_tensors
    grad_x = where(_inside(x, low, high), grad, 0.0) if ctx.need[0] else None
    grad_low = grad_high = None
    if low is not None and high is not None:
        if ctx.need[1]:
            grad_low = where((x < low).logical_and(low < high), grad, 0.0)
        if ctx.need[2]:
            grad_high = where((x > high).logical_or(high < low), grad, 0.0)
    elif low is not None and ctx.need[1]:
        grad_low = where(x < low, grad, 0.0)
    elif high is not None and ctx.need[2]:
        grad_high = where(x > high, grad, 0.0)
    return grad_x, grad_low, grad_high


@table.op(inplace=True, aliases=("clip",), backward=(_clamp_tensor_backward, _clamp_scalar_backward))
def clamp(input, min=None, max=None):
    """Limits every element to ``[min, max]`` (numbers or tensors, not a mix).

    Example:
        >>> clamp(tensor([-3.0, 0.5, 5.0]), min=-1, max=1)
        tensor([-1.0000,  0.5000,  1.0000])
    """
    require_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp() needs at least one of min and max")
    bounds = [b for b in (min, max) if b is not None]
    tensors = [isinstance(b, Tensor) for b in bounds]
    if any(tensors) and not all(tensors):
        raise TypeError("clamp() needs min and max both as numbers or both as tensors, not "
                        "one of each")
    for b in bounds:
        check_operand(b, "clamp", "min")
    if tensors[0]:
        broadcast_shapes(input._data.shape, *(b._data.shape for b in bounds))
    target = dt.result_type(input, *bounds)
    if target is dt.bool_:
        target = dt.int64
    low = None if min is None else values(min, target)
    high = None if max is None else values(max, target)
    result = new(_clamp_values(values(input, target), low, high), target)
    if tensors[0]:
        if ag.needs_grad(input, min, max):
            ctx = SavedContext(input, min, max, need=(_requires(input), _requires(min), _requires(max)))
            ag.record(_clamp_tensor_backward, (input, min, max), result, ctx)
    elif ag.needs_grad(input):
        ag.record(_clamp_scalar_backward, (input,), result,
                  SavedContext(input, low=min, high=max))
    return result


def _clamp_side(name: str, bound_arg: str, node_name: str) -> None:
    """Declares ``clamp_min``/``clamp_max``: ``node_name`` + 0 (number) or 1 (tensor bound)."""
    number_rule = Backward(node_name + "0", _clamp_scalar_backward)
    tensor_rule = Backward(node_name + "1", _clamp_two_backward(bound_arg))

    def op(input, bound):
        require_tensor(input, name)
        check_operand(bound, name, bound_arg)
        kwargs = {bound_arg: bound}
        result = clamp(input.detach(), **kwargs)
        if ag.needs_grad(input, bound):
            if isinstance(bound, Tensor):
                low, high = (bound, None) if bound_arg == "min" else (None, bound)
                ctx = SavedContext(input, low, high,
                           need=(_requires(input), _requires(low), _requires(high)))
                ag.record(tensor_rule, (input, bound), result, ctx)
            else:
                ctx = SavedContext(input, low=kwargs.get("min"), high=kwargs.get("max"))
                ag.record(number_rule, (input,), result, ctx)
        return result

    op.__name__ = name
    op.__doc__ = f"``clamp(input, {bound_arg}={bound_arg})``."
    table.op(name=name, inplace=True, backward=(number_rule, tensor_rule))(op)


def _clamp_two_backward(side: str):
    def rule(ctx, grad):
        grad_x, grad_low, grad_high = _clamp_tensor_backward(ctx, grad)
        return grad_x, (grad_low if side == "min" else grad_high)
    return rule


_clamp_side("clamp_min", "min", "ClampMinBackward")
_clamp_side("clamp_max", "max", "ClampMaxBackward")


# ================================================================== where
@backward("WhereBackward0")
def _where_backward(ctx, grad):
    (cond,) = ctx.saved_tensors
    return (where(cond, grad, 0.0) if ctx.need[0] else None,
            where(cond, 0.0, grad) if ctx.need[1] else None)


@table.op(backward=(_where_backward,))
def where(condition, input=None, other=None):
    """Picks ``input`` where ``condition`` holds, else ``other`` (tensors or numbers).

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.
    """
    require_tensor(condition, "where", "condition")
    if input is None and other is None:
        return ops.nonzero(condition, as_tuple=True)
    if condition._dtype is not dt.bool_:
        raise RuntimeError(f"where() needs a bool condition, but the condition has dtype "
                           f"{condition._dtype!r}")
    check_operand(input, "where", "input")
    check_operand(other, "where", "other", 3)
    broadcast_shapes(condition._data.shape,
                     *(v._data.shape for v in (input, other) if isinstance(v, Tensor)))
    target = dt.result_type(input, other)
    result = new(xp.where(condition._data, values(input, target), values(other, target)),
                 target)
    if ag.needs_grad(input, other):
        ag.record(_where_backward, _edges(input, other), result,
                  SavedContext(condition, need=(_requires(input), _requires(other))))
    return result
