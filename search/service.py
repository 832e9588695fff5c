"""`search_records`: the one search service the views call; it hides the backend.

Ranking is by tier, then recency: records whose title matches come first, then the others,
each tier newest first (发布时间). Each tier is one indexed query with ORDER BY published_at and
a LIMIT, which either reads the few matches through the GIN (FTS5) index or walks the recency
index and stops after a page of matches: both are fast, including for terms found in most
records (教育 on an education bureau's site), where ranking every match is what costs.

Counting is exact up to `COUNT_BOUND`; above it PostgreSQL gives its planner's estimate, shown
as 约 N 条, and facets are counted over the first `COUNT_BOUND` matches the index yields
(and the page says so). Paging stops
at `COUNT_BOUND` results, as the large search engines do.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from disclosure.filters import filter_choices
from disclosure.models import DisclosureRecord
from disclosure.selectors import public_records
from search.highlight import excerpt, highlight
from search.models import FTS_ID_MASK, FTS_TABLE
from search.tokenizer import ParsedQuery, Term, parse_query

Records: TypeAlias = QuerySet[DisclosureRecord]

COUNT_BOUND = 1000
ESTIMATE_SAMPLE = 2000
TIER_FETCH = 5000
#: PostgreSQL: the title tier of a one-word query (one term of one token, 教育) that the planner
#: estimates this large is walked at once, without first fetching TIER_FETCH + 1 of its ids to
#: learn that it is large (45–120 ms for a common term at a million records). Four times the
#: fetch: such an estimate comes from the column's most-common-element statistics and is close;
#: an estimate too low only keeps the fetch. A phrase (幼儿园: 幼儿 <-> 儿园) or several words
#: always fetch: their estimates multiply as if independent, and one too high would walk the
#: recency index far for a rare phrase.
TRUSTED_TIER = 4 * TIER_FETCH
WALK_SETTINGS = (
    "enable_bitmapscan",
    "enable_seqscan",
    "enable_sort",
    "enable_material",
    "enable_hashjoin",
    "enable_mergejoin",
)
PAGE_SIZE = 20
FACET_LIMIT = 12
#: Facet → (column, ...): named by the filter select lists (a second-level topic with its
#: parent, 「教育--其他」: several parents have a child named 其他).
FACETS = {
    "organization": ("organization_id", "organization__name"),
    "genre": ("genre_id", "genre__name"),
    "topic": ("topic_id", "topic__name"),
}


@dataclass(frozen=True)
class SearchHit:
    record: DisclosureRecord
    title_html: SafeString
    excerpt_html: SafeString
    title_match: bool


@dataclass(frozen=True)
class FacetValue:
    param: str
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    query: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    total_is_estimate: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facets_sampled: bool = False

    @property
    def num_pages(self) -> int:
        shown = min(self.total, COUNT_BOUND)
        return max((shown + self.page_size - 1) // self.page_size, 1)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def search_records(
    *,
    query: str,
    queryset: Records | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime.datetime | None = None,
) -> SearchResults:
    """Ranked, highlighted, faceted results for `query` within `queryset`.

    `queryset` is the listing's filtered records (`filter_records(...)`); whatever it is, only
    records in `public_records(now=)` are ever returned.
    """
    parsed = parse_query(query)
    if not parsed:
        return SearchResults(query=parsed, page=1, page_size=page_size)
    with _serial_plans():
        return _search(parsed, queryset=queryset, page=page, page_size=page_size, now=now)


@contextlib.contextmanager
def _serial_plans() -> Iterator[None]:
    """No parallel workers and no JIT for search queries (PostgreSQL).

    They are index-driven and stop after a page; starting workers costs more than it saves,
    and a parallel walk of the recency index cannot stop early (measured: 641 ms → 12 ms).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # one round trip for both
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
        yield


