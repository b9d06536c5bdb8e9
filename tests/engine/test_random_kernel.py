"""The random kernel reproduces PyTorch 2.13's CPU generator bit for bit.

Tables and checks:

- ``data/random_fixtures.json`` (written by ``tools/record_random_fixtures.py``
  from torch): every sampler at sizes 1, 7, 15, 16, 17, 100 and 10000, its
  dtypes, three seeds; values compared byte for byte (large sizes by sha256
  plus head and tail) and the generator state afterwards by sha256;
- an interleaved program recorded the same way, the stream carried across
  samplers (cached normal samples included);
- state bytes: seeds, a recorded torch state set into gradcli's generator,
  round trips, invalid states;
- the exact fused multiply-add helpers the float kernels rely on;
- when torch is installed, live comparisons of the state bytes both ways.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import random
from fractions import Fraction

import numpy as np
import pytest
from random_recipes import recipe

from gradcli.engine.kernels import random as rk

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "random_fixtures.json")
                  .read_text(encoding="utf-8"))


# op -> our call (generator, size, dtype name, recorded params)
OURS = {
    "rand": lambda g, n, d, p: g.rand(n, d),
    "randn": lambda g, n, d, p: g.randn(n, d),
    "uniform": lambda g, n, d, p: g.uniform(n, p["low"], p["high"], d),
    "normal": lambda g, n, d, p: g.normal(p["mean"], p["std"], n, d),
    "normal_tensor_tensor": lambda g, n, d, p: g.normal(recipe("arange", n, d),
                                                        recipe("stds", n, d)),
    "normal_tensor_float": lambda g, n, d, p: g.normal(recipe("arange", n, d), p["std"]),
    "normal_float_tensor": lambda g, n, d, p: g.normal(p["mean"], recipe("stds", n, d)),
    "randint": lambda g, n, d, p: g.randint(p["low"], p["high"], n, d),
    "randint_wide": lambda g, n, d, p: g.randint(p["low"], p["high"], n, d),
    "random": lambda g, n, d, p: g.random(n, dtype=d),
    "random_from_to": lambda g, n, d, p: g.random(n, p["low"], p["high"], d),
    "random_from": lambda g, n, d, p: g.random(n, p["low"], None, d),
    "randperm": lambda g, n, d, p: g.randperm(n, d),
    "exponential": lambda g, n, d, p: g.exponential(n, p["lambd"], d),
    "cauchy": lambda g, n, d, p: g.cauchy(n, p["median"], p["sigma"], d),
    "log_normal": lambda g, n, d, p: g.log_normal(n, p["mean"], p["std"], d),
    "geometric": lambda g, n, d, p: g.geometric(n, p["p"], d),
    "bernoulli_scalar": lambda g, n, d, p: g.bernoulli(p["p"], n, d),
    "bernoulli_tensor": lambda g, n, d, p: g.bernoulli(recipe("probs", n, d)),
    "dropout": lambda g, n, d, p: recipe("arange", n, d) * g.dropout_mask(n, p["p"], d),
    "multinomial": lambda g, n, d, p: g.multinomial(recipe("weights", n, d),
                                                    min(n, p["num_samples"])),
    "multinomial_sparse": lambda g, n, d, p: g.multinomial(recipe("sparse", n, d), n),
    "multinomial_replacement": lambda g, n, d, p: g.multinomial(recipe("weights", n, d),
                                                                p["num_samples"], True),
    "multinomial_2d": lambda g, n, d, p: g.multinomial(recipe("weights2d", n, d),
                                                       min(n, p["num_samples"])),
    "multinomial_2d_replacement": lambda g, n, d, p: g.multinomial(recipe("weights2d", n, d),
                                                                   p["num_samples"], True),
    "poisson": lambda g, n, d, p: g.poisson(recipe("rates", n, d)),
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mismatch(values: np.ndarray, record: dict) -> str | None:
    """Why ``values`` differs from a recorded array, or None when they are identical."""
    values = np.asarray(values)
    if str(values.dtype) != record["dtype"] or list(values.shape) != record["shape"]:
        return f"got {values.dtype}{list(values.shape)}, want {record['dtype']}{record['shape']}"
    flat = np.ascontiguousarray(values).astype(values.dtype.newbyteorder("<")).reshape(-1)
    if "hex" in record:
        want = np.frombuffer(bytes.fromhex(record["hex"]), dtype=flat.dtype)
        differs = (flat.view(np.uint8).reshape(flat.size, -1)
                   != want.view(np.uint8).reshape(want.size, -1)).any(axis=1)
        if differs.any():
            bad = np.flatnonzero(differs)
            return f"values differ at {bad[:5].tolist()}: got {flat[bad[:3]]}, want {want[bad[:3]]}"
        return None
    edge = len(bytes.fromhex(record["head"])) // flat.itemsize
    if flat[:edge].tobytes().hex() != record["head"]:
        return "first values differ"
    if flat[-edge:].tobytes().hex() != record["tail"]:
        return "last values differ"
    if sha(flat.tobytes()) != record["sha256"]:
        return "sha256 of the values differs"
    return None


GROUPS = sorted({(case["op"], case["dtype"]) for case in DATA["cases"]})


def test_fixtures_cover_every_sampler_size_and_seed():
    assert {op for op, _ in GROUPS} == set(OURS)
    assert set(DATA["sizes"]) >= {1, 7, 15, 16, 17, 100, 10000}
    assert len(DATA["seeds"]) >= 3
    for op, dtypes in DATA["ops"].items():
        if op.startswith(("rand", "normal", "uniform", "exponential", "cauchy", "log_normal")) \
                and op not in ("randint", "randint_wide", "randperm", "random_from_to",
                               "random_from"):
            assert {"float32", "float64"} <= set(dtypes), op


@pytest.mark.parametrize(("op", "dtype"), GROUPS, ids=[f"{op}-{d}" for op, d in GROUPS])
def test_sampler_matches_recorded_pytorch(op, dtype):
    g = rk.Generator()
    failures = []
    for case in DATA["cases"]:
        if (case["op"], case["dtype"]) != (op, dtype):
            continue
        g.manual_seed(case["seed"])
        why = mismatch(OURS[op](g, case["n"], dtype, case["params"]), case["result"])
        if why is None and sha(g.get_state()) != case["state_sha256"]:
            why = "generator state afterwards differs (stream consumed differently)"
        if why:
            failures.append(f"n={case['n']} seed={case['seed']}: {why}")
    assert failures == []


def test_interleaved_samplers_continue_pytorchs_stream():
    g = rk.Generator()
    seed = None
    for i, step in enumerate(DATA["sequence"]["steps"]):
        if step["seed"] != seed:
            seed = step["seed"]
            g.manual_seed(seed)
        out = OURS[step["op"]](g, step["n"], step["dtype"], step["params"])
        assert mismatch(out, step["result"]) is None, (i, step["op"])
        assert sha(g.get_state()) == step["state_sha256"], (i, step["op"])


@pytest.mark.parametrize("seed", sorted(DATA["states"]["seeds"], key=int))
def test_manual_seed_state_and_initial_seed(seed):
    want = DATA["states"]["seeds"][seed]
    g = rk.Generator(int(seed))
    assert g.initial_seed() == want["initial_seed"]
    assert sha(g.get_state()) == want["state_sha256"]
    assert len(g.get_state()) == rk.STATE_SIZE == 5056


def test_a_recorded_torch_state_with_a_cached_normal_continues():
    record = DATA["states"]["cached_normal"]
    g = rk.Generator(0)
    g.set_state(bytes.fromhex(record["state_hex"]))
    assert g.get_state().hex() == record["state_hex"]
    assert g.initial_seed() == 5
    assert mismatch(g.randn(5, np.float64), record["next_randn_float64_5"]) is None
    assert sha(g.get_state()) == record["state_sha256_after"]


def draw_a_bit_of_everything(g: rk.Generator) -> list[np.ndarray]:
    return [g.rand(5), g.randn(3, np.float64), g.randn(40), g.randint(0, 9, (4,)),
            g.randperm(6), g.poisson(np.array([2.0, 30.0], np.float32)), g.log_normal(3),
            g.random(700, dtype=np.int64), g.multinomial(np.array([1.0, 2.0, 3.0]), 2)]


def test_get_state_set_state_round_trip():
    g = rk.Generator(123)
    g.randn(1)  # leaves a cached normal sample
    state = g.get_state()
    first = draw_a_bit_of_everything(g)
    g.set_state(state)
    assert g.get_state() == state
    again = draw_a_bit_of_everything(g)
    for a, b in zip(first, again):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    other = rk.Generator(0)
    other.set_state(bytearray(state))
    assert other.get_state() == state
    other.set_state(np.frombuffer(state, dtype=np.uint8))
    assert other.get_state() == state


def test_seeds_map_like_pytorch():
    assert rk.Generator(-1).initial_seed() == 2**64 - 1
    assert rk.Generator(2**32 + 3).get_state()[24:32] == (3).to_bytes(8, "little")
    assert rk.Generator().initial_seed() == rk.DEFAULT_SEED
    for bad in (2**64, -2**63 - 1):
        with pytest.raises(ValueError):
            rk.Generator(bad)
    g = rk.Generator(None)
    seed = g.seed()
    assert 0 <= seed < 2**64 and g.initial_seed() == seed


def test_invalid_states_are_rejected():
    g = rk.Generator(0)
    with pytest.raises(ValueError, match="size"):
        g.set_state(bytes(5048))
    with pytest.raises(ValueError, match="Invalid mt19937 state"):
        g.set_state(bytes(5056))  # not seeded
    state = bytearray(g.get_state())
    state[8:12] = (700).to_bytes(4, "little")  # left > 624
    with pytest.raises(ValueError, match="Invalid mt19937 state"):
        g.set_state(bytes(state))


def test_empty_draws_consume_nothing():
    g = rk.Generator(0)
    state = g.get_state()
    for out in (g.rand(0), g.randn(0), g.randn((0, 3), np.float64), g.randperm(0),
                g.exponential(0), g.bernoulli(0.5, 0), g.randint(0, 3, 0)):
        assert out.size == 0
    assert g.get_state() == state


def exact_fma(a: float, b: float, c: float) -> Fraction:
    return Fraction(a) * Fraction(b) + Fraction(c)


def round_to_float32(exact: Fraction) -> np.float32:
    """The float32 nearest to ``exact``, ties to even (a reference, by brute force)."""
    guess = np.float32(float(exact))
    candidates = [guess, np.nextafter(guess, np.float32(np.inf)),
                  np.nextafter(guess, np.float32(-np.inf))]
    return min(candidates, key=lambda v: (abs(Fraction(float(v)) - exact),
                                          int(v.view(np.int32)) & 1))


def test_float32_fma_is_rounded_once():
    rng = random.Random(5)
    a = [rng.uniform(-2, 2) for _ in range(2000)] + [1.0 + 2**-23, 3.0, 1.5]
    b = [rng.uniform(-2, 2) for _ in range(2000)] + [1.0 + 2**-23, 2**-26, 2**-24 + 2**-47]
    c = [rng.uniform(-1, 1) * 2.0 ** rng.randint(-40, 2) for _ in range(2000)] + [-1.0, 1.0, 1.0]
    a, b, c = (np.array(v, dtype=np.float32) for v in (a, b, c))
    got = rk._fma32(a, b, c)
    for x, y, z, r in zip(a.tolist(), b.tolist(), c.tolist(), got):
        assert r == round_to_float32(exact_fma(x, y, z)), (x, y, z)


def test_float64_fma_is_rounded_once():
    rng = random.Random(6)
    a = np.array([rng.uniform(-3, 3) for _ in range(3000)] + [1.0 + 2**-52])
    b = np.array([rng.uniform(-3, 3) for _ in range(3000)] + [1.0 - 2**-53])
    c = np.array([rng.uniform(-1, 1) * 2.0 ** rng.randint(-60, 3) for _ in range(3000)] + [-1.0])
    got = rk._fma64(a, b, c)
    for x, y, z, r in zip(a.tolist(), b.tolist(), c.tolist(), got.tolist()):
        assert r == float(exact_fma(x, y, z)), (x, y, z)  # Fraction -> float rounds once


# -------------------------------------------------------------- live, when torch is there
def test_state_bytes_equal_torch_along_a_program():
    torch = pytest.importorskip("torch")
    g = rk.Generator()
    steps = [(lambda: g.rand(3), lambda: torch.rand(3)),
             (lambda: g.randn(5), lambda: torch.randn(5)),
             (lambda: g.randn(33, np.float64), lambda: torch.randn(33, dtype=torch.float64)),
             (lambda: g.randint(-4, 2**31, (6,)), lambda: torch.randint(-4, 2**31, (6,))),
             (lambda: g.bernoulli(0.7, (2, 3)), lambda: torch.empty(2, 3).bernoulli_(0.7)),
             (lambda: g.randperm(12), lambda: torch.randperm(12))]
    for seed in (0, 99, -5):
        g.manual_seed(seed)
        torch.manual_seed(seed)
        assert g.get_state() == torch.get_rng_state().numpy().tobytes()
        for ours, theirs in steps:
            assert ours().tobytes() == theirs().numpy().tobytes()
            assert g.get_state() == torch.get_rng_state().numpy().tobytes()


def test_states_travel_between_torch_and_gradcli():
    torch = pytest.importorskip("torch")
    torch.manual_seed(11)
    torch.randn(7)  # caches a normal sample
    g = rk.Generator(0)
    g.set_state(torch.get_rng_state().numpy().tobytes())
    assert g.randn(9).tobytes() == torch.randn(9).numpy().tobytes()
    g.randn(1, np.float64)
    g.rand(1000)
    torch.set_rng_state(torch.from_numpy(np.frombuffer(g.get_state(), np.uint8).copy()))
    assert g.randn(3, np.float64).tobytes() == torch.randn(3, dtype=torch.float64).numpy().tobytes()
    assert g.get_state() == torch.get_rng_state().numpy().tobytes()
