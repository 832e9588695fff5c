"""Reads. `public_records` is the one definition of what the public may see.

Every public view, feed, sitemap, search result and API response starts from it, so a draft,
a record under review, a withdrawn record, a 不予公开 record or one scheduled for later can
never leak through one of them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time

from django.core.cache import cache
from django.db import connection
from django.db.models import DateField, F, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from disclosure.choices import RecordStatus
from disclosure.models import DisclosureRecord, RecordKeyword
from disclosure.models.records import DisclosureRecordQuerySet


def public_records(*, now: datetime.datetime | None = None) -> DisclosureRecordQuerySet:
    return DisclosureRecord.objects.published(now=now or timezone.now())


def public_record_details(*, now: datetime.datetime | None = None) -> DisclosureRecordQuerySet:
    """Published records with everything a record page (or the API's detail) shows."""
    return (
        public_records(now=now)
        # the column's path for the breadcrumb: the tree is three levels deep
        .select_related(
            "organization", "department", "category__parent__parent", "topic__parent", "genre"
        )
        .prefetch_related(
            "attachments",
            Prefetch(
                "keyword_links",
                queryset=RecordKeyword.objects.select_related("keyword").order_by("position"),
            ),
            # The repealing document is named and linked only if the public may see it.
            Prefetch("repealed_by", queryset=public_records(now=now)),
        )
    )


def public_record_detail(*, pk: int, now: datetime.datetime | None = None) -> DisclosureRecord:
    """The published record with everything its page shows; DoesNotExist otherwise."""
    record: DisclosureRecord = public_record_details(now=now).get(pk=pk)
    return record


def was_withdrawn(*, pk: int) -> bool:
    """True for a record the public once saw and that was withdrawn (answered 410 Gone)."""
    return DisclosureRecord.objects.filter(
        pk=pk, status=RecordStatus.WITHDRAWN, published_at__isnull=False
    ).exists()


# --- Listings in O(page) (issue 12 item 3) -------------------------------------------------

#: The columns a listing row shows (title, 发文日期, 索引号, its link) and its sort keys: never
#: the body, so a page of 20 reads 20 narrow rows through the sort order's index.
LISTING_COLUMNS = ("id", "title", "issued_on", "index_number", "publication_date")
#: How long an exact count may be reused when nothing marks it stale (a safety net only: the
#: key changes with every saved record and with `bump_listing_generation`).
COUNT_TTL = 600
GENERATION_KEY = "disclosure:listing-generation"
#: Counting stops here: 500 pages of 20, the deepest page a listing offers.
COUNT_BOUND = 10_000


def public_listing(*, now: datetime.datetime | None = None) -> DisclosureRecordQuerySet:
    """Published records with only the listing's columns, newest publication first."""
    return public_records(now=now).only(*LISTING_COLUMNS).order_by("-publication_date", "-id")


def by_publication_from_filter_index(
    queryset: QuerySet[DisclosureRecord],
) -> QuerySet[DisclosureRecord] | None:
    """The same rows in the same order (公开日期 first), written so that PostgreSQL cannot take
    the order from the publication-date index; None if `queryset` is not in that order.

    For a 发文日期 range (a year): that index is walked from today back to the year, most of the
    table for an old one (9 s for 2017 at a million records), because the planner takes the
    two dates as independent. Written this way, the page's ids come from the filter's own
    index (`record_public_category_issued`, `…_org_issued`: the sort keys are in it) and are
    sorted (2–40 ms); `listing_rows` then reads the page's rows.
    """
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering or ())
    first = ordering[0] if ordering else None
    if not isinstance(first, str) or first.lstrip("-") != "publication_date":
        return None
    key = Coalesce(F("publication_date"), Value(None, output_field=DateField()))
    return queryset.order_by(key.desc() if first.startswith("-") else key.asc(), *ordering[1:])


