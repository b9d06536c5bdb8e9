"""Shape ops: views that share storage (view, permute, expand, ...) and copies (cat, stack).

Views are made with :mod:`..views` (PyTorch's stride rules and the autograd
view bookkeeping that in-place ops need).

The family is split by what the code holds; :data:`TABLES` lists its tables in
declaration order:

- :mod:`.reshaping`
- :mod:`.slicing`
- :mod:`.reordering`
- :mod:`.arrangements` (rot90, splits, repeat_interleave, unfold, diff, vander...)
"""

from __future__ import annotations

from . import arrangements, reordering, reshaping, slicing

TABLES = (reshaping.table, slicing.table, reordering.table, arrangements.table)
