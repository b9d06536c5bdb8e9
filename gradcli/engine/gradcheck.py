"""Numerical gradient checks, as ``torch.autograd.gradcheck`` / ``gradgradcheck``.

The analytical Jacobian (from backward passes, one per output element) is
compared with central finite differences computed in the inputs' dtype
(float64 is what makes the comparison meaningful).
"""

from __future__ import annotations

from . import autograd as ag
from .backend import xp
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """A Jacobian computed by backward differs from the numerical one."""


def _as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _outputs(fn, inputs) -> tuple:
    return tuple(o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor))


def numerical_jacobian(fn, inputs, eps: float = 1e-6) -> list:
    """``[input][output]`` -> array of shape (input numel, output numel)."""
    inputs = tuple(inputs)
    base = _outputs(fn, inputs)
    result = []
    for t in inputs:
        if not (isinstance(t, Tensor) and t._requires_grad):
            result.append(None)
            continue
        flat = t._data.reshape(-1)
        per_output = [xp.zeros((t._data.size, o._data.size)) for o in base]
        for i in range(flat.size):
            old = flat[i].item()
            # Grad mode stays on: gradgradcheck differentiates inside fn. Outputs
            # are copied at once: they may be views of the perturbed input.
            flat[i] = old + eps
            plus = [o._data.astype(xp.float64) for o in _outputs(fn, inputs)]
            flat[i] = old - eps
            minus = [o._data.astype(xp.float64) for o in _outputs(fn, inputs)]
            flat[i] = old
            for k, (p, m) in enumerate(zip(plus, minus)):
                per_output[k][i] = ((p - m) / (2 * eps)).reshape(-1)
        result.append(per_output)
    return result


