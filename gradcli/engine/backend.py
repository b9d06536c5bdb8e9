"""The one door to the array library.

Every engine module reaches NumPy through ``xp`` here, so that a CuPy backend
can later replace it in one place.
"""

from __future__ import annotations

import numpy

xp = numpy
"""The array module the engine computes with (NumPy today)."""


def to_host(array):
    """Returns ``array`` as a NumPy array (a no-op for NumPy itself)."""
    return array
