"""THE op table of gradcli, split by family; :data:`TABLES` lists them all."""

from __future__ import annotations

from . import (  # noqa: F401
    creation,
    elementwise,
    index,
    inplace,
    linalg,
    nn_functional,
    random,
    reduce,
    registry,
    shape,
)

TABLES = (creation.table, random.table, *elementwise.TABLES, *reduce.TABLES, *shape.TABLES,
          *index.TABLES, *nn_functional.TABLES, *linalg.TABLES)

FUNCTIONAL = registry.functional_names(TABLES)
"""The functions of ``torch.nn.functional``, by name."""

SUBMODULES = registry.submodule_functions(TABLES)
"""The functions of ``torch.linalg`` and ``torch.special``: ``SUBMODULES["linalg"]["det"]``."""
