"""linspace gives PyTorch's bits: the ends rounded to the result type, the halves filled
from both ends, one fused multiply-add per point (float16 as c10::Half computes it)."""

import math

import numpy as np
import pytest

from gradcli.api import torch as api

G = api.build()["torch"]

_RNG = np.random.default_rng(0)
CASES = ([(-math.pi, math.pi, 2000), (0.05, 0.95, 7), (0, 1, 100), (-3, 5, 37), (0, 1, 0),
          (3, 3, 1), (5, -5, 2), (0.5, 7.3, 5)]
         + [(float(_RNG.normal() * 10), float(_RNG.normal() * 10), int(_RNG.integers(2, 3000)))
            for _ in range(60)]
         + [(int(_RNG.integers(-50, 50)), int(_RNG.integers(-50, 50)),
             int(_RNG.integers(2, 300))) for _ in range(20)])


def test_the_pytorch_with_examples_grid():
    # The "PyTorch with examples" tutorials print values of this grid with all digits.
    assert G.linspace(-math.pi, math.pi, 2000)[1000].item() == 0.0015715761110186577


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32"])
def test_bits_match_pytorch(dtype):
    torch = pytest.importorskip("torch")
    for case in CASES:
        theirs = torch.linspace(*case, dtype=getattr(torch, dtype)).numpy()
        ours = G.linspace(*case, dtype=getattr(G, dtype))._data
        assert ours.shape == theirs.shape and np.array_equal(ours, theirs), case
