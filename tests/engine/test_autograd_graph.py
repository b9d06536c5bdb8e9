"""torch.autograd.functional's vector products, torch.autograd.graph (node hooks,
metadata, saved-tensor hooks, multi-grad hooks), post-accumulate-grad hooks,
inference tensors, torch.accelerator and the default device."""

import numpy as np
import pytest

from gradcli.api import torch as api
from gradcli.engine import FUNCTIONS as torch_fns
from gradcli.engine import autograd as ag
from gradcli.engine import dtypes as dt

TORCH = api.build()["torch"]
F = TORCH.autograd.functional
G = TORCH.autograd.graph
tensor = torch_fns["tensor"]
ones = torch_fns["ones"]


def leaf(values, dtype=dt.float64):
    return tensor(values, dtype=dtype, requires_grad=True)


def close(t, expected):
    return np.allclose(t._data, np.asarray(expected, dtype=float))


# ------------------------------------------------------------- vjp jvp hvp vhp
def test_vjp_and_jvp_of_an_elementwise_square():
    x = tensor([1.0, 2.0, 3.0], dtype=dt.float64)
    v = tensor([1.0, 0.5, 0.25], dtype=dt.float64)
    out, g = F.vjp(lambda a: a ** 2, x, v)
    assert close(out, [1, 4, 9]) and close(g, [2, 2, 1.5])
    assert not out.requires_grad and not g.requires_grad
    out, g = F.jvp(lambda a: a ** 2, x, v)
    assert close(g, [2, 2, 1.5])


def test_jvp_agrees_with_the_jacobian_for_a_non_square_map():
    x = tensor([1.0, 2.0, 3.0], dtype=dt.float64)
    v = tensor([0.3, -1.0, 2.0], dtype=dt.float64)

    def f(a):
        return torch_fns["stack"]([a[0] * a[1], a[1].sin() * a[2]])

    jac = F.jacobian(f, x)
    assert close(F.jvp(f, x, v)[1], jac._data @ v._data)
    w = tensor([2.0, -1.0], dtype=dt.float64)
    assert close(F.vjp(f, x, w)[1], w._data @ jac._data)


def test_hvp_and_vhp_match_the_hessian():
    x = tensor([0.5, -1.0, 2.0], dtype=dt.float64)
    v = tensor([1.0, 2.0, 3.0], dtype=dt.float64)

    def f(a):
        return (a[0] * a[1] * a[2] + (a ** 3).sum())

    hess = F.hessian(f, x)._data
    out, hv = F.hvp(f, x, v)
    assert close(out, f(x)._data)
    assert close(hv, hess @ v._data)
    assert close(F.vhp(f, x, v)[1], v._data @ hess)


def test_structure_follows_the_tuples_of_inputs_and_outputs():
    x = tensor([1.0, 2.0])
    out, g = F.vjp(lambda a, b: (a * b, a + b), (x, x), (ones(2), ones(2)))
    assert isinstance(out, tuple) and len(out) == 2
    assert isinstance(g, tuple) and close(g[0], [2, 3]) and close(g[1], [2, 3])
    out, g = F.jvp(lambda a, b: (a * b, a + b), (x, x), (ones(2), ones(2)))
    assert isinstance(g, tuple) and close(g[0], [2, 4]) and close(g[1], [2, 2])
    out, g = F.hvp(lambda a, b: (a * b).sum(), (x, x), (ones(2), ones(2)))
    assert out.ndim == 0 and isinstance(g, tuple) and close(g[0], [1, 1])


def test_v_may_be_omitted_only_for_one_element():
    s = tensor(2.0)
    assert close(F.jvp(lambda a: a * 3, s)[1], 3)
    assert close(F.vjp(lambda a: a * 3, s)[1], 3)
    assert close(F.hvp(lambda a: a ** 3, s)[1], 12)
    with pytest.raises(RuntimeError, match="without v"):
        F.vjp(lambda a: a * 2, tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="shape"):
        F.vjp(lambda a: a * 2, s, ones(2))


