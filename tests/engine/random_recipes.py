"""The input arrays of the recorded random-kernel cases, shared by the test
(tests/engine/test_random_kernel.py) and the recorder (tools/record_random_fixtures.py)."""

import numpy as np


def recipe(name: str, n: int, dtype: str) -> np.ndarray:
    """The input array named ``name`` for a case of size ``n`` and ``dtype``."""
    if name == "arange":
        values = np.arange(n, dtype=np.float64) * 0.5
    elif name == "stds":
        values = np.linspace(0.1, 3.0, n)
    elif name == "probs":
        values = np.linspace(0.0, 1.0, n)
    elif name == "weights":
        values = np.arange(n) % 7 + 0.5
    elif name == "weights2d":
        values = (np.arange(3 * n) % 5 + 0.25).reshape(3, n)
    elif name == "sparse":
        values = np.where(np.arange(n) % 3 == 1, 2.0, 0.0)
        values[0] = 1.0
    elif name == "rates":
        values = np.linspace(0.0, 30.0, n)
    else:
        raise KeyError(name)
    return values.astype(dtype)
