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


# ------------------------------------------------- vector products (vjp, jvp, hvp, vhp)
def _vector(v, like: tuple, is_tuple: bool, fn_name: str, what: str) -> tuple:
    """``v`` checked against ``like`` (the outputs for vjp, the inputs otherwise)."""
    if v is None:
        if len(like) != 1 or like[0]._data.size != 1:
            raise RuntimeError(
                f"{fn_name}() can do without v only when the {what} is a single tensor with "
                f"one element; pass v with the {what}'s shape")
        return (ops.ones_like(like[0]),)
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(like):
        raise RuntimeError(f"v given to {fn_name}() has {len(vs)} tensors, but the {what} "
                           f"has {len(like)}; they must match")
    for i, (a, b) in enumerate(zip(vs, like)):
        if tuple(a.shape) != tuple(b.shape):
            where = "" if len(like) == 1 else f" (item {i})"
            raise RuntimeError(f"v given to {fn_name}(){where} has shape {list(a.shape)}, but "
                               f"the {what} has shape {list(b.shape)}; they must match")
    return vs


def _grads(outputs, inputs, grad_outputs, create_graph, strict, fn_name, stage="") -> tuple:
    """``autograd.grad`` that tolerates outputs without a graph; None for an unused input
    (an error with ``strict``)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o._requires_grad]
    if pairs:
        grads = ag.grad(tuple(o for o, _ in pairs), inputs, tuple(g for _, g in pairs),
                        retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        grads = (None,) * len(inputs)
    if strict:
        for i, g in enumerate(grads):
            if g is None:
                raise RuntimeError(f"the {stage}output of the function given to {fn_name}() "
                                   f"does not depend on input {i}, which strict=True does not "
                                   "allow")
    return grads


def _finish(values: tuple, like: tuple, create_graph: bool) -> tuple:
    """Zeros for the missing gradients; detached unless ``create_graph``."""
    out = []
    for g, ref in zip(values, like):
        if g is None:
            g = ops.zeros_like(ref)
        elif not create_graph:
            g = g.detach()
        out.append(g)
    return tuple(out)


def _call(func, inputs: tuple, fn_name: str) -> tuple[bool, tuple]:
    with ag.enable_grad():
        return _as_tuple(func(*inputs), "outputs of the function", fn_name)


def _detached(outputs: tuple, create_graph: bool) -> tuple:
    return outputs if create_graph else tuple(o.detach() for o in outputs)


def _single_output(outputs: tuple, is_tuple: bool, fn_name: str) -> None:
    if is_tuple and len(outputs) != 1 or outputs[0]._data.size != 1:
        raise RuntimeError(f"the function given to {fn_name}() must return a single tensor "
                           f"with one element, but it returned "
                           + (f"{len(outputs)} tensors" if len(outputs) != 1
                              else f"one of shape {list(outputs[0].shape)}"))


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T J)``: the vector-Jacobian product, one reverse pass.

    Example:
        >>> vjp(lambda a: a ** 2, tensor([1.0, 2.0]), tensor([1.0, 1.0]))[1]
        tensor([2., 4.])
    """
    with ag.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        is_outputs_tuple, outputs = _call(func, inputs, "vjp")
        vs = _vector(v, outputs, is_outputs_tuple, "vjp", "output of the function")
        grads = _grads(outputs, inputs, vs, create_graph, strict, "vjp")
        result = _finish(grads, inputs, create_graph)
    outputs = _detached(outputs, create_graph)
    return (outputs if is_outputs_tuple else outputs[0],
            result if is_inputs_tuple else result[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), J v)``: the Jacobian-vector product, by the double-backward
    trick (PyTorch's own: the vjp is linear in its vector, so differentiating it with
    respect to that vector gives J v).

    Example:
        >>> jvp(lambda a: a ** 2, tensor([1.0, 2.0]), tensor([1.0, 1.0]))[1]
        tensor([2., 4.])
    """
    with ag.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph)
        vs = _vector(v, inputs, is_inputs_tuple, "jvp", "input")
        is_outputs_tuple, outputs = _call(func, inputs, "jvp")
        dummies = tuple(ops.zeros_like(o).requires_grad_(True) for o in outputs)
        grads = _grads(outputs, inputs, dummies, True, strict, "jvp")
        used = [(g, v_) for g, v_ in zip(grads, vs) if g is not None and g._requires_grad]
        if used:
            back = ag.grad(tuple(g for g, _ in used), dummies, tuple(v_ for _, v_ in used),
                           retain_graph=True, create_graph=create_graph, allow_unused=True)
        else:
            back = (None,) * len(outputs)
        if strict and any(g is None for g in back):
            raise RuntimeError("the Jacobian-vector product given by jvp() does not depend on "
                               "every output of the function, which strict=True does not "
                               "allow")
        result = _finish(back, outputs, create_graph)
    outputs = _detached(outputs, create_graph)
    return (outputs if is_outputs_tuple else outputs[0],
            result if is_outputs_tuple else result[0])


def _second_order(func, inputs, v, create_graph, strict, fn_name, forward: bool):
    with ag.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
        inputs = _prepare(inputs, create_graph)
        vs = _vector(v, inputs, is_inputs_tuple, fn_name, "input")
        is_outputs_tuple, outputs = _call(func, inputs, fn_name)
        _single_output(outputs, is_outputs_tuple, fn_name)
        first = _grads(outputs, inputs, (ops.ones_like(outputs[0]),), True, strict, fn_name)
        first = tuple(ops.zeros_like(i) if g is None else g for g, i in zip(first, inputs))
        if forward:
            # hvp: H v, the jvp of the gradient (through a vector that requires grad).
            dummies = tuple(ops.zeros_like(g).requires_grad_(True) for g in first)
            vjp_d = _grads(first, inputs, dummies, True, strict, fn_name, "gradient of the ")
            used = [(g, v_) for g, v_ in zip(vjp_d, vs) if g is not None and g._requires_grad]
            back = (ag.grad(tuple(g for g, _ in used), dummies, tuple(v_ for _, v_ in used),
                            retain_graph=True, create_graph=create_graph, allow_unused=True)
                    if used else (None,) * len(first))
        else:
            back = _grads(first, inputs, vs, create_graph, strict, fn_name,
                          "gradient of the ")
        result = _finish(back, inputs, create_graph)
    outputs = _detached(outputs, create_graph)
    return outputs[0], result if is_inputs_tuple else result[0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T H)`` for a function with a one-element output.

    Example:
        >>> vhp(lambda a: (a ** 3).sum(), tensor([1.0, 2.0]), tensor([1.0, 1.0]))[1]
        tensor([ 6., 12.])
    """
    return _second_order(func, inputs, v, create_graph, strict, "vhp", forward=False)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), H v)`` for a function with a one-element output.

    Example:
        >>> hvp(lambda a: (a ** 3).sum(), tensor([1.0, 2.0]), tensor([1.0, 1.0]))[1]
        tensor([ 6., 12.])
    """
    return _second_order(func, inputs, v, create_graph, strict, "hvp", forward=True)
