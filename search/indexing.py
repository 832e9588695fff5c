"""Keeping the search index equal to the set of published records.

Only records with status 已发布 (and not 不予公开) have an entry: `index_records` adds or refreshes
them and drops any that are no longer published, so calling it after any change is always right.
The query side still starts from `public_records()`, so a record scheduled for later is found
only once it is due.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, connections, transaction

from disclosure.models import Attachment, DisclosureRecord, RecordKeyword
from search.models import SearchEntry
from search.tokenizer import html_to_text, index_terms

POSTGRES_INDEXES = {
    "search_title_terms_gin": "title_terms",
    "search_terms_gin": "terms",
}
INDEX_BATCH = 2000
FIELDS = ("pk", "title", "document_number", "index_number", "summary", "body")


def indexable_records():
    """What the index holds: the core's visibility rule, whenever due (searches then start from
    `public_records`, so a record scheduled for later is found only once it is due)."""
    return DisclosureRecord.objects.publishable()


def build_entries(ids: Iterable[int]) -> list[SearchEntry]:
    """Title alone (for the title tier of the ranking) and every searchable field together.

    Plain value rows rather than model instances: rebuilding a million records is dominated by
    this function, and three flat queries per batch are the cheapest way to read them.
    """
    ids = list(ids)
    extra: dict[int, list[str]] = defaultdict(list)
    for record_id, name in RecordKeyword.objects.filter(record_id__in=ids).values_list(
        "record_id", "keyword__name"
    ):
        extra[record_id].append(name)
    for record_id, title in Attachment.objects.filter(record_id__in=ids).values_list(
        "record_id", "title"
    ):
        extra[record_id].append(title)
    rows = indexable_records().filter(pk__in=ids).values_list(*FIELDS)
    return [
        SearchEntry(
            record_id=pk,
            title_terms=index_terms(title),
            terms=index_terms(
                title,
                document_number,
                index_number or "",
                " ".join(extra.get(pk, ())),
                summary,
                html_to_text(body),
            ),
        )
        for pk, title, document_number, index_number, summary, body in rows.iterator()
    ]


def index_records(ids: Iterable[int]) -> int:
    """(Re)index these records; those not published leave the index. Returns entries written.

    Any number of ids, `INDEX_BATCH` at a time, each batch in a transaction of its own: one
    batch's texts and terms are in memory at once, and the entries of a large import are not
    all locked until the last batch is done.
    """
    ids = list(ids)
    written = 0
    for start in range(0, len(ids), INDEX_BATCH):
        batch = ids[start : start + INDEX_BATCH]
        with transaction.atomic():
            entries = build_entries(batch)
            SearchEntry.objects.filter(record_id__in=batch).delete()
            SearchEntry.objects.bulk_create(entries, batch_size=500)
        written += len(entries)
    return written


def remove_records(ids: Iterable[int]) -> int:
    """Drop these records from the index at once (withdrawal must not wait for a commit)."""
    deleted, _ = SearchEntry.objects.filter(record_id__in=list(ids)).delete()
    return deleted


def _fill(ranges: list[tuple[int, int]], progress: Callable[[int], None] | None) -> int:
    done = 0
    for low, high in ranges:
        ids = list(
            indexable_records().filter(pk__gte=low, pk__lt=high).values_list("pk", flat=True)
        )
        if ids:
            with transaction.atomic():
                SearchEntry.objects.bulk_create(build_entries(ids), batch_size=1000)
        done += len(ids)
        if progress:
            progress(done)
    return done


def _fill_in_child(ranges: list[tuple[int, int]]) -> int:
    connections.close_all()  # a forked child must open its own connection
    return _fill(ranges, None)


def rebuild_index(
    *,
    batch_size: int = 2000,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Empty the index and fill it from every published record, in primary-key batches.

    On PostgreSQL the GIN indexes are dropped first and built once at the end, which is several
    times faster than maintaining them row by row (not inside an outer transaction, where
    PostgreSQL refuses to build an index on a table with pending constraint checks).
    `workers` > 1 tokenizes in that many processes (PostgreSQL only; the command's default is 1).
    """
    SearchEntry.objects.all().delete()
    on_postgres = connection.vendor == "postgresql" and not connection.in_atomic_block
    if on_postgres:
        with connection.cursor() as cursor:
            for name in POSTGRES_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
    top = (indexable_records().order_by("-pk").values_list("pk", flat=True)[:1] or [0])[0]
    ranges = [(low, low + batch_size) for low in range(0, top + 1, batch_size)]
    if on_postgres and workers > 1:
        import multiprocessing

        connections.close_all()
        chunks = [ranges[i::workers] for i in range(workers)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = sum(pool.map(_fill_in_child, chunks))
        if progress:
            progress(done)
    else:
        done = _fill(ranges, progress)
    if on_postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, column in POSTGRES_INDEXES.items():
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON disclosure_searchentry "
                    f"USING gin ({column})"
                )
            # Fresh statistics for both sides of the search join: after a bulk import the
            # planner would otherwise take 教育 for a rare term and plan accordingly.
            cursor.execute("ANALYZE disclosure_searchentry")
            cursor.execute("ANALYZE disclosure_disclosurerecord")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Without statistics SQLite walks the status index instead of the FTS5 matches.
            cursor.execute("ANALYZE")
    return done
