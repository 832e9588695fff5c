"""The read-only open-data API (`/api/`, OpenAPI 3 at `/api/openapi.json`, docs at `/api/docs`).

Every record endpoint starts from `public_records()`, so what the API can show is exactly what
the public site shows; the list applies the listing's own FilterSet. Responses carry an ETag and
Last-Modified computed from the matching rows, so a harvester polling nightly gets 304s, and
`?script=hant` converts every text to Traditional script (Taiwan-standard forms, as /zh-hant/),
`?script=hant-hk` to Hong Kong forms (as /zh-hk/), with the site's own converter.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as NotAnIndexNumber
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from pydantic import BeforeValidator

from disclosure.convert import to_traditional
from disclosure.filters import MAX_YEAR, MIN_YEAR, SORTS, filter_records
from disclosure.models import Category, DisclosureRecord, Genre, Organization, Topic
from disclosure.numbering import parse_index_number
from disclosure.numbers import MAX_KEY, parse_number
from disclosure.selectors import listing_total, public_record_details, public_records
from plans.models import PlanSection
from portal.api import schemas
from search import search_records


class ReadableJSON(JSONRenderer):
    """Chinese as characters, not \\u escapes: the files are read by people too."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ReadableJSON(),
    title="政府信息公开平台开放数据接口",
    version="1.0",
    description=(
        "已公开的政府信息及其目录、机构、主题、体裁、工作计划。只读;"
        "支持 ?script=hant 繁体输出(台湾字形),?script=hant-hk 香港字形。"
    ),
    urls_namespace="api",
    docs_url="/docs",
)
Script = Literal["hans", "hant", "hant-hk"]
SCRIPT_CONFIGS = {"hant": "s2tw", "hant-hk": "s2hk"}
MAX_PAGE = 100_000


def _ascii_number(value: Any) -> Any:
    """Query numbers are parsed as on the site (disclosure.numbers): `page=１２` or `year=2020.0`
    is refused, not read as 12 or 2020. A BadNumber is a ValueError: pydantic reports it."""
    return parse_number(value) if isinstance(value, str) else value


Number = Annotated[int, BeforeValidator(_ascii_number)]


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad parameters answer 400 with the problem per parameter, as the listing filters do."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = error.get("loc") or ("request",)
        errors.setdefault(str(location[-1]), []).append(str(error.get("msg", "")))
    return api.create_response(request, {"detail": "请求参数无效。", "errors": errors}, status=400)


class RecordQuery(Schema):
    """The public listing's filters (disclosure.filters.RecordFilter), documented for OpenAPI,
    plus the full-text query `q` of the search page (search)."""

    q: str | None = Query(
        None, description="全文检索:中文二字词、短语、多词,繁简通查;按相关度排序", max_length=200
    )

    category: str | None = Query(None, description="目录路径名(slug),含下级目录", max_length=60)
    organization: Number | None = Query(
        None, description="发布机构编号,含其下属部门", ge=1, le=MAX_KEY
    )
    topic: Number | None = Query(
        None, description="主题编号;一级主题含其二级主题", ge=1, le=MAX_KEY
    )
    genre: Number | None = Query(None, description="体裁编号", ge=1, le=MAX_KEY)
    year: Number | None = Query(None, description="发文年份", ge=MIN_YEAR, le=MAX_YEAR)
    issued_from: datetime.date | None = Query(None, description="发文日期从")
    issued_to: datetime.date | None = Query(None, description="发文日期至")
    published_from: datetime.date | None = Query(None, description="公开日期从")
    published_to: datetime.date | None = Query(None, description="公开日期至")
    method: Literal["proactive", "on_request"] | None = Query(None, description="公开方式")
    validity: Literal["valid", "expired", "repealed"] | None = Query(None, description="效力状态")
    keyword: str | None = Query(None, description="关键词(完全匹配)", max_length=50)
    sort: Literal[tuple(SORTS)] | None = Query(None, description="排序")  # type: ignore[valid-type]
    page: Number = Query(1, ge=1, le=MAX_PAGE)
    page_size: Number = Query(20, ge=1, le=100)
    script: Script = Query("hans", description="hant 输出繁体(台湾字形),hant-hk 香港字形")


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


def _output(data: Any, script: str) -> Any:
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


def _conditional(request: HttpRequest, response: HttpResponse, queryset: QuerySet) -> bool:
    """Set the validators on `response`; True if the client's copy is still current."""
    etag, last = _validators(request, queryset)
    return _still_current(request, response, etag=etag, last=last, max_age=300)


