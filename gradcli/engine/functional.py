"""``torch.autograd.functional``: ``jacobian`` and ``hessian`` of Python callables.

Both are built on :func:`autograd.grad`, one backward pass per output element,
and return PyTorch's structure: a tensor for one input and one output, a
tuple over inputs (or outputs) when only one side is a tuple, and a tuple of
tuples ``result[output][input]`` when both are.
"""

from __future__ import annotations

from . import autograd as ag
from .backend import xp
from .namespace import ops
from .tensor import Tensor


def _as_tuple(value, what: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was_a_tuple, value as a tuple of tensors)``, with PyTorch's TypeError."""
    is_tuple = isinstance(value, (tuple, list))
    items = tuple(value) if is_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f"the {what} given to {fn_name}() must be a tensor or a tuple of tensors"
            if is_tuple:
                raise TypeError(f"{where}, but item {i} is of type {type(item).__name__}")
            raise TypeError(f"{where}, not a value of type {type(item).__name__}")
    return is_tuple, items


def _unpack(result, is_outputs_tuple: bool, is_inputs_tuple: bool):
    """Drops the tuple levels PyTorch drops: ``result[output][input]`` -> its shape."""
    if not is_inputs_tuple:
        result = tuple(blocks[0] for blocks in result)
    if not is_outputs_tuple:
        result = result[0]
    return result


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    # With create_graph an input that already requires grad stays in its graph
    # (a view keeps the link); otherwise each input is a fresh leaf.
    return tuple(t.view_as(t) if create_graph and t._requires_grad
                 else t.detach().requires_grad_(True) for t in inputs)


def _assemble(rows: list, out_shape: tuple, in_shape: tuple, create_graph: bool) -> Tensor:
    """Stacks one gradient per output element into a block of shape out + in."""
    shape = tuple(out_shape) + tuple(in_shape)
    if not create_graph:
        return Tensor._make(xp.stack([g._data for g in rows]).reshape(shape), rows[0]._dtype)
    stacked = rows[0] if len(rows) == 1 else ops.stack(rows)
    return ops.reshape(stacked, shape)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: block ``[i][k]`` has shape
    ``outputs[i].shape + inputs[k].shape``.

    Example:
        >>> jacobian(lambda v: v ** 2, tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare(inputs, create_graph)
    with ag.enable_grad():
        is_outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the function", "jacobian")
        result = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]
            for j in range(out._data.size):
                grads = (None,) * len(inputs)
                if out._requires_grad:
                    seed = xp.zeros(out._data.shape, dtype=out._dtype.np)
                    seed.reshape(-1)[j] = 1
                    grads = ag.grad(out, inputs, Tensor._make(seed, out._dtype),
                                    retain_graph=True, create_graph=create_graph,
                                    allow_unused=True)
                for k, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"output {i} of the function does not depend on input {k}, "
                                "which strict=True does not allow")
                        g = ops.zeros_like(inp)
                    rows[k].append(g)
            result.append(tuple(
                _assemble(rows[k], out._data.shape, inp._data.shape, create_graph)
                if rows[k] else ops.zeros_like(inp).reshape(tuple(out.shape) + tuple(inp.shape))
                for k, inp in enumerate(inputs)))
    return _unpack(tuple(result), is_outputs_tuple, is_inputs_tuple)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a function with a single-element output: block ``[i][j]``
    has shape ``inputs[i].shape + inputs[j].shape``.

    Example:
        >>> hessian(lambda v: (v ** 3).sum(), tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def single_output(*args):
        out = func(*args)
        if not isinstance(out, Tensor):
            raise RuntimeError(  # noqa: TRY004 - PyTorch raises RuntimeError here
                f"the function given to hessian() must return a single tensor, not a value of "
                f"type {type(out).__name__}")
        if out._data.size != 1:
            raise RuntimeError(f"the function given to hessian() must return a one-element "
                               f"tensor, but it returned one of shape {list(out.shape)}")
        return out.reshape(()) if out.ndim else out

    def gradient(*args):
        return jacobian(single_output, args, create_graph=True, strict=strict)

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
    return _unpack(result, is_inputs_tuple, is_inputs_tuple)