def test_unused_inputs_give_zeros_unless_strict():
    x = tensor([1.0, 2.0])
    assert close(F.vjp(lambda a: a.detach() * 2, x, ones(2))[1], [0, 0])
    with pytest.raises(RuntimeError, match="strict"):
        F.vjp(lambda a: a.detach(), x, ones(2), strict=True)
    with pytest.raises(RuntimeError, match="single tensor"):
        F.hvp(lambda a: a * 2, x, ones(2))


def test_create_graph_keeps_results_differentiable():
    x = leaf([1.0, 2.0])
    out, g = F.vjp(lambda a: a ** 3, x, ones(2, dtype=dt.float64), create_graph=True)
    assert out.grad_fn.name() == "PowBackward0"
    assert g.requires_grad
    g.sum().backward()
    assert close(x.grad, [6, 12])  # d/dx of 3x^2


# ------------------------------------------------------------------ node hooks
def test_hook_order_on_a_node_and_on_its_leaf():
    x = leaf([1.0, 2.0])
    y = x * 2
    log = []
    y.register_hook(lambda g: log.append("tensor"))
    y.grad_fn.register_prehook(lambda go: log.append(("pre", len(go))))
    y.grad_fn.register_hook(lambda gi, go: log.append(("post", gi[1], len(go))))
    acc = y.grad_fn.next_functions[0][0]
    acc.register_prehook(lambda go: log.append("leaf pre"))
    acc.register_hook(lambda gi, go: log.append(("leaf post", gi)))
    x.register_post_accumulate_grad_hook(lambda t: log.append(("accumulated", t.grad.tolist())))
    y.sum().backward()
    assert log == ["tensor", ("pre", 1), ("post", None, 1), "leaf pre",
                   ("accumulated", [2.0, 2.0]), ("leaf post", ())]


def test_hooks_replace_gradients_and_handles_remove_them():
    x = leaf([1.0, 2.0])
    y = x * 3
    handle = y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
    assert close(ag.grad(y.sum(), x, retain_graph=True)[0], [30, 30])
    handle.remove()
    handle = y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, None))
    assert close(ag.grad(y.sum(), x, retain_graph=True)[0], [4, 4])
    handle.remove()
    assert close(ag.grad(y.sum(), x)[0], [3, 3])


def test_a_hook_returning_the_wrong_number_of_gradients_is_an_error():
    x = leaf([1.0])
    y = x * 3
    y.grad_fn.register_hook(lambda gi, go: (gi[0],))
    with pytest.raises(RuntimeError, match="returned 1"):
        y.sum().backward()


def test_metadata_is_kept_per_node_and_node_is_an_abstract_class():
    x = leaf([1.0])
    y = x * 2
    y.grad_fn.metadata["k"] = 1
    assert y.grad_fn.metadata == {"k": 1}
    assert (x * 2).grad_fn.metadata == {}
    assert isinstance(y.grad_fn, G.Node)
    assert isinstance(y.grad_fn.next_functions[0][0], G.Node)
    assert not isinstance(x, G.Node)
    assert repr(G.Node) == "<class 'torch.autograd.graph.Node'>"


def test_post_accumulate_grad_hook_needs_a_leaf_that_requires_grad():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="requires grad"):
        tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t is x))
    ag.grad((x * 2).sum(), x)  # grad() accumulates nothing, so the hook stays quiet
    (x * 2).sum().backward()
    assert seen == [True]


def test_multi_grad_hook_all_and_any():
    a, b, c = leaf([1.0]), leaf([2.0]), leaf([3.0])
    calls = []
    handle = G.register_multi_grad_hook((a, b, c), lambda grads: calls.append(
        [None if g is None else g.item() for g in grads]))
    (a * b).sum().backward()
    (a * b * c).sum().backward()
    handle.remove()
    (a * b).sum().backward()
    assert calls == [[2.0, 1.0, None], [6.0, 3.0, 2.0]]
    firsts = []
    G.register_multi_grad_hook((a, b), lambda g: firsts.append(g.item()), mode="any")
    (a * b).sum().backward()
    assert len(firsts) == 1
    with pytest.raises(ValueError, match="mode"):
        G.register_multi_grad_hook((a,), print, mode="some")