def analytical_jacobian(fn, inputs, create_graph: bool = False) -> list:
    """The same layout as :func:`numerical_jacobian`, from ``autograd.grad``."""
    inputs = tuple(inputs)
    outputs = _outputs(fn, inputs)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    jac = {id(t): [xp.zeros((t._data.size, o._data.size)) for o in outputs] for t in wrt}
    for k, out in enumerate(outputs):
        if not out._requires_grad:
            continue
        for j in range(out._data.size):
            seed = xp.zeros(out._data.shape, dtype=out._dtype.np)
            seed.reshape(-1)[j] = 1
            grads = ag.grad(out, wrt, Tensor._make(seed, out._dtype), retain_graph=True,
                            allow_unused=True)
            for t, g in zip(wrt, grads):
                if g is not None:
                    jac[id(t)][k][:, j] = g._data.astype(xp.float64).reshape(-1)
    return [jac[id(t)] if isinstance(t, Tensor) and t._requires_grad else None
            for t in inputs]


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_ignored) -> bool:
    """Checks ``func``'s gradients at ``inputs`` against finite differences.

    Example:
        >>> x = Tensor._make(xp.array([1.0, 2.0]), dtypes.float64, requires_grad=True)
        >>> gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    inputs = _as_tuple(inputs)
    numerical = numerical_jacobian(func, inputs, eps)
    analytical = analytical_jacobian(func, inputs)
    for i, (num, ana) in enumerate(zip(numerical, analytical)):
        if num is None:
            continue
        for k, (n, a) in enumerate(zip(num, ana)):
            if not xp.allclose(a, n, rtol=rtol, atol=atol, equal_nan=True):
                if raise_exception:
                    raise GradcheckError(
                        f"the gradient of output {k} with respect to input {i} computed by "
                        "backward does not match finite differences\n"
                        f"numerical:\n{n}\nanalytical:\n{a}")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **_ignored) -> bool:
    """Checks second derivatives: gradcheck of the function's vector-Jacobian product."""
    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = xp.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._make(rng.standard_normal(o._data.shape).astype(o._dtype.np), o._dtype)
            for o in outputs)
    wrt_positions = [i for i, t in enumerate(inputs)
                     if isinstance(t, Tensor) and t._requires_grad]

    def first_derivative(*args):
        outs = _outputs(func, args)
        wrt = [args[i] for i in wrt_positions]
        grads = ag.grad(outs, wrt, grad_outputs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


from . import dtypes  # noqa: F401 - for the docstring example


class InputCheck:
    """How one input's analytical derivative compares with finite differences.

    Attributes:
        max_abs_error: the largest ``|analytical - numerical|``.
        max_rel_error: the largest ``|analytical - numerical| / |numerical|``
            (over elements where the numerical value is not zero).
        ok: every element within ``atol + rtol * |numerical|``.
        kinks: flat indices of the input where the one-sided differences
            disagree (the function is not differentiable there, as ``abs`` at
            0): a mismatch at those elements does not make ``ok`` false.
        analytical, numerical: the two Jacobians, (input numel, output numel).
    """

    def __init__(self, analytical, numerical, kinks, atol, rtol) -> None:
        self.analytical = analytical
        self.numerical = numerical
        self.kinks = kinks
        diff = xp.abs(analytical - numerical)
        self.max_abs_error = float(diff.max()) if diff.size else 0.0
        scale = xp.abs(numerical)
        rel = xp.where(scale > 0, diff / xp.where(scale > 0, scale, 1), 0.0)
        self.max_rel_error = float(rel.max()) if rel.size else 0.0
        bad = ~xp.isclose(analytical, numerical, rtol=rtol, atol=atol, equal_nan=True)
        if kinks:
            bad[list(kinks)] = False
        self.ok = not bool(bad.any())


def check_inputs(fn, inputs, *, eps: float = 1e-6, atol: float = 1e-5,
                 rtol: float = 1e-3) -> list:
    """Compares ``fn``'s derivatives with central differences, input by input.

    ``fn(*inputs)`` returns one tensor (its elements are the Jacobian's
    columns). Inputs that do not require grad get None. Where an element's
    forward and backward differences disagree with each other, the function
    has a kink there (``abs`` or ``relu`` at 0): the element is listed in
    ``kinks`` and a mismatch there is not a failure.

    Example:
        >>> x = Tensor._make(xp.array([1.0, 0.0]), dtypes.float64, requires_grad=True)
        >>> [c.ok for c in check_inputs(lambda t: t.abs(), (x,))]   # doctest: +SKIP
        [True]
    """
    inputs = tuple(inputs)
    analytical = analytical_jacobian(fn, inputs)
    out = _outputs(fn, inputs)[0]
    base = out._data.astype(xp.float64).reshape(-1)
    result = []
    for t, ana in zip(inputs, analytical):
        if ana is None:
            result.append(None)
            continue
        ana = ana[0]
        flat = t._data.reshape(-1)
        num = xp.zeros_like(ana)
        kinks = []
        for i in range(flat.size):
            old = flat[i].item()
            flat[i] = old + eps
            plus = _outputs(fn, inputs)[0]._data.astype(xp.float64).reshape(-1)
            flat[i] = old - eps
            minus = _outputs(fn, inputs)[0]._data.astype(xp.float64).reshape(-1)
            flat[i] = old
            num[i] = (plus - minus) / (2 * eps)
            right, left = (plus - base) / eps, (base - minus) / eps
            if not xp.allclose(right, left, rtol=rtol, atol=max(atol, 1e3 * eps)):
                kinks.append(i)
        result.append(InputCheck(ana, num, kinks, atol, rtol))
    return result


# ------------------------------------------------------------------ node by node
class NodeCheck:
    """One recorded node's backward rule compared with finite differences.

    Attributes:
        index: the node's position among the nodes the forward pass recorded.
        node: the node (its ``name()`` is PyTorch's).
        max_abs_error: the largest difference between what the rule sends back
            (chained with the numerical derivatives of the node's inputs) and
            the numerical derivative of the node's output.
        ok: within tolerance; ``kink``: the node's output is not differentiable
            at this point (one-sided differences disagree), so it is not judged.
    """

    def __init__(self, index, node, max_abs_error, ok, kink) -> None:
        self.index, self.node, self.max_abs_error, self.ok, self.kink = (
            index, node, max_abs_error, ok, kink)


def _recorded_run(fn, inputs) -> list:
    records = []

    def listen(node, node_inputs, outputs):
        records.append((node,
                        tuple(t._data.astype(xp.float64) if isinstance(t, Tensor) else None
                              for t in node_inputs),
                        tuple(o._data.astype(xp.float64) for o in outputs)))

    previous = ag.set_record_listener(listen)
    try:
        _outputs(fn, inputs)
    finally:
        ag.set_record_listener(previous)
    return records


def check_nodes(fn, inputs, *, eps: float = 1e-6, atol: float = 1e-5,
                rtol: float = 1e-3) -> list:
    """Checks the backward rule of every node ``fn`` records, one node at a time.

    For a node ``y = f(x1, x2, ...)``, finite differences over the inputs give
    ``dy/dleaves`` and each ``dxk/dleaves``; the node's own rule, fed one output
    element at a time, must send back gradients whose chain with the
    ``dxk/dleaves`` equals ``dy/dleaves``. Only the node's rule is trusted in
    the comparison, so the first node that fails is the one whose rule is
    wrong. Returns one :class:`NodeCheck` per node, in the order recorded.
    """
    inputs = tuple(inputs)
    leaves = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    base = _recorded_run(fn, inputs)
    total = sum(t._data.size for t in leaves)
    # d[record][("in"|"out", k)] -> (total leaf elements, tensor elements), by central differences;
    # right/left one-sided differences of the outputs find kinks.
    deriv = [{} for _ in base]
    right = [{} for _ in base]
    left = [{} for _ in base]
    row = 0
    for t in leaves:
        flat = t._data.reshape(-1)
        for i in range(flat.size):
            old = flat[i].item()
            flat[i] = old + eps
            plus = _recorded_run(fn, inputs)
            flat[i] = old - eps
            minus = _recorded_run(fn, inputs)
            flat[i] = old
            if len(plus) != len(base) or len(minus) != len(base):
                raise GradcheckError("the forward pass records different nodes when an input "
                                     "moves by eps, so nodes cannot be checked one by one")
            for r, (b, p, m) in enumerate(zip(base, plus, minus)):
                for k in range(len(b[1])):
                    if b[1][k] is None:
                        continue
                    deriv[r].setdefault(("in", k), xp.zeros((total, b[1][k].size)))[row] = (
                        (p[1][k] - m[1][k]) / (2 * eps)).reshape(-1)
                for k in range(len(b[2])):
                    deriv[r].setdefault(("out", k), xp.zeros((total, b[2][k].size)))[row] = (
                        (p[2][k] - m[2][k]) / (2 * eps)).reshape(-1)
                    right[r].setdefault(k, xp.zeros((total, b[2][k].size)))[row] = (
                        (p[2][k] - b[2][k]) / eps).reshape(-1)
                    left[r].setdefault(k, xp.zeros((total, b[2][k].size)))[row] = (
                        (b[2][k] - m[2][k]) / eps).reshape(-1)
            row += 1
    results = []
    for r, (node, node_inputs, outputs) in enumerate(base):
        worst, ok, kink = 0.0, True, False
        for m, out in enumerate(outputs):
            if not xp.allclose(right[r][m], left[r][m], rtol=rtol, atol=max(atol, 1e3 * eps)):
                kink = True
                continue
            for j in range(out.size):
                predicted = xp.zeros(total)
                for k, g in enumerate(_node_vjp(node, m, j)):
                    if g is None or ("in", k) not in deriv[r]:
                        continue
                    predicted += deriv[r][("in", k)] @ g
                actual = deriv[r][("out", m)][:, j]
                worst = max(worst, float(xp.abs(predicted - actual).max(initial=0.0)))
                if not xp.allclose(predicted, actual, rtol=rtol, atol=atol, equal_nan=True):
                    ok = False
        results.append(NodeCheck(r, node, worst, ok, kink))
    return results


def _node_vjp(node, output: int, element: int) -> list:
    """The node's rule applied to a one-hot gradient of one output element."""
    seeds = []
    for m, (shape, dtype) in enumerate(node._outputs):
        seed = xp.zeros(shape, dtype=dtype.np)
        if m == output:
            seed.reshape(-1)[element] = 1
        seeds.append(Tensor._make(seed, dtype))
    previous = ag.set_record_listener(None)
    try:
        with ag.no_grad():
            grads = node.apply(tuple(seeds))
    finally:
        ag.set_record_listener(previous)
    result = []
    for g, meta in zip(grads, node._input_meta):
        if g is None or meta is None:
            result.append(None)
            continue
        g = ag._fit(g, meta)
        result.append(g._data.astype(xp.float64).reshape(-1))
    return result
