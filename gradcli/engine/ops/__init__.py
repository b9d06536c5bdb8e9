"""THE op table of gradcli, split by family; :data:`TABLES` lists them all."""

from __future__ import annotations

from . import creation, elementwise, index, inplace, linalg, nn_functional, reduce, shape  # noqa: F401

TABLES = (creation.table, *elementwise.TABLES, reduce.table, shape.table, index.table,
          nn_functional.table, linalg.table)
