"""``add``/``sub`` with ``alpha`` and ``lerp`` give PyTorch's float32/float64 bits: ATen's
kernels fuse the multiply-add (one rounding), and so does gradcli."""

import numpy as np
import pytest

from gradcli.api import torch as api

TORCH = api.build()["torch"]

CALLS = [
    ("add", lambda t, a, b, w: t.add(a, b, alpha=0.3)),
    ("sub", lambda t, a, b, w: t.sub(a, b, alpha=1.7)),
    ("add_scalar", lambda t, a, b, w: t.add(a, 2.5, alpha=3)),
    ("add_", lambda t, a, b, w: a.clone().add_(b, alpha=-0.01)),
    ("lerp_small", lambda t, a, b, w: t.lerp(a, b, 0.3)),
    ("lerp_large", lambda t, a, b, w: t.lerp(a, b, 0.8)),
    ("lerp_tensor", lambda t, a, b, w: t.lerp(a, b, w)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(), (7,), (3, 40)])
@pytest.mark.parametrize(("name", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_matches_pytorch_bits(dtype, shape, name, call):
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(11)
    tdt = getattr(torch, dtype)
    a, b = (torch.randn(shape, generator=gen, dtype=tdt) for _ in range(2))
    w = torch.rand(shape, generator=gen, dtype=tdt)
    ours = [TORCH.tensor(v.tolist(), dtype=getattr(TORCH, dtype)) for v in (a, b, w)]
    expected = call(torch, a, b, w).numpy()
    got = np.array(call(TORCH, *ours).tolist(), dtype=expected.dtype)
    assert got.tobytes() == expected.tobytes()
