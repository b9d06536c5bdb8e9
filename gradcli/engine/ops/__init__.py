"""THE op table of gradcli, split by family; :data:`TABLES` lists them all."""

from __future__ import annotations

from . import creation, elementwise, index, inplace, linalg, nn_functional, reduce, shape  # noqa: F401

TABLES = (creation.table, elementwise.table, *reduce.TABLES, *shape.TABLES, *index.TABLES,
          nn_functional.table, *linalg.TABLES)

# The torch.nn.functional names, by name.
FUNCTIONAL = nn_functional.FUNCTIONAL