def _search(
    parsed: ParsedQuery,
    *,
    queryset: Records | None,
    page: int,
    page_size: int,
    now: datetime.datetime | None,
) -> SearchResults:
    base = public_records(now=now)
    if queryset is not None:
        base = base & queryset.order_by()
    matches = base.filter(search_entry__terms__matches=parsed)
    in_title = base.filter(search_entry__title_terms__matches=parsed)
    if connection.vendor == "sqlite":  # the newest matches, walking the FTS index backwards
        found = _fts_newest_first(base, parsed.to_fts5(), offset=0, size=COUNT_BOUND + 1)
    else:
        found = list(matches.order_by().values_list("pk", flat=True)[: COUNT_BOUND + 1])
    total, estimated = _count(matches, found=len(found), parsed=parsed, base=base)
    if total == 0:
        return SearchResults(query=parsed, page=1, page_size=page_size)
    last_page = max((min(total, COUNT_BOUND) + page_size - 1) // page_size, 1)
    page = min(max(page, 1), last_page)
    offset = (page - 1) * page_size
    if connection.vendor == "sqlite":
        page_ids, title_ids = _page_sqlite(parsed, base, offset=offset, size=page_size)
    else:
        # the estimate only when the count above already found more than the bound (a title
        # tier is a subset of the matches, so a smaller match set never holds a large one)
        one_word = len(parsed.terms) == 1 and len(parsed.terms[0].tokens) == 1
        large_title = (
            one_word and len(found) > COUNT_BOUND and _planner_rows(in_title) > TRUSTED_TIER
        )
        page_ids, title_ids = _page(
            in_title, matches, found=found, offset=offset, size=page_size, large_title=large_title
        )
    records = _records(page_ids)
    hits = [
        SearchHit(
            record=record,
            title_html=highlight(record.title, parsed.needles),
            excerpt_html=excerpt(record.body, parsed.needles, fallback=record.summary),
            title_match=record.pk in title_ids,
        )
        for record in records
    ]
    # Facets from the ids already found (all of them up to COUNT_BOUND): counting every match
    # again is what costs for common terms, so above the bound the page says it is a sample.
    sampled = estimated or total > COUNT_BOUND
    return SearchResults(
        query=parsed,
        hits=hits,
        total=total,
        total_is_estimate=estimated,
        page=page,
        page_size=page_size,
        facets=_facets(found[:COUNT_BOUND]),
        facets_sampled=sampled,
    )


def _count(matches: Records, *, found: int, parsed: ParsedQuery, base: Records) -> tuple[int, bool]:
    """Exact up to COUNT_BOUND; above it an estimate that costs no pass over the matches.

    PostgreSQL: the planner's row estimate (from the tsvector statistics ANALYZE keeps).
    SQLite: the FTS5 match count times the share of a random sample of those matches that
    passes the filters (the visibility rule and the listing filters).
    """
    if found <= COUNT_BOUND:
        return found, False
    if connection.vendor == "postgresql":
        estimate = _planner_estimate(base, parsed)
    else:
        matched, sample = _fts_sample(parsed)
        kept = base.order_by().filter(pk__in=sample).count()
        estimate = matched * kept // max(len(sample), 1)
    return max(estimate, COUNT_BOUND + 1), True


def _fts_sample(parsed: ParsedQuery) -> tuple[int, list[int]]:
    """SQLite: (FTS5 matches, the ids of the newest `ESTIMATE_SAMPLE` of them): counted in
    the index, and a sample read from the end of its doclists, not every match in Python."""
    match = parsed.to_fts5()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S608
        matched = int(cursor.fetchone()[0])
        cursor.execute(
            f"SELECT rowid & {FTS_ID_MASK} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
            "ORDER BY rowid DESC LIMIT %s",
            [match, ESTIMATE_SAMPLE],
        )
        return matched, [row[0] for row in cursor.fetchall()]


def _fts_newest_first(base: Records, match: str, *, offset: int, size: int) -> list[int]:
    """SQLite: a page of `base`'s records matching the FTS5 expression `match`, newest first.

    FTS rowids are in publication order (disclosure migration 0025): the index's matches
    are walked from the newest and each is checked against `base` by primary key, stopping
    after the page, instead of collecting and sorting every match.
    """
    table = DisclosureRecord._meta.db_table
    walk = base.extra(  # noqa: S610 - constant SQL; the match expression is a parameter
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE} MATCH %s", f'"{table}"."id" = ({FTS_TABLE}.rowid & {FTS_ID_MASK})'],
        params=[match],
    )
    rowid = RawSQL(f"{FTS_TABLE}.rowid", ())  # noqa: S611 - a constant column name
    ordered = walk.order_by(rowid.desc()).values_list("pk", flat=True)
    return list(ordered[offset : offset + size])


def _page_sqlite(
    parsed: ParsedQuery, base: Records, *, offset: int, size: int
) -> tuple[list[int], set[int]]:
    """Title tier, then the rest, each newest first, by walking the FTS index backwards."""
    in_title = parsed.to_fts5(column="title_terms")
    title_ids = _fts_newest_first(base, in_title, offset=offset, size=size)
    ids = list(title_ids)
    if len(ids) < size:
        if ids:
            title_total = offset + len(ids)
        else:  # the page starts after the title tier: how long was it?
            title_total = len(_fts_newest_first(base, in_title, offset=0, size=offset))
    else:
        title_total = offset + size
    # The rest is always asked (at least one row): the same queries however many match.
    rest = f"({parsed.to_fts5(column='terms')}) NOT ({in_title})"
    rest_offset = max(offset - title_total, 0)
    more = _fts_newest_first(base, rest, offset=rest_offset, size=max(size - len(ids), 1))
    return (ids + more)[:size], set(title_ids)


def _planner_rows(queryset: Records) -> int:
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _planner_estimate(base: Records, parsed: ParsedQuery) -> int:
    """The planner's estimate, term by term from each term's rarest bigram.

    PostgreSQL estimates a phrase (特殊 <-> 殊教 <-> 教育) as if its bigrams were independent,
    which undercounts by orders of magnitude; a phrase is at most as common as its rarest
    bigram, and that is a far better guess. Terms are still combined as independent.
    """
    rows = max(_planner_rows(base), 1)
    share = 1.0
    for term in parsed.terms:
        single = [
            ParsedQuery(raw="", terms=(Term(tokens=(token,), needles=()),)) for token in term.tokens
        ]
        share *= (
            min(_planner_rows(base.filter(search_entry__terms__matches=one)) for one in single)
            / rows
        )
    return int(rows * share)


