"""In-place semantics: identity, version counters, leaves, views and CopySlices, out=, resize_.

Tables:

- ``SCENARIOS``: short programs run on gradcli and, when torch is installed, on
  PyTorch; each returns what it observed (values, grad_fn chains, gradients,
  identities, or the class of the error it hit), and the observations must agree;
- golden tests with hard-coded expectations that run without torch;
- ``GRADCHECK_CASES``: writes through views (CopySlices), in-place ops on views
  and on bases, checked against finite differences (first and second order).
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from gradcli.engine import FUNCTIONS, Tensor
from gradcli.engine import autograd as ag
from gradcli.engine import dtypes as dt
from gradcli.engine.gradcheck import gradcheck, gradgradcheck

G = types.SimpleNamespace(**FUNCTIONS, **dt.ALIASES, autograd=ag, no_grad=ag.no_grad)

from graph_helpers import chain, node_name

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def observe(t) -> tuple:
    """What a program prints of a tensor: values, dtype, requires_grad, is_leaf, grad_fn."""
    return (str(t.tolist()), str(t.dtype), t.requires_grad, t.is_leaf, chain(t.grad_fn))


# ================================================================== golden
def test_inplace_returns_the_same_object():
    x = G.tensor([1.0, 2.0])
    assert x.add_(1) is x
    assert x.mul_(2) is x
    assert x.zero_() is x
    assert x.fill_(3) is x
    assert x.copy_(G.tensor([5.0, 6.0])) is x
    assert x.resize_(2) is x
    alias = x
    x += 1
    assert x is alias and x.tolist() == [6.0, 7.0]


def test_leaf_that_requires_grad_cannot_be_modified():
    w = G.ones(3, requires_grad=True)
    for write in (lambda: w.add_(1), lambda: w.copy_(G.zeros(3)), lambda: w.fill_(2),
                  lambda: w.__setitem__(0, 5.0), lambda: w[0].add_(1)):
        with pytest.raises(RuntimeError):
            write()
    with G.no_grad():
        w.add_(1)
    assert w.tolist() == [2.0, 2.0, 2.0] and w.is_leaf and w.requires_grad


def test_saved_tensor_modified_in_place_fails_at_backward():
    w = G.ones(3, requires_grad=True)
    a = w * 2
    e = a.exp()
    a.add_(1)
    e.sum().backward()  # exp saves its result, not its input
    b = w * 2
    s = b.exp()
    s.add_(1)
    with pytest.raises(RuntimeError):
        s.sum().backward()


def test_write_through_a_view_records_copy_slices_and_as_strided():
    w = G.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w * 2
    v = y[1:]
    v.mul_(10)
    assert y.tolist() == [2.0, 40.0, 60.0]
    assert node_name(y.grad_fn) == "CopySlices"
    assert node_name(v.grad_fn) == "AsStridedBackward0"
    assert node_name(v.grad_fn.next_functions[0][0]) == "CopySlices"
    y.sum().backward()
    assert w.grad.tolist() == [2.0, 20.0, 20.0]


def test_out_resizes_and_refuses_autograd():
    out = G.zeros(2)
    result = G.add(G.ones(3), 1, out=out)
    assert result is out and out.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(RuntimeError):
        G.add(G.ones(3, requires_grad=True), 1, out=out)
    with pytest.raises(RuntimeError):
        G.add(G.ones(3), 1.5, out=G.zeros(3, dtype=G.int64))


def test_resize_keeps_leading_values_and_zero_fills():
    grid = G.tensor([[1, 2, 3], [4, 5, 6]])
    assert grid.resize_(4).tolist() == [1, 2, 3, 4]
    assert grid.resize_(2, 2).tolist() == [[1, 2], [3, 4]]
    assert grid.resize_(8).tolist() == [1, 2, 3, 4, 5, 6, 0, 0]
    with pytest.raises(RuntimeError):
        G.ones(2, requires_grad=True).resize_(3)


def test_copy_broadcasts_and_converts():
    destination = G.zeros(2, 3)
    destination.copy_(G.tensor([1, 2, 3]))
    assert destination.tolist() == [[1.0, 2.0, 3.0]] * 2
    ints = G.zeros(2, dtype=G.int64)
    assert ints.copy_(G.tensor([1.9, -2.9])).tolist() == [1, -2]


# =============================================================== scenarios
def _try(fn):
    try:
        return fn()
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return type(error).__name__


def s_add_mul_sub_div(T):
    x = T.tensor([1.0, 2.0, 3.0])
    return [x.add_(1).tolist(), x.mul_(2).tolist(), x.sub_(T.ones(3)).tolist(),
            x.div_(2).tolist()]


def s_int_view_inplace(T):
    counts = T.tensor([[1, 2], [3, 4]])
    counts[1].mul_(10)
    counts[:, 0].add_(100)
    return [counts.tolist(), counts.div_(2, rounding_mode="floor").tolist()]


def s_float_into_int(T):
    return _try(lambda: T.tensor([1, 2]).add_(0.5))


def s_int_into_bool(T):
    return _try(lambda: T.tensor([True]).mul_(2))


def s_broadcast_bigger(T):
    return _try(lambda: T.ones(2).add_(T.ones(2, 2)))


def s_leaf(T):
    w = T.ones(3, requires_grad=True)
    return [_try(lambda: w.add_(1)), _try(lambda: w.__setitem__(0, 5.0)),
            _try(lambda: w[0].add_(1)), _try(lambda: w.copy_(T.zeros(3)))]


def s_no_grad_on_leaf(T):
    w = T.ones(3, requires_grad=True)
    v = w[:2]
    with T.no_grad():
        w.add_(1)
        v.mul_(3)
    return [observe(w), observe(v)]


def s_saved_input(T):
    w = T.ones(3, requires_grad=True)
    a = w.clone()
    b = a * a
    a.add_(1)
    return _try(lambda: b.sum().backward())


def s_saved_output(T):
    w = T.ones(3, requires_grad=True)
    b = w.clone().sigmoid()
    b[0] = 1.0
    return _try(lambda: b.sum().backward())


def s_saved_view_of_modified_base(T):
    w = T.ones(3, requires_grad=True)
    a = w.clone()
    v = a[:2]
    b = v * v
    a.add_(1)
    return _try(lambda: b.sum().backward())


def s_exp_then_add(T):
    w = T.ones(3, requires_grad=True)
    a = w.clone()
    a.exp_()
    a.add_(1)
    return _try(lambda: a.sum().backward())


def s_sin_then_add(T):
    w = T.tensor([0.5, 1.0, 2.0], requires_grad=True)
    a = w.clone()
    a.sin_()
    a.add_(1)
    a.sum().backward()
    return [observe(a), [round(g, 6) for g in w.grad.tolist()]]


def s_mul_by_leaf(T):
    w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = w.clone()
    a.mul_(w)
    a.add_(1)
    a.sum().backward()
    return [observe(a), w.grad.tolist()]


def s_setitem_chain(T):
    w = T.ones(3, requires_grad=True)
    x = T.arange(6.0).reshape(2, 3).requires_grad_().clone()
    x[0] = 1.0
    x[1] = w
    x[:, 2] = w[0] * 3
    x.sum().backward()
    return [observe(x), w.grad.tolist()]


def s_views_see_each_other(T):
    x = T.zeros(2, 3)
    row, col = x[0], x[:, 1]
    row.fill_(5)
    col.add_(1)
    x.t()[2, 1] = -1.0
    return [x.tolist(), row.tolist(), col.tolist()]


def s_base_modified_regenerates_views(T):
    w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = w * 1
    v = a[1:]
    u = a.view(3, 1)
    a.mul_(2)
    out = [observe(v), observe(u)]
    (v.sum() + u.sum()).backward()
    return out + [w.grad.tolist()]


def s_view_modified_regenerates_siblings(T):
    w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = w * 1
    v, u = a[:2], a[1:]
    v.mul_(w[:2])
    out = [observe(a), observe(v), observe(u)]
    (a.sum() + u.sum() * 2).backward()
    return out + [w.grad.tolist()]


def s_value_into_plain_tensor(T):
    w = T.tensor([1.0, 2.0], requires_grad=True)
    x = T.zeros(3)
    v = x[:2]
    v.copy_(w * 3)
    out = [observe(x), observe(v)]
    x.sum().backward()
    return out + [w.grad.tolist()]


def s_copy_into_base(T):
    w = T.ones(3, requires_grad=True)
    x = T.zeros(3)
    v = x[:2]
    x.copy_(w)
    out = [observe(x), observe(v)]
    v.sum().backward()
    return out + [w.grad.tolist()]


def s_no_grad_view_then_inplace(T):
    w = T.ones(3, requires_grad=True)
    with T.no_grad():
        v = w[:1]
    return [observe(v), _try(lambda: v.mul_(2))]


def s_multi_output_view(T):
    w = T.ones(3, requires_grad=True)
    parts = w.clone().unbind(0)
    pieces = w.clone().split(1)
    plain = T.ones(3).split(1)
    plain[0].mul_(2)
    return [_try(lambda: parts[0].mul_(2)), _try(lambda: pieces[0].add_(1)),
            plain[0].tolist()]


def s_detached_write(T):
    w = T.tensor([1.0, 2.0], requires_grad=True)
    doubled = w * 2
    frozen = doubled.detach()
    frozen[0] = 10.0
    return [observe(doubled), observe(frozen)]


def s_expanded_writes(T):
    results = []
    for write in (lambda e: e.fill_(1), lambda e: e.zero_(), lambda e: e.__setitem__(0, 2.0),
                  lambda e: e.index_put_((T.tensor([1]), T.tensor([2])), T.tensor(5.0)),
                  lambda e: e.masked_fill_(T.tensor([[True, False, False]] * 2), 7.0),
                  lambda e: e.__setitem__(Ellipsis, 1.0), lambda e: e.copy_(T.ones(3)),
                  lambda e: e.add_(1), lambda e: e.fill_(T.tensor(2.0))):
        x = T.zeros(3)
        expanded = x.expand(2, 3)
        outcome = _try(lambda write=write, e=expanded: write(e))
        results.append((outcome if isinstance(outcome, str) else None, x.tolist()))
    return results


def s_out(T):
    results = []
    out = T.zeros(2)
    results.append(T.add(T.ones(3), 1, out=out) is out)
    results.append(out.tolist())
    base = T.zeros(6)
    T.add(T.ones(3), 1, out=base[::2])
    results.append(base.tolist())
    base = T.zeros(6)
    view = base[:2]
    T.add(T.ones(3), 1, out=view)
    results.append((base.tolist(), view.tolist()))
    transposed = T.zeros(3, 2).t()
    T.add(T.ones(2, 3), 1, out=transposed)
    results.append(transposed.stride())
    results.append(T.stack([T.ones(2), T.ones(2)], out=T.zeros(0)).tolist())
    results.append(_try(lambda: T.add(T.ones(3), 1, out=T.zeros(3, requires_grad=True))))
    results.append(_try(lambda: T.add(T.ones(3, requires_grad=True), 1, out=T.zeros(3))))
    results.append(_try(lambda: T.add(T.ones(3, dtype=T.int64), 1, out=T.zeros(
        3, dtype=T.bool))))
    target = T.zeros(3, requires_grad=True)
    with T.no_grad():
        T.add(T.ones(3), 1, out=target)
    results.append(observe(target))
    return results


def s_resize(T):
    r = T.arange(6)
    rv = r.view(2, 3)
    results = [r.resize_(2).tolist(), rv.tolist()]
    t = T.arange(6.0).view(2, 3).t()
    results.append((t.resize_(2, 2).tolist(), t.stride()))
    t = T.arange(6.0).view(2, 3).t()
    results.append((t.resize_(3, 2).tolist(), t.stride()))
    tail = T.arange(6.0)[2:]
    results.append((tail.resize_(2).tolist(), tail.storage_offset()))
    e = T.arange(6.0)
    e.resize_(0)
    results.append(e.resize_(3).tolist())
    results.append(T.arange(6.0).resize_as_(T.ones(2, 1)).tolist())
    results.append(_try(lambda: T.ones(2, requires_grad=True).clone().resize_(3)))
    return results


def s_fill_and_zero(T):
    grid = T.ones(2, 3)
    results = [grid.fill_(7).tolist(), grid.zero_().tolist(), grid[0].fill_(2.5).tolist(),
               grid.tolist()]
    results.append(T.zeros(2, dtype=T.int64).fill_(3.9).tolist())
    results.append(T.zeros(2, dtype=T.uint8).fill_(-1).tolist())
    results.append(T.zeros(2, dtype=T.bool).fill_(0.5).tolist())
    results.append(_try(lambda: T.ones(2).fill_(T.ones(1))))
    w = T.ones(3, requires_grad=True)
    x = w * 1
    x.fill_(w[0] * 2)
    results.append(observe(x))
    x.sum().backward()
    results.append(w.grad.tolist())
    return results


def s_copy(T):
    results = []
    d = T.zeros(2, 3)
    results.append(d.copy_(T.tensor([1, 2, 3])).tolist())
    results.append(d.copy_(T.tensor([[7.5], [8.5]])).tolist())
    results.append(T.zeros(2, dtype=T.int64).copy_(T.tensor([1.9, -2.9])).tolist())
    results.append(T.zeros(2).copy_(1).tolist())
    results.append(_try(lambda: T.ones(2).copy_(T.ones(3))))
    results.append(_try(lambda: T.ones(2).copy_(T.ones(2, 2))))
    w = T.ones(3, requires_grad=True)
    x = T.zeros(3, dtype=T.float64)
    x.copy_(w * 2)
    results.append(observe(x))
    x.sum().backward()
    results.append(w.grad.tolist())
    return results


def s_inplace_shape(T):
    results = []
    m = T.tensor([[1, 2, 3], [4, 5, 6]])
    results.append((m.t_().tolist(), m.stride()))
    m = T.zeros(2, 1, 3)
    results.append((m.squeeze_().shape, m.unsqueeze_(0).shape, m.transpose_(0, 2).shape,
                    m.stride(), m.swapaxes_(0, 1).shape, m.squeeze_(1).shape))
    w = T.ones(2, 3, requires_grad=True)
    a = w * 2
    a.t_()
    a.unsqueeze_(1)
    results.append(observe(a))
    (a * T.arange(6.0).view(3, 1, 2)).sum().backward()
    results.append(w.grad.tolist())
    return results


def s_augmented(T):
    a = T.tensor([1.0, 2.0])
    alias = a
    a += 1
    a -= 0.5
    a *= 4
    a /= 2
    b = T.tensor([5, 7])
    b //= 2
    c = T.tensor([5, 7])
    c %= 3
    d = T.tensor([2.0, 3.0])
    d **= 2
    e = T.tensor([True, False])
    e |= T.tensor([False, True])
    return [a is alias, a.tolist(), b.tolist(), c.tolist(), d.tolist(), e.tolist(),
            _try(lambda: T.tensor([1, 2]).__itruediv__(2))]


def s_slice_assign_keeps_identity(T):
    totals = T.zeros(3)
    alias = totals
    totals[:] = totals + T.tensor([1.0, 2.0, 3.0])
    totals[:] = totals * 2
    return [alias.tolist(), totals is alias]


def s_retain_grad_through_inplace(T):
    x = T.ones(3, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.add_(1)
    y.sum().backward()
    return [x.grad.tolist(), y.grad.tolist()]


def s_loop_writes(T):
    a = T.arange(4.0).requires_grad_()
    b = a * 1
    for i in range(1, 4):
        b[i] = b[i - 1] * (i + 1)
    b.sum().backward()
    return [observe(b), a.grad.tolist()]


def s_double_backward_through_copy_slices(T):
    w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w * w
    y[1:] = w[1:] * w[:2]
    (g,) = T.autograd.grad(y.sum(), w, create_graph=True)
    (gg,) = T.autograd.grad(g.sum(), w)
    return [g.tolist(), gg.tolist()]


SCENARIOS = [(name[2:], fn) for name, fn in sorted(globals().items())
             if name.startswith("s_") and callable(fn)]


@pytest.mark.parametrize("case", SCENARIOS, ids=[c[0] for c in SCENARIOS])
def test_inplace_scenario_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, fn = case
    assert fn(G) == fn(torch)


@pytest.mark.parametrize("case", SCENARIOS, ids=[c[0] for c in SCENARIOS])
def test_inplace_scenario_runs(case):
    _, fn = case
    fn(G)


# ================================================================ gradcheck
def _input(shape, seed):
    rng = np.random.default_rng(seed)
    return Tensor._make(rng.standard_normal(shape), dt.float64, requires_grad=True)


def _through_view(x, v):
    y = x * 1
    y[1:, ::2] = v
    return y


def _mul_into_view(x, v):
    y = x * 1
    y[0].mul_(v)
    return y


def _view_after_base_changes(x, v):
    y = x * 1
    view = y[:, 1]
    y.mul_(v)
    return view


def _chain_of_writes(x, v):
    y = x.clone()
    y[0] = x[1] * v
    y[:, 0] = v.sum()
    return y


def _copy_into_view(x, v):
    y = x * 1
    y.t()[1].copy_(v)
    return y


def _index_put_into_view(x, v):
    y = x * 1
    y[0].index_put_((G.tensor([2, 0]),), v[:2])
    return y


# (op name, fn(*inputs), input shapes)
GRADCHECK_CASES = [
    ("setitem", _through_view, [(3, 3), (2, 2)]),
    ("setitem", _chain_of_writes, [(2, 3), (3,)]),
    ("mul", _mul_into_view, [(2, 3), (3,)]),
    ("mul", _view_after_base_changes, [(2, 3), (3,)]),
    ("copy_", _copy_into_view, [(2, 3), (2,)]),
    ("index_put", _index_put_into_view, [(2, 3), (3,)]),
]


@pytest.mark.parametrize("case", GRADCHECK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK_CASES)])
def test_inplace_gradcheck(case):
    _, fn, shapes = case
    inputs = tuple(_input(shape, seed) for seed, shape in enumerate(shapes))

    def cloned(*args):
        return fn(*args).clone()
    assert gradcheck(cloned, inputs)
    assert gradgradcheck(cloned, inputs)
