"""Full-text search over published records (see docs/scaling.md for the OpenSearch path).

Callers use only these names: the service, and the index maintenance functions for bulk paths.
"""

from disclosure.search.indexing import index_records, rebuild_index, remove_records
from disclosure.search.service import SearchResults, search_records

__all__ = ["SearchResults", "index_records", "rebuild_index", "remove_records", "search_records"]
