"""The torch-level random API draws PyTorch's exact CPU stream.

The kernel's own tests (test_random_kernel.py) check every sampler bit for bit
against recorded PyTorch output; here the torch surface is checked: argument
forms, dtypes, generators, states, gradients, errors, and (where PyTorch is
installed, as in CI) the same calls made through PyTorch, interleaved.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradcli.api import torch as api
from gradcli.engine import reset_state

G = api.build()["torch"]

SIZES = [1, 7, 15, 16, 17, 100, 10000]
FLOATS = ["float32", "float64"]


@pytest.fixture(autouse=True)
def fresh_engine():
    reset_state(0)


# ------------------------------------------------------------ known values
def test_a_program_starts_as_if_seeded_with_zero():
    assert G.randn(4).tolist() == pytest.approx([1.5410, -0.2934, -2.1788, 0.5684], abs=5e-5)


def test_manual_seed_zero_gives_pytorchs_numbers():
    G.manual_seed(0)
    assert G.rand(4).tolist() == pytest.approx([0.4963, 0.7682, 0.0885, 0.1320], abs=5e-5)
    G.manual_seed(0)
    assert G.randint(3, 5, (3,)).tolist() == [3, 4, 4]


def test_generators_are_independent_streams():
    g = G.Generator().manual_seed(0)
    first = G.rand(3, generator=g).tolist()
    G.rand(5)  # the default generator moves; g does not
    again = G.Generator().manual_seed(0)
    assert G.rand(3, generator=again).tolist() == first
    assert g.initial_seed() == 0
    assert G.Generator().initial_seed() == 67280421310721


def test_rng_state_round_trip():
    state = G.get_rng_state()
    assert (tuple(state.shape), str(state.dtype)) == ((5056,), "torch.uint8")
    a = G.randn(20)
    G.set_rng_state(state)
    assert G.equal(G.randn(20), a)


def test_in_place_samplers_record_zero_gradient_nodes():
    x = G.ones(3, requires_grad=True)
    y = x * 2
    for method, args, node in [("uniform_", (), "UniformBackward0"),
                               ("normal_", (), "NormalBackward0"),
                               ("random_", (0, 5), "RandomBackward0"),
                               ("bernoulli_", (0.5,), "BernoulliBackward2"),
                               ("geometric_", (0.5,), "GeometricBackward0")]:
        getattr(y, method)(*args)
        assert y.grad_fn.name() == node
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_errors_have_pytorchs_classes():
    with pytest.raises(NotImplementedError):
        G.rand(2, dtype=G.int64)
    with pytest.raises(RuntimeError):
        G.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError):
        G.randint(5, 3, (2,))
    with pytest.raises(RuntimeError):
        G.ones(3, requires_grad=True).uniform_()
    with pytest.raises(TypeError):
        G.manual_seed(1.5)


def test_dropout_follows_train_and_eval():
    layer = G.nn.Dropout(0.5)
    out = layer(G.ones(200))
    kept = out[out != 0]
    assert set(kept.tolist()) == {2.0} and 60 < kept.numel() < 140
    layer.eval()
    assert G.equal(layer(G.ones(5)), G.ones(5))


# ---------------------------------------------------------- against PyTorch
def _calls(T, size: int, dtype: str):
    """The same sampler calls, for gradcli (T=G) or PyTorch (T=torch)."""
    d = getattr(T, dtype)
    x = T.empty(size, dtype=d)
    probs = (T.arange(size, dtype=d) + 1) / (size + 1)  # in (0, 1), the same bits in both
    return [
        ("rand", lambda: T.rand(size, dtype=d)),
        ("randn", lambda: T.randn(size, dtype=d)),
        ("normal", lambda: T.normal(1.5, 2.0, (size,), dtype=d)),
        ("normal(t, t)", lambda: T.normal(probs, probs * 2)),
        ("randint", lambda: T.randint(-3, 1 << 30, (size,))),
        ("randperm", lambda: T.randperm(size)),
        ("uniform_", lambda: x.uniform_(-2, 3)),
        ("normal_", lambda: x.normal_(0.5, 3)),
        ("exponential_", lambda: x.exponential_(2.0)),
        ("cauchy_", lambda: x.cauchy_()),
        ("log_normal_", lambda: x.log_normal_()),
        ("geometric_", lambda: x.geometric_(0.3)),
        ("bernoulli_", lambda: x.bernoulli_(0.4)),
        ("bernoulli", lambda: T.bernoulli(probs)),
        ("random_", lambda: x.random_(0, 100)),
        ("multinomial", lambda: T.multinomial(probs, min(size, 5))),
        ("multinomial+r", lambda: T.multinomial(probs, 7, replacement=True)),
        ("poisson", lambda: T.poisson(probs * 4)),
        ("randn_like", lambda: T.randn_like(x)),
        ("dropout", lambda: T.nn.functional.dropout(T.ones(size, dtype=d), 0.3)),
    ]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("size", SIZES)
def test_interleaved_draws_match_pytorch(size, dtype):
    torch = pytest.importorskip("torch")
    torch.manual_seed(size)
    G.manual_seed(size)
    ours, theirs = _calls(G, size, dtype), _calls(torch, size, dtype)
    for (name, mine), (_, reference) in zip(ours, theirs):
        a, b = mine(), reference()
        assert str(a.dtype) == str(b.dtype), name
        assert np.array_equal(a._data, b.numpy(), equal_nan=True), name
    assert np.array_equal(G.get_rng_state()._data, torch.get_rng_state().numpy())


def test_linear_layers_start_with_pytorchs_weights():
    torch = pytest.importorskip("torch")
    torch.manual_seed(3)
    G.manual_seed(3)
    ours, theirs = G.nn.Linear(5, 4), torch.nn.Linear(5, 4)
    assert np.array_equal(ours.weight._data, theirs.weight.detach().numpy())
    assert np.array_equal(ours.bias._data, theirs.bias.detach().numpy())