def _ordered(ids: list[int]) -> list[int]:
    recency = ("-published_at", "-id")
    return list(
        DisclosureRecord.objects.filter(pk__in=ids).order_by(*recency).values_list("pk", flat=True)
    )


def _newest_first(queryset: Records, *, offset: int, size: int) -> list[int]:
    """A page of a large tier by walking the recency index, stopping after `size` matches.

    Only called when the tier is known to hold more than TIER_FETCH records. PostgreSQL
    estimates a phrase far too rare (its bigrams as if independent) and would fetch all of a
    large tier through GIN, or scan the table, and sort it; these off leave it the walk
    (measured on 1M records: 1.2 s → 37 ms for 冷链食品).
    """
    page = queryset.order_by("-published_at", "-id").values_list("pk", flat=True)
    page = page[offset : offset + size]
    if connection.vendor != "postgresql":
        return list(page)
    with transaction.atomic(), connection.cursor() as cursor:
        # one round trip each way (six statements each took one)
        cursor.execute("; ".join(f"SET LOCAL {setting} = off" for setting in WALK_SETTINGS))
        ids = list(page)
        cursor.execute("; ".join(f"SET LOCAL {setting} = on" for setting in WALK_SETTINGS))
    return ids


def _page(
    in_title: Records,
    matches: Records,
    *,
    found: list[int],
    offset: int,
    size: int,
    large_title: bool = False,
) -> tuple[list[int], set[int]]:
    """Title tier first, then the rest, each newest first; a page may straddle the two.

    A tier with at most TIER_FETCH matches is fetched whole through the index and sorted by
    id lookups. Only a larger tier walks the recency index and stops after a page: for a rare
    term that walk could cross most of the table (2021 in titles sits years back), for a
    common one it stops almost at once. A title tier known to be large (`large_title`, from
    the planner's estimate) is walked without fetching first; either way the page is the same.
    """
    title_found = (
        []
        if large_title
        else list(in_title.order_by().values_list("pk", flat=True)[: TIER_FETCH + 1])
    )
    if not large_title and len(title_found) <= TIER_FETCH:
        ordered = _ordered(title_found)
        title_all: list[int] | None = ordered
        title_ids = ordered[offset : offset + size]
    else:
        title_all = None
        title_ids = _newest_first(in_title, offset=offset, size=size)
    ids = list(title_ids)
    if len(ids) < size:
        if title_all is None:
            title_all = list(in_title.order_by().values_list("pk", flat=True)[: offset + size])
        rest_offset = max(offset - len(title_all), 0)
        wanted = slice(rest_offset, rest_offset + size - len(ids))
        if len(found) <= COUNT_BOUND:
            in_title_set = set(title_all)
            ids += _ordered([pk for pk in found if pk not in in_title_set])[wanted]
        else:
            # `exclude(pk__in=ids)`, not `NOT title @@ q`: that condition is anti-correlated
            # with `terms @@ q`, which PostgreSQL would estimate as if independent.
            rest = matches.exclude(pk__in=title_all)
            ids += _newest_first(rest, offset=wanted.start, size=wanted.stop - wanted.start)
    return ids, set(title_ids)


def _records(ids: list[int]) -> list[DisclosureRecord]:
    """The page's records in `ids` order, with what a hit shows."""
    by_pk = (
        DisclosureRecord.objects.for_listing()
        .only(
            "pk",
            "title",
            "summary",
            "body",
            "index_number",
            "document_number",
            "issued_on",
            "publication_date",
            "published_at",
            "updated_at",
            "valid_until",
            "repealed_on",
            "organization__name",
            "category__name",
            "category__slug",
            "topic__name",
            "topic__parent__name",
            "genre__name",
        )
        .in_bulk(ids)
    )
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _facets(ids: list[int]) -> dict[str, list[FacetValue]]:
    """The four facets from one narrow read of the found records (no join, no GROUP BY per
    facet): counted here, named from the filter select lists the page shows anyway (cached)."""
    counts: dict[str, Counter[int]] = {param: Counter() for param in FACETS}
    years: Counter[int] = Counter()
    columns = [key for key, _label in FACETS.values()]
    for *keys, issued_on in DisclosureRecord.objects.filter(pk__in=ids).values_list(
        *columns, "issued_on"
    ):
        for param, key in zip(FACETS, keys, strict=True):
            if key is not None:
                counts[param][key] += 1
        years[issued_on.year] += 1
    names = filter_choices()
    facets: dict[str, list[FacetValue]] = {}
    for param, counter in counts.items():
        labels = dict(names[param])
        ranked = sorted(counter.items(), key=lambda item: (-item[1], labels.get(str(item[0]), "")))
        facets[param] = [
            FacetValue(param, str(pk), labels.get(str(pk), ""), n) for pk, n in ranked[:FACET_LIMIT]
        ]
    newest = sorted(years.items(), reverse=True)[:FACET_LIMIT]
    facets["year"] = [FacetValue("year", str(y), f"{y}年", n) for y, n in newest]
    return facets
