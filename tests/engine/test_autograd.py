"""The backward pass: graph walking, accumulation, hooks, freeing, errors, grad()."""

import time

import numpy as np
import pytest

from gradcli.engine import FUNCTIONS as torch_fns
from gradcli.engine import autograd as ag
from gradcli.engine import dtypes as dt

tensor = torch_fns["tensor"]
ones = torch_fns["ones"]

GRADCHECK_CASES = [
    ("clone", lambda x: x.clone() * x, [(3,)]),
]


def leaf(values, dtype=dt.float32):
    return tensor(values, dtype=dtype, requires_grad=True)


def test_chain_of_100000_nodes_backpropagates_iteratively():
    x = leaf(1.0, dt.float64)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    start = time.perf_counter()
    y.backward()
    elapsed = time.perf_counter() - start
    assert x.grad.item() == 1.0
    assert elapsed < 60
    del y  # freeing a long chain must not overflow the C stack either


def test_gradients_accumulate_in_place_across_backward_calls():
    x = leaf([1.0, 2.0])
    first = None
    for _ in range(3):
        (x * x).sum().backward()
        first = x.grad if first is None else first
    assert x.grad is first
    assert x.grad.tolist() == [6.0, 12.0]


def test_second_backward_through_freed_graph_is_an_error():
    x = leaf([1.0, 2.0])
    y = (x * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp()).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert np.allclose(x.grad._data, 2 * np.exp([1.0, 2.0]))


def test_nodes_that_save_nothing_can_be_walked_twice():
    x = leaf([1.0, 2.0])
    y = x + 1
    y.sum().backward()
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_inplace_change_of_saved_tensor_fails_at_backward():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = y.exp()
    w = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        w.sum().backward()
    z.sum().backward()  # exp saved its result, not y


def test_backward_needs_gradient_for_non_scalars():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"must have exactly one element, but it has shape \[2\]"):
        (x * 2).backward()


def test_backward_on_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ones(2).sum().backward()


def test_hooks_run_in_order_and_may_replace_the_gradient():
    x = leaf([1.0, 2.0])
    h = x * x
    seen = []
    h.register_hook(lambda g: seen.append(g.tolist()))
    h.register_hook(lambda g: g * 10)
    handle = x.register_hook(lambda g: g + 1)
    h.sum().backward()
    assert seen == [[1.0, 1.0]]
    assert x.grad.tolist() == [21.0, 41.0]
    handle.remove()
    x.grad = None
    h2 = x * 1
    h2.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_grad_returns_gradients_without_accumulating():
    x = leaf([1.0, 2.0])
    y = leaf([3.0, 4.0])
    (gx,) = ag.grad((x * y).sum(), x)
    assert gx.tolist() == [3.0, 4.0]
    assert x.grad is None and y.grad is None


def test_grad_of_unused_input_needs_allow_unused():
    x = leaf([1.0])
    unused = leaf([2.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad((x * 2).sum(), (x, unused))
    gx, gu = ag.grad((x * 2).sum(), (x, unused), allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_create_graph_gives_higher_derivatives():
    x = leaf(2.0, dt.float64)
    y = x ** 3
    (d1,) = ag.grad(y, x, create_graph=True)
    (d2,) = ag.grad(d1, x, create_graph=True)
    (d3,) = ag.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)


def test_no_grad_and_nested_modes():
    x = leaf([1.0])
    with ag.no_grad():
        assert not (x * 2).requires_grad
        with ag.enable_grad():
            assert (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


def test_next_functions_match_pytorch_shapes():
    x = leaf([1.0, 2.0])
    y = x * 2
    (node, nr), (const, cnr) = y.grad_fn.next_functions
    assert repr(node) == "<AccumulateGrad>" and node.variable is x and nr == 0
    assert const is None and cnr == 0
    assert y.grad_fn.name() == "MulBackward0"


def test_accumulate_grad_node_is_shared_while_alive():
    x = leaf([1.0])
    a, b = x * 2, x * 3
    assert a.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[0][0]


def test_requires_grad_only_for_floating_point():
    with pytest.raises(RuntimeError, match="only floating-point tensors can require grad"):
        tensor([1, 2], requires_grad=True)


def test_broadcast_gradients_are_reduced_to_input_shapes():
    a = leaf([[1.0], [2.0]])
    b = leaf([1.0, 2.0, 3.0])
    (a * b).sum().backward()
    assert a.grad.tolist() == [[6.0], [6.0]]
    assert b.grad.tolist() == [3.0, 3.0, 3.0]
