"""Keeping the index equal to the published records, driven by the core's announcements.

Every write service of the records core (the workflow, scheduled publication and expiry,
editing, revisions, imports, merges, bulk generation) announces what it changed through
`disclosure.changes.announce_public_change`; the core sends `public_content_changed` once per
transaction, after it commits. Search subscribes in `SearchConfig.ready` (the core never
imports search): the records named are re-indexed in one `index_records` call, which writes the
publishable ones and drops the others. A rolled-back transaction announces nothing, so it
indexes nothing.

A withdrawal's entry stays until that call, after the commit; it is never found meanwhile,
because every search joins the index through the one public selector (`public_records`, in
`search.service`), which no longer holds the record once the withdrawal has committed.

An announcement without ids (a vocabulary merge, the site settings, a bulk load) changes no
indexed text: organization, topic and genre names are not indexed, and the bulk paths index
what they wrote themselves (`index_records` in imports and `generate_records`, `rebuild_index`
in `setup_demo`).
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from disclosure.changes import public_content_changed
from search.indexing import index_records


def reindex_announced(sender: Any, named_ids: Set[int] = frozenset(), **kwargs: Any) -> None:
    """`public_content_changed` receiver: bring the entries of the records named up to date
    (`named_ids`: also when the same transaction announced a change of every page)."""
    if named_ids:
        index_records(sorted(named_ids))


def connect() -> None:
    public_content_changed.connect(reindex_announced, dispatch_uid="search_reindex_announced")