# ------------------------------------------------------------ saved tensors
def test_saved_tensors_hooks_pack_at_forward_and_unpack_at_backward():
    a = leaf([1.0, 2.0])
    log = []

    def pack(t):
        log.append(("pack", t.grad_fn.name() if t.grad_fn else "leaf"))
        return t.detach() * 2

    def unpack(p):
        log.append("unpack")
        return p / 2

    with G.saved_tensors_hooks(pack, unpack):
        y = a.exp()
        w = y.sin()
    assert log == [("pack", "ExpBackward0"), ("pack", "ExpBackward0")]
    w.sum().backward()
    assert log[2:] == ["unpack", "unpack"]
    expected = np.cos(np.exp([1.0, 2.0])) * np.exp([1.0, 2.0])
    assert close(a.grad, expected)


def test_disable_saved_tensors_hooks_refuses_hooks_with_its_message():
    with G.disable_saved_tensors_hooks("not here"), pytest.raises(RuntimeError,
                                                                   match="not here"):
        G.saved_tensors_hooks(lambda t: t, lambda t: t).__enter__()
    with G.saved_tensors_hooks(lambda t: t, lambda t: t), pytest.raises(RuntimeError,
                                                                         match="off"):
        G.disable_saved_tensors_hooks("off").__enter__()
    with G.saved_tensors_hooks(lambda t: t, lambda t: t):  # nothing left behind
        pass


def test_allow_mutation_on_saved_tensors_uses_the_values_at_save_time():
    x = leaf([1.0, 2.0])
    with G.allow_mutation_on_saved_tensors():
        y = x.clone()
        z = y * y
        y.mul_(10)
        z.sum().backward()
    assert close(x.grad, [2, 4])
    y = x.clone()
    z = y * y
    y.mul_(10)
    with pytest.raises(RuntimeError, match="in-place"):
        z.sum().backward()


# --------------------------------------------------- inference and devices
def test_inference_tensors():
    x = ones(2, requires_grad=True)
    with TORCH.inference_mode():
        assert TORCH.is_inference_mode_enabled()
        y = x * 2
        with TORCH.inference_mode(False):
            assert not ones(1).is_inference()
    assert not TORCH.is_inference_mode_enabled()
    assert y.is_inference() and TORCH.is_inference(y) and not x.is_inference()
    assert not y.requires_grad
    with pytest.raises(RuntimeError, match="version"):
        _ = y._version
    assert y.clone()._version == 0

    @TORCH.inference_mode()
    def make():
        return ones(1)

    assert make().is_inference()


def test_inference_tensors_refuse_saving_and_in_place_changes_outside():
    x = ones(2, requires_grad=True)
    with TORCH.inference_mode():
        y = ones(2)
        y.add_(1)  # inside inference mode: allowed
    assert close(x + y, [3, 3])  # add saves nothing
    with pytest.raises(RuntimeError, match="saved"):
        x * y
    with pytest.raises(RuntimeError, match="in place"):
        y.mul_(2)
    assert close(y, [4, 4])  # written, then refused, as in PyTorch
    z = y.clone()
    z.mul_(2)
    assert z._version == 1 and not z.is_inference()


def test_accelerator_and_default_device_answer_cpu():
    assert TORCH.accelerator.is_available() is False
    assert TORCH.accelerator.device_count() == 0
    assert TORCH.accelerator.current_accelerator() is None
    assert repr(TORCH.get_default_device()) == "device(type='cpu')"
    TORCH.set_default_device("cpu")
    TORCH.set_default_device(None)
    with pytest.raises(RuntimeError, match="CPU only"):
        TORCH.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="accelerator"):
        TORCH.accelerator.current_device_index()
