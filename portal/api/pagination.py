"""The record list's pages, through django-ninja's pagination (`@paginate(RecordPagination)`).

The endpoint returns what to list, a `Listing`: the filtered records in the listing's order
(`FilteredRecords`, counted as the public listing counts them: cached, bounded), or the hits of
a full-text query (`SearchHits`, ranked and paged by the search service). `RecordPagination`
takes one page of it and answers the API's page: the count, page links, the validators of
exactly that page (a conditional request whose copy is current gets 304) and the summaries.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import quote_etag
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from disclosure.models import DisclosureRecord
from disclosure.selectors import listing_total
from portal.api.common import (
    BadRequest,
    Labels,
    NotModified,
    Number,
    output,
    still_current,
    summary,
)
from search import search_records

MAX_PAGE = 100_000
#: Offset paging stops here (page × page_size): a harvester takes everything in windows of
#: published_from/published_to, each within the bound, instead of reading a million rows to
#: skip them.
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class Page:
    rows: list[DisclosureRecord]
    count: int
    count_is_estimate: bool
    num_pages: int


class Listing(Protocol):
    def page(self, *, number: int, size: int) -> Page: ...


@dataclass(frozen=True)
class FilteredRecords:
    """The filtered records in their order; offset pages up to `MAX_OFFSET`."""

    queryset: QuerySet[DisclosureRecord]
    now: datetime.datetime

    def page(self, *, number: int, size: int) -> Page:
        start = (number - 1) * size
        if start + size > MAX_OFFSET:
            raise BadRequest(
                f"分页过深:page × page_size 不能超过 {MAX_OFFSET}。"
                "请用 published_from/published_to 等条件分段获取。",
                {"page": [f"不能超过 {MAX_OFFSET // size}"]},
            )
        _bounded, count, estimated = listing_total(self.queryset, now=self.now)
        rows = list(self.queryset[start : start + size])
        return Page(rows, count, estimated, max(1, -(-count // size)))


@dataclass(frozen=True)
class SearchHits:
    """The records within `queryset` matching `query`, as the search page ranks them."""

    query: str
    queryset: QuerySet[DisclosureRecord]

    def page(self, *, number: int, size: int) -> Page:
        found = search_records(
            query=self.query, queryset=self.queryset, page=number, page_size=size
        )
        rows = [hit.record for hit in found.hits]
        return Page(rows, found.total, found.total_is_estimate, found.num_pages)


def page_validators(request: HttpRequest, page: Page) -> tuple[str, datetime.datetime | None]:
    """ETag and Last-Modified of one page: the path, the (cached) count and each listed row's
    versions, so publishing, editing or withdrawing a matching record changes them."""
    versions = [(r.pk, r.updated_at, r.published_at) for r in page.rows]
    moments = [m for _pk, *pair in versions for m in pair if m is not None]
    raw = repr((request.get_full_path(), page.count, versions))
    etag = quote_etag(hashlib.sha256(raw.encode()).hexdigest()[:32])
    return etag, max(moments) if moments else None


def page_link(request: HttpRequest, number: int, num_pages: int) -> str | None:
    """This request's URL at page `number`, if there is such a page."""
    if number < 1 or number > num_pages:
        return None
    params = request.GET.copy()
    params["page"] = str(number)
    return f"{request.path}?{urlencode(sorted(params.items()))}"


class PageQuery(Schema):
    page: Number = Field(1, ge=1, le=MAX_PAGE)
    page_size: Number = Field(20, ge=1, le=100)


class RecordPagination(PaginationBase):
    Input = PageQuery  # type: ignore[assignment]
    #: The endpoint declares its page (schemas.RecordPage) next to its 400, so ninja keeps it.
    Output = None  # type: ignore[assignment]
    items_attribute = "results"

    def paginate_queryset(  # type: ignore[override]  # ninja passes what the view returned
        self, queryset: Listing, pagination: PageQuery, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        """`queryset` is the endpoint's `Listing`; `params` are its arguments (the temporal
        `response` carries the validators, `query.script` the output script)."""
        number, size = pagination.page, pagination.page_size
        page = queryset.page(number=number, size=size)
        etag, last = page_validators(request, page)
        if still_current(request, params["response"], etag=etag, last=last, max_age=300):
            raise NotModified(params["response"])
        labels, today = Labels(), timezone.localdate()
        body = {
            "count": page.count,
            "count_is_estimate": page.count_is_estimate,
            "page": number,
            "page_size": size,
            "num_pages": page.num_pages,
            "next": page_link(request, number + 1, page.num_pages),
            "previous": (
                page_link(request, number - 1, page.num_pages) if number <= page.num_pages else None
            ),
            "results": [summary(r, labels, today) for r in page.rows],
        }
        return output(body, params["query"].script)  # type: ignore[no-any-return]