def _still_current(
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


def _not_modified(response: HttpResponse) -> HttpResponse:
    result = HttpResponseNotModified()
    for header in ("ETag", "Last-Modified", "Cache-Control"):
        if header in response:
            result[header] = response[header]
    return result


class _Labels:
    def __init__(self) -> None:
        nodes = {c.pk: c for c in Category.objects.all()}
        self.paths = {}
        for pk, node in nodes.items():
            names, current = [], node
            while current is not None:
                names.append(current.name)
                current = nodes.get(current.parent_id)
            self.paths[pk] = " / ".join(reversed(names))


def _summary(record: DisclosureRecord, labels: _Labels, today: datetime.date) -> dict[str, Any]:
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
        "topic": record.topic.label if record.topic_id else None,
        "genre": record.genre.name if record.genre_id else None,
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
#: Offset paging stops here (page × page_size): a harvester takes everything in windows of
#: published_from/published_to, each within the bound, instead of reading a million rows to
#: skip them.
MAX_OFFSET = 10_000


def _list_validators(
    request: HttpRequest, count: int, rows: list[DisclosureRecord]
) -> tuple[str, datetime.datetime | None]:
    """ETag and Last-Modified of one page: the path, the (cached) count and each listed row's
    versions, so publishing, editing or withdrawing a matching record changes them."""
    versions = [(r.pk, r.updated_at, r.published_at) for r in rows]
    moments = [m for _pk, *pair in versions for m in pair if m is not None]
    raw = repr((request.get_full_path(), count, versions))
    etag = quote_etag(hashlib.sha256(raw.encode()).hexdigest()[:32])
    return etag, max(moments) if moments else None


@api.get("/records", response={200: schemas.RecordPage, 400: schemas.Error}, tags=["公开信息"])
def list_records(request: HttpRequest, response: HttpResponse, query: Query[RecordQuery]):
    """已公开的信息,与公开目录页相同的筛选条件;分页(page × page_size 不超过 10000,
    更早的信息请用 published_from/published_to 分段获取)。"""
    today, now = timezone.localdate(), timezone.now()
    data = {k: v for k, v in request.GET.items() if k not in {"page", "page_size", "script", "q"}}
    listed = public_records(now=now).select_related("organization", "topic__parent", "genre")
    filterset, queryset = filter_records(
        data=data, queryset=listed.only(*SUMMARY_COLUMNS), today=today
    )
    if not filterset.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in filterset.errors.items()}
        return Status(400, {"detail": "筛选条件无效。", "errors": errors})
    estimated = False
    if query.q and query.q.strip():
        found = search_records(
            query=query.q, queryset=queryset, page=query.page, page_size=query.page_size
        )
        count, estimated = found.total, found.total_is_estimate
        rows = [hit.record for hit in found.hits]
        num_pages = found.num_pages
    else:
        start = (query.page - 1) * query.page_size
        if start + query.page_size > MAX_OFFSET:
            return Status(
                400,
                {
                    "detail": f"分页过深:page × page_size 不能超过 {MAX_OFFSET}。"
                    "请用 published_from/published_to 等条件分段获取。",
                    "errors": {"page": [f"不能超过 {MAX_OFFSET // query.page_size}"]},
                },
            )
        if not query.sort:
            queryset = queryset.order_by("-publication_date", "-id")
        _bounded, count, estimated = listing_total(queryset, now=now)
        rows = list(queryset[start : start + query.page_size])
        num_pages = max(1, -(-count // query.page_size))
    etag, last = _list_validators(request, count, rows)
    if _still_current(request, response, etag=etag, last=last, max_age=300):
        return _not_modified(response)
    labels = _Labels()

    def link(page: int) -> str | None:
        if page < 1 or page > num_pages:
            return None
        params = request.GET.copy()
        params["page"] = str(page)
        return f"{request.path}?{urlencode(sorted(params.items()))}"

    page = {
        "count": count,
        "count_is_estimate": estimated,
        "page": query.page,
        "page_size": query.page_size,
        "num_pages": num_pages,
        "next": link(query.page + 1),
        "previous": link(query.page - 1) if query.page <= num_pages else None,
        "results": [_summary(r, labels, today) for r in rows],
    }
    return Status(200, _output(page, query.script))


def _public_record(index_number: str) -> DisclosureRecord:
    try:
        parse_index_number(index_number[:64])
    except NotAnIndexNumber:
        raise HttpError(404, "没有找到该信息。") from None
    try:
        return public_record_details().get(index_number=index_number)
    except DisclosureRecord.DoesNotExist:
        raise HttpError(404, "没有找到该信息。") from None


@api.get(
    "/records/{path:index_number}/plan",
    response={200: schemas.Plan, 404: schemas.Error},
    tags=["公开信息"],
)
def record_plan(
    request: HttpRequest, response: HttpResponse, index_number: str, script: Script = "hans"
):
    """一条工作计划类信息拆分出的部分和事项(计划、总结及进展)。"""
    record = _public_record(index_number)
    if _conditional(request, response, public_records().filter(pk=record.pk)):
        return _not_modified(response)
    sections = (
        PlanSection.objects.filter(plan__record=record)
        .prefetch_related("items")
        .order_by("ordinal")
    )
    plan = {
        "index_number": record.index_number,
        "title": record.title,
        "sections": [
            {
                "ordinal": s.ordinal,
                "heading": s.heading,
                "kind": s.get_kind_display(),
                "items": [
                    {
                        "ordinal": i.ordinal,
                        "heading": i.heading,
                        "text": i.text,
                        "status": i.get_status_display(),
                    }
                    for i in s.items.all()
                ],
            }
            for s in sections
        ],
    }
    if not plan["sections"]:
        raise HttpError(404, "该信息没有工作计划。")
    return Status(200, _output(plan, script))


@api.get(
    "/records/{path:index_number}",
    response={200: schemas.RecordDetail, 404: schemas.Error},
    tags=["公开信息"],
    url_name="record",
)
def record_detail(
    request: HttpRequest, response: HttpResponse, index_number: str, script: Script = "hans"
):
    """按信息索引号取一条已公开信息的全部公开字段。"""
    record = _public_record(index_number)
    if _conditional(request, response, public_records().filter(pk=record.pk)):
        return _not_modified(response)
    detail = _summary(record, _Labels(), timezone.localdate())
    detail.update(
        published_at=record.published_at,
        disclosure_period=record.disclosure_period_label,
        disclosure_forms=record.disclosure_forms_label.split("、")
        if record.disclosure_forms
        else [],
        disclosure_method=record.get_disclosure_method_display(),
        disclosure_scope=record.get_disclosure_scope_display(),
        valid_until=record.validity_label,
        repealed_on=record.repealed_on,
        procedure=record.procedure,
        keywords=record.keyword_names(),
        summary=record.summary,
        body=record.body,
        source=record.source,
        attachments=[
            {"title": a.title, "size": a.size, "content_type": a.content_type}
            for a in record.attachments.all()
        ],
        has_plan=PlanSection.objects.filter(plan__record=record).exists(),
    )
    return Status(200, _output(detail, script))


def _vocabulary(request, response, rows: list[dict], script: str):
    if _conditional_vocabulary(request, response, rows):
        return _not_modified(response)
    return _output(rows, script)


def _conditional_vocabulary(request: HttpRequest, response: HttpResponse, rows: list[dict]) -> bool:
    digest = hashlib.sha256(repr((request.get_full_path(), rows)).encode()).hexdigest()[:32]
    return _still_current(request, response, etag=quote_etag(digest), max_age=3600)


@api.get("/organizations", response=list[schemas.Organization], tags=["目录与词表"])
def organizations(request: HttpRequest, response: HttpResponse, script: Script = "hans"):
    """发布机构及其上下级关系。"""
    rows = list(Organization.objects.values("id", "name", "short_name", "code", "parent_id"))
    return _vocabulary(request, response, rows, script)


@api.get("/categories", response=list[schemas.Category], tags=["目录与词表"])
def categories(request: HttpRequest, response: HttpResponse, script: Script = "hans"):
    """政府信息公开目录树;`path` 为面包屑路径。"""
    labels = _Labels()
    rows = [
        {
            "id": c.pk,
            "name": c.name,
            "slug": c.slug,
            "parent_id": c.parent_id,
            "path": labels.paths[c.pk],
        }
        for c in Category.objects.all()
    ]
    return _vocabulary(request, response, rows, script)


@api.get("/topics", response=list[schemas.Topic], tags=["目录与词表"])
def topics(request: HttpRequest, response: HttpResponse, script: Script = "hans"):
    """主题分类(两级),`label` 如「科技、教育--教育」。"""
    rows = [
        {"id": t.pk, "name": t.name, "parent_id": t.parent_id, "label": t.label}
        for t in Topic.objects.select_related("parent")
    ]
    return _vocabulary(request, response, rows, script)


@api.get("/genres", response=list[schemas.Genre], tags=["目录与词表"])
def genres(request: HttpRequest, response: HttpResponse, script: Script = "hans"):
    """体裁。"""
    rows = list(Genre.objects.values("id", "name"))
    return _vocabulary(request, response, rows, script)