def listing_rows(
    queryset: QuerySet[DisclosureRecord], *, start: int, stop: int, now: datetime.datetime
) -> list[DisclosureRecord]:
    """Rows `start:stop` of `queryset`: their ids first (an index-only read when the index holds
    the filters and sort keys), then those rows' listing columns, still only the public ones."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    rows = public_listing(now=now).in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def listing_generation() -> int:
    """A number any writer may bump (`bump_listing_generation`) to retire every cached count:
    the hook for writes that bypass `Model.save()` (queryset.update, COPY)."""
    return int(cache.get(GENERATION_KEY) or 0)


def bump_listing_generation() -> None:
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def _public_stamp(*, now: datetime.datetime) -> tuple[object, object]:
    """(newest `updated_at` of any record, newest visible `published_at`): one query, two index
    lookups. It changes whenever a save could change a count (publish, withdraw, edit, a
    vocabulary move is a save of the record too) and when a scheduled record comes due."""
    last_edit = DisclosureRecord.objects.order_by("-updated_at").values("updated_at")[:1]
    last_public = public_records(now=now).order_by("-published_at").values("published_at")[:1]
    sql_edit, params_edit = last_edit.query.sql_with_params()
    sql_public, params_public = last_public.query.sql_with_params()
    with connection.cursor() as cursor:
        # Both parts are the ORM's own SQL with their parameters passed separately.
        sql = f"SELECT ({sql_edit}), ({sql_public})"  # noqa: S608
        cursor.execute(sql, (*params_edit, *params_public))
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (None, None)


def cached_count(queryset: QuerySet[DisclosureRecord], *, now: datetime.datetime) -> int:
    """The number of rows of `queryset` counted up to `COUNT_BOUND + 1` (see `listing_total`)."""
    return listing_total(queryset, now=now)[0]


def listing_total(
    queryset: QuerySet[DisclosureRecord], *, now: datetime.datetime
) -> tuple[int, int, bool]:
    """(rows counted up to COUNT_BOUND + 1, total to show, whether the total is 约 an estimate).

    Counting stops after `COUNT_BOUND + 1` rows (one index range, whatever the table's size):
    enough for every page a listing offers. Above the bound PostgreSQL's planner estimate is
    shown as 约 N (as search does); SQLite, the small demo, counts exactly.

    Cached per filter combination and state: the key is the count's own SQL (so it holds the
    resolved filters: a category's subtree, an organization's departments), with the request's
    `now` taken out and the public stamp and generation put in, so a publication, withdrawal or
    edit retires it at once, and arbitrary query strings cannot grow the key (it is a digest).
    """
    counted = queryset.order_by()
    sql, params = counted.query.sql_with_params()
    # The backend may pass `now` adapted (SQLite: a string), so match both forms.
    moments = {now, connection.ops.adapt_datetimefield_value(now)}
    params = tuple("<now>" if value in moments else value for value in params)
    stamp = _public_stamp(now=now)
    raw = repr((sql, params, stamp, listing_generation()))
    key = "disclosure:listing-count:" + hashlib.sha256(raw.encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        cached = _count(counted)
        cache.set(key, cached, timeout=COUNT_TTL)
    bounded, total, estimated = cached
    return int(bounded), int(total), bool(estimated)


#: PostgreSQL: a planner estimate this far above the bound is shown (约 N) without counting.
TRUSTED_ESTIMATE = 5 * COUNT_BOUND


def _count(queryset: QuerySet[DisclosureRecord]) -> tuple[int, int, bool]:
    """PostgreSQL asks the planner first (a millisecond): far above the bound (a whole column,
    the whole list) the count would only confirm "more than 10,000", so it is skipped; near or
    under the bound the rows are counted, up to the bound."""
    estimate = _planner_rows(queryset) if connection.vendor == "postgresql" else None
    if estimate is not None and estimate > TRUSTED_ESTIMATE:
        return COUNT_BOUND + 1, estimate, True
    bounded = queryset[: COUNT_BOUND + 1].count()
    if bounded <= COUNT_BOUND:
        return bounded, bounded, False
    if estimate is None:
        return bounded, queryset.count(), False
    return bounded, max(estimate, bounded), True


def _planner_rows(queryset: QuerySet[DisclosureRecord]) -> int:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)  # noqa: S608 - the ORM's SQL
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
