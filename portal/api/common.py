"""What every endpoint of the open-data API shares: number parsing, the Traditional-script
output, the conditional-request validators, the record summary, and the refusals."""

from __future__ import annotations

import datetime
import hashlib
from typing import Annotated, Any, Literal

from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from ninja import Schema
from pydantic import BeforeValidator

from disclosure.convert import to_traditional
from disclosure.models import Category, DisclosureRecord
from disclosure.numbers import parse_number

Script = Literal["hans", "hant", "hant-hk"]
SCRIPT_CONFIGS = {"hant": "s2tw", "hant-hk": "s2hk"}


def _ascii_number(value: Any) -> Any:
    """Query numbers are parsed as on the site (disclosure.numbers): `page=１２` or `year=2020.0`
    is refused, not read as 12 or 2020. A BadNumber is a ValueError: pydantic reports it."""
    return parse_number(value) if isinstance(value, str) else value


Number = Annotated[int, BeforeValidator(_ascii_number)]


class BadRequest(Exception):
    """A refusal answered 400 with `detail` and the problems per parameter (schemas.Error)."""

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.detail, self.errors = detail, errors


class NotModified(Exception):
    """The client's copy is current: answered 304 with the validators set on `response`."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("not modified")
        self.response = response


def _hant(value: Any, config: str) -> Any:
    if isinstance(value, str):
        return to_traditional(value, config)
    if isinstance(value, list):
        return [_hant(v, config) for v in value]
    if isinstance(value, dict):
        return {
            k: v if k in {"url", "api_url", "next", "previous"} else _hant(v, config)
            for k, v in value.items()
        }
    return value


def output(data: Any, script: str) -> Any:
    """`data` in the requested script (URLs and page links untouched)."""
    config = SCRIPT_CONFIGS.get(script)
    if config is None:
        return data
    if isinstance(data, Schema):
        data = data.model_dump()
    elif isinstance(data, list):
        data = [d.model_dump() if isinstance(d, Schema) else d for d in data]
    return _hant(data, config)


def _validators(request: HttpRequest, queryset: QuerySet) -> tuple[str, datetime.datetime | None]:
    """ETag and Last-Modified of what `queryset` would return for this exact request.

    The newest `updated_at` or `published_at` and the row count change whenever a matching record
    is edited, published, scheduled into view or withdrawn.
    """
    stats = queryset.order_by().aggregate(
        n=Count("id"), updated=Max("updated_at"), published=Max("published_at")
    )
    moments = [m for m in (stats["updated"], stats["published"]) if m is not None]
    last = max(moments) if moments else None
    raw = f"{request.get_full_path()}|{stats['n']}|{last.isoformat() if last else ''}"
    return quote_etag(hashlib.sha256(raw.encode()).hexdigest()[:32]), last


def conditional(request: HttpRequest, response: HttpResponse, queryset: QuerySet) -> bool:
    """Set the validators on `response`; True if the client's copy is still current."""
    etag, last = _validators(request, queryset)
    return still_current(request, response, etag=etag, last=last, max_age=300)


def still_current(
    request: HttpRequest,
    response: HttpResponse,
    *,
    etag: str,
    last: datetime.datetime | None = None,
    max_age: int,
) -> bool:
    """Set the validators on `response` and ask Django's conditional-response machinery (as the
    record pages do): If-None-Match with weak comparison (W/ tags), else If-Modified-Since."""
    response["ETag"] = etag
    if last is not None:
        response["Last-Modified"] = http_date(last.timestamp())
    response["Cache-Control"] = f"public, max-age={max_age}"
    last_modified = int(last.timestamp()) if last is not None else None
    verdict = get_conditional_response(request, etag=etag, last_modified=last_modified)
    return verdict is not None and verdict.status_code == 304


def not_modified(response: HttpResponse) -> HttpResponse:
    result = HttpResponseNotModified()
    for header in ("ETag", "Last-Modified", "Cache-Control"):
        if header in response:
            result[header] = response[header]
    return result


class Labels:
    """Each category's breadcrumb path (目录 / 子目录), from one query."""

    def __init__(self) -> None:
        nodes = {c.pk: c for c in Category.objects.all()}
        self.paths: dict[int, str] = {}
        for pk, node in nodes.items():
            names: list[str] = []
            current: Category | None = node
            while current is not None:
                names.append(current.name)
                parent = current.parent_id
                current = nodes.get(parent) if parent is not None else None
            self.paths[pk] = " / ".join(reversed(names))


def summary(record: DisclosureRecord, labels: Labels, today: datetime.date) -> dict[str, Any]:
    return {
        "index_number": record.index_number,
        "title": record.title,
        "url": record.get_absolute_url(),
        "api_url": (
            reverse("api:record", kwargs={"index_number": record.index_number})
            if record.index_number
            else None
        ),
        "issued_on": record.issued_on,
        "publication_date": record.publication_date,
        "document_number": record.document_number,
        "organization": record.organization.name,
        "category": labels.paths.get(record.category_id, ""),
        "topic": record.topic.label if record.topic is not None else None,
        "genre": record.genre.name if record.genre is not None else None,
        "validity": record.validity_status(today=today).label,
    }


#: The columns a summary shows (never the body), and the vocabulary names it joins.
SUMMARY_COLUMNS = (
    "id",
    "index_number",
    "title",
    "issued_on",
    "publication_date",
    "published_at",
    "updated_at",
    "document_number",
    "category_id",
    "valid_until",
    "repealed_on",
    "organization__name",
    "topic__name",
    "topic__parent__name",
    "genre__name",
)
