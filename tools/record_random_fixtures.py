#!/usr/bin/env python3
"""Developer tool: records PyTorch's CPU random numbers for the random kernel's tests.

Writes ``tests/engine/data/random_fixtures.json`` (or ``--out PATH``) from the
installed torch, so ``tests/engine/test_random_kernel.py`` can compare
gradcli's generator bit for bit where torch is absent.

Every case names an operation, its parameters, an input recipe (for samplers
that take arrays), a size, a dtype and a seed; the test replays the same case
on :class:`gradcli.engine.kernels.random.Generator`. Values are stored
losslessly as the hex of their little-endian bytes; for large sizes only the
sha256 of all bytes plus the first and last 20 values are kept. Each case
also stores the sha256 of ``torch.get_rng_state()`` afterwards, which checks
that the stream was consumed exactly.

usage: python tools/record_random_fixtures.py [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import sys

import numpy as np
import torch

# The case inputs are built by the same code the test uses.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "engine"))
from random_recipes import recipe

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "engine" / "data" / "random_fixtures.json"

SIZES = [1, 7, 15, 16, 17, 100, 10000]
SEEDS = [0, 7, 2**40 + 5]
FULL_LIMIT = 100  # sizes above this keep a hash plus head and tail
EDGE = 20

TORCH_DTYPES = {
    "float16": torch.float16, "float32": torch.float32, "float64": torch.float64,
    "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8,
    "uint8": torch.uint8, "bool": torch.bool,
}


def t(name: str, n: int, dtype: str) -> torch.Tensor:
    return torch.from_numpy(recipe(name, n, dtype))


# op -> (dtypes, params, torch call(n, dtype name, params))
FLOATS = ["float32", "float64"]
OPS = {
    "rand": (["float16", *FLOATS], {},
             lambda n, d, p: torch.rand(n, dtype=TORCH_DTYPES[d])),
    "randn": (["float16", *FLOATS], {},
              lambda n, d, p: torch.randn(n, dtype=TORCH_DTYPES[d])),
    "uniform": (FLOATS, {"low": -2.5, "high": 3.25},
                lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d]).uniform_(p["low"], p["high"])),
    "normal": (["float16", *FLOATS], {"mean": 1.5, "std": 2.5},
               lambda n, d, p: torch.normal(p["mean"], p["std"], (n,), dtype=TORCH_DTYPES[d])),
    "normal_tensor_tensor": (FLOATS, {"mean": "arange", "std": "stds"},
                             lambda n, d, p: torch.normal(t("arange", n, d), t("stds", n, d))),
    "normal_tensor_float": (FLOATS, {"mean": "arange", "std": 0.7},
                            lambda n, d, p: torch.normal(t("arange", n, d), p["std"])),
    "normal_float_tensor": (FLOATS, {"mean": 0.3, "std": "stds"},
                            lambda n, d, p: torch.normal(p["mean"], t("stds", n, d))),
    "randint": (["int64", "int32", "float32"], {"low": -3, "high": 100},
                lambda n, d, p: torch.randint(p["low"], p["high"], (n,), dtype=TORCH_DTYPES[d])),
    "randint_wide": (["int64", "float64"], {"low": -2**40, "high": 2**40},
                     lambda n, d, p: torch.randint(p["low"], p["high"], (n,),
                                                   dtype=TORCH_DTYPES[d])),
    "random": (["int64", "int32", "int16", "int8", "uint8", "bool", "float16", *FLOATS], {},
               lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d]).random_()),
    "random_from_to": (["int64", "int8", "float32"], {"low": -5, "high": 17},
                       lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d])
                       .random_(p["low"], p["high"])),
    "random_from": (["int64", "int32", "float64"], {"low": 5},
                    lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d]).random_(p["low"], None)),
    "randperm": (["int64"], {},
                 lambda n, d, p: torch.randperm(n, dtype=TORCH_DTYPES[d])),
    "exponential": (FLOATS, {"lambd": 1.5},
                    lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d]).exponential_(p["lambd"])),
    "cauchy": (FLOATS, {"median": 0.5, "sigma": 2.0},
               lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d])
               .cauchy_(p["median"], p["sigma"])),
    "log_normal": (FLOATS, {"mean": 0.5, "std": 0.75},
                   lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d])
                   .log_normal_(p["mean"], p["std"])),
    "geometric": (["int64", *FLOATS], {"p": 0.3},
                  lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d]).geometric_(p["p"])),
    "bernoulli_scalar": (["bool", *FLOATS], {"p": 0.3},
                         lambda n, d, p: torch.empty(n, dtype=TORCH_DTYPES[d]).bernoulli_(p["p"])),
    "bernoulli_tensor": (FLOATS, {"p": "probs"},
                         lambda n, d, p: torch.bernoulli(t("probs", n, d))),
    "dropout": (FLOATS, {"p": 0.3, "x": "arange"},
                lambda n, d, p: torch.nn.functional.dropout(t("arange", n, d), p["p"])),
    "multinomial": (FLOATS, {"probs": "weights", "num_samples": 5, "replacement": False},
                    lambda n, d, p: torch.multinomial(t("weights", n, d), min(n, 5))),
    "multinomial_sparse": (["float32"], {"probs": "sparse", "replacement": False},
                           lambda n, d, p: torch.multinomial(t("sparse", n, d), n)),
    "multinomial_replacement": (["float16", *FLOATS], {"probs": "weights", "num_samples": 7,
                                         "replacement": True},
                                lambda n, d, p: torch.multinomial(t("weights", n, d), 7, True)),
    "multinomial_2d": (FLOATS, {"probs": "weights2d", "num_samples": 4, "replacement": False},
                       lambda n, d, p: torch.multinomial(t("weights2d", n, d), min(n, 4))),
    "multinomial_2d_replacement": (FLOATS, {"probs": "weights2d", "num_samples": 9,
                                            "replacement": True},
                                   lambda n, d, p: torch.multinomial(t("weights2d", n, d), 9,
                                                                     True)),
    "poisson": (FLOATS, {"rates": "rates"},
                lambda n, d, p: torch.poisson(t("rates", n, d))),
}

# An interleaved program: (op, n, dtype) steps from one seed, the stream carried across.
SEQUENCE = [("rand", 3, "float32"), ("randn", 20, "float32"), ("randint", 5, "int64"),
            ("randn", 3, "float64"), ("randn", 100, "float32"), ("log_normal", 5, "float32"),
            ("randn", 1, "float32"), ("randperm", 10, "int64"), ("bernoulli_scalar", 4, "float32"),
            ("multinomial", 9, "float32"), ("poisson", 12, "float32"),
            ("normal_tensor_float", 6, "float32"), ("exponential", 17, "float64"),
            ("dropout", 33, "float32"), ("randn", 2, "float32"), ("uniform", 40, "float64"),
            ("geometric", 8, "int64"), ("cauchy", 3, "float32"), ("normal", 18, "float64")]


def encode(values: np.ndarray) -> dict:
    """A lossless (or, for large arrays, hashed) record of an array."""
    values = np.ascontiguousarray(values)
    little = values.astype(values.dtype.newbyteorder("<"), copy=False)
    record = {"dtype": str(values.dtype), "shape": list(values.shape)}
    flat = little.reshape(-1)
    if flat.size <= FULL_LIMIT:
        record["hex"] = flat.tobytes().hex()
    else:
        record["sha256"] = hashlib.sha256(flat.tobytes()).hexdigest()
        record["head"] = flat[:EDGE].tobytes().hex()
        record["tail"] = flat[-EDGE:].tobytes().hex()
    return record


def state_bytes() -> bytes:
    return torch.get_rng_state().numpy().tobytes()


def state_sha() -> str:
    return hashlib.sha256(state_bytes()).hexdigest()


def record_cases() -> list[dict]:
    cases = []
    for op, (dtypes, params, call) in OPS.items():
        for dtype in dtypes:
            for n in SIZES:
                for seed in SEEDS:
                    torch.manual_seed(seed)
                    out = call(n, dtype, params).numpy()
                    cases.append({"op": op, "dtype": dtype, "n": n, "seed": seed,
                                  "params": params, "result": encode(out),
                                  "state_sha256": state_sha()})
    return cases


def record_sequence() -> dict:
    steps = []
    for seed in SEEDS[:2]:
        torch.manual_seed(seed)
        for op, n, dtype in SEQUENCE:
            _, params, call = OPS[op]
            out = call(n, dtype, params).numpy()
            steps.append({"seed": seed, "op": op, "n": n, "dtype": dtype, "params": params,
                          "result": encode(out), "state_sha256": state_sha()})
    return {"steps": steps}


def record_states() -> dict:
    seeds = {}
    for seed in [0, 1, 7, -1, -2**63, 2**32 + 9, 2**64 - 1, 67280421310721]:
        torch.manual_seed(seed)
        seeds[str(seed)] = {"initial_seed": torch.initial_seed(), "state_sha256": state_sha()}
    # A state with a cached double normal (randn of fewer than 16 elements), in full,
    # and what follows it: set into gradcli's generator, it must continue the same way.
    torch.manual_seed(5)
    torch.randn(3)
    cached = state_bytes()
    follow = torch.randn(5, dtype=torch.float64).numpy()
    after = state_sha()
    return {"seeds": seeds,
            "cached_normal": {"state_hex": cached.hex(), "next_randn_float64_5": encode(follow),
                              "state_sha256_after": after}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    data = {"torch_version": torch.__version__, "sizes": SIZES, "seeds": SEEDS,
            "ops": {op: dtypes for op, (dtypes, _, _) in OPS.items()},
            "cases": record_cases(), "sequence": record_sequence(), "states": record_states()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(data['cases'])} cases to {args.out}")


if __name__ == "__main__":
    main()
