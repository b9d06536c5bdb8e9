"""The one door to the array library.

Every engine module reaches NumPy through ``xp`` here, so that a CuPy backend
can later replace it in one place.
"""

from __future__ import annotations

import numpy

xp = numpy
"""The array module the engine computes with (NumPy today)."""

# PyTorch never warns on floating-point exceptions: inf and nan simply propagate, and
# NumPy's RuntimeWarnings would name gradcli's own files. The engine silences them once
# for the process rather than with an errstate around every op (which cost a fifth of
# the time of small-tensor arithmetic).
numpy.seterr(all="ignore")


def to_host(array):
    """Returns ``array`` as a NumPy array (a no-op for NumPy itself)."""
    return array
