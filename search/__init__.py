"""Full-text search over published records (see docs/scaling.md for the OpenSearch path).

Callers use only these names: the service, and the index maintenance functions for bulk paths.
Everything else reaches the index through the core's announcements (search/sync.py).
They are loaded on first use, as this package is also the Django app (its models load later).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from search.indexing import index_records, rebuild_index, remove_records
    from search.service import SearchResults, search_records

_HOMES = {
    "index_records": "search.indexing",
    "rebuild_index": "search.indexing",
    "remove_records": "search.indexing",
    "SearchResults": "search.service",
    "search_records": "search.service",
}

__all__ = ["SearchResults", "index_records", "rebuild_index", "remove_records", "search_records"]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'search' has no attribute {name!r}")
