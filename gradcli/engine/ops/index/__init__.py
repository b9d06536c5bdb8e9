"""Indexing: getitem/setitem, gather/scatter, masks, index_select, nonzero, and in-place writes.

``x[...]`` follows PyTorch's ``applySlicing``: ints, slices, ``None``,
``...`` and bools are applied one after the other as views (``SelectBackward0``,
``SliceBackward0``, ``UnsqueezeBackward0``), while index tensors, lists and
masks are collected at the dims they stand for and applied at the end as one
advanced-indexing copy (``IndexBackward0``), with NumPy's placement of the
indexed dims. ``x[...] = v`` writes through the same views (``copy_``/``fill_``,
so the base records ``CopySlices``) or with ``index_put_``.

The in-place writers that are not an out-of-place op plus a write
(``copy_``, ``fill_``, ``zero_``, ``resize_``, ``t_``...) are declared here
too; their machinery lives in ``ops/inplace.py``.

The family is split by what the code holds; :data:`TABLES` lists its tables in
declaration order:

- :mod:`.getitem`
- :mod:`.gather`
- :mod:`.masked`
- :mod:`.writes`
- :mod:`.reductions` (scatter_reduce, index_reduce, fill_diagonal_)
"""

from __future__ import annotations

from . import gather, getitem, masked, reductions, writes

TABLES = (getitem.table, gather.table, masked.table, writes.table, reductions.table)
