"""Indexing: getitem/setitem, gather/scatter, masks, index_select, nonzero."""

from __future__ import annotations

from .registry import OpTable

table = OpTable("index")
