"""THE op table of gradcli, split by family; :data:`TABLES` lists them all."""

from __future__ import annotations

from . import creation, elementwise, index, inplace, reduce, shape  # noqa: F401

TABLES = (creation.table, elementwise.table, reduce.table, shape.table, index.table)
