"""Keeping the search index equal to the set of published records.

Only records with status 已发布 (and not 不予公开) have an entry: `index_records` adds or refreshes
them and drops any that are no longer published, so calling it after any change is always right.
The query side still starts from `public_records()`, so a record scheduled for later is found
only once it is due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Prefetch

from disclosure.choices import DisclosureMethod, RecordStatus
from disclosure.models import DisclosureRecord, RecordKeyword, SearchEntry
from disclosure.search.tokenizer import html_to_text, index_terms

POSTGRES_INDEXES = {
    "search_title_terms_gin": "title_terms",
    "search_terms_gin": "terms",
}


def indexable_records():
    return DisclosureRecord.objects.filter(status=RecordStatus.PUBLISHED).exclude(
        disclosure_method=DisclosureMethod.NOT_DISCLOSED
    )


def entry_for(record: DisclosureRecord) -> SearchEntry:
    """Title alone (for the title tier of the ranking) and every searchable field together."""
    keywords = " ".join(link.keyword.name for link in record.keyword_links.all())
    attachments = " ".join(a.title for a in record.attachments.all())
    return SearchEntry(
        record_id=record.pk,
        title_terms=index_terms(record.title),
        terms=index_terms(
            record.title,
            record.document_number,
            record.index_number or "",
            keywords,
            attachments,
            record.summary,
            html_to_text(record.body),
        ),
    )


def _load(ids: Iterable[int]):
    return (
        indexable_records()
        .filter(pk__in=list(ids))
        .only("pk", "title", "document_number", "index_number", "summary", "body")
        .prefetch_related(
            Prefetch("keyword_links", queryset=RecordKeyword.objects.select_related("keyword")),
            "attachments",
        )
    )


@transaction.atomic
def index_records(ids: Iterable[int]) -> int:
    """(Re)index these records; those not published leave the index. Returns entries written."""
    ids = list(ids)
    if not ids:
        return 0
    entries = [entry_for(record) for record in _load(ids)]
    SearchEntry.objects.filter(record_id__in=ids).delete()
    SearchEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def remove_records(ids: Iterable[int]) -> int:
    """Drop these records from the index at once (withdrawal must not wait for a commit)."""
    deleted, _ = SearchEntry.objects.filter(record_id__in=list(ids)).delete()
    return deleted


def rebuild_index(*, batch_size: int = 2000, progress: Callable[[int], None] | None = None) -> int:
    """Empty the index and fill it from every published record, in batches.

    On PostgreSQL the GIN indexes are dropped first and built once at the end, which is several
    times faster than maintaining them row by row (not inside an outer transaction, where
    PostgreSQL refuses to build an index on a table with pending constraint checks).
    """
    SearchEntry.objects.all().delete()
    on_postgres = connection.vendor == "postgresql" and not connection.in_atomic_block
    if on_postgres:
        with connection.cursor() as cursor:
            for name in POSTGRES_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
    done = 0
    last_id = 0
    while True:
        ids = list(
            indexable_records()
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        with transaction.atomic():
            SearchEntry.objects.bulk_create(
                [entry_for(record) for record in _load(ids)], batch_size=500
            )
        done += len(ids)
        last_id = ids[-1]
        if progress:
            progress(done)
    if on_postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, column in POSTGRES_INDEXES.items():
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON disclosure_searchentry "
                    f"USING gin ({column})"
                )
            cursor.execute("ANALYZE disclosure_searchentry")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Without statistics SQLite walks the status index instead of the FTS5 matches.
            cursor.execute("ANALYZE")
    return done
