"""The read-only open-data API (`/api/`, OpenAPI 3 at `/api/openapi.json`, docs at `/api/docs`).

Every record endpoint starts from `public_records()`, so what the API can show is exactly what
the public site shows; the list applies the listing's own FilterSet and is paged by
`pagination.RecordPagination`. Responses carry an ETag and Last-Modified computed from the
matching rows, so a harvester polling nightly gets 304s, and `?script=hant` converts every text
to Traditional script (Taiwan-standard forms, as /zh-hant/), `?script=hant-hk` to Hong Kong
forms (as /zh-hk/), with the site's own converter.
"""

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from django.core.exceptions import ValidationError as NotAnIndexNumber
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import quote_etag
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer

from disclosure.filters import MAX_YEAR, MIN_YEAR, SORTS, filter_records
from disclosure.models import Category, DisclosureRecord, Genre, Organization, Topic
from disclosure.numbering import parse_index_number
from disclosure.numbers import MAX_KEY
from disclosure.selectors import public_record_details, public_records
from plans.models import PlanSection
from portal.api import schemas
from portal.api.common import (
    SUMMARY_COLUMNS,
    BadRequest,
    Labels,
    NotModified,
    Number,
    Script,
    conditional,
    not_modified,
    output,
    still_current,
    summary,
)
from portal.api.pagination import FilteredRecords, Listing, RecordPagination, SearchHits


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


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad parameters answer 400 with the problem per parameter, as the listing filters do."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = error.get("loc") or ("request",)
        errors.setdefault(str(location[-1]), []).append(str(error.get("msg", "")))
    return api.create_response(request, {"detail": "请求参数无效。", "errors": errors}, status=400)


@api.exception_handler(BadRequest)
def refused(request: HttpRequest, exc: BadRequest) -> HttpResponse:
    return api.create_response(request, {"detail": exc.detail, "errors": exc.errors}, status=400)


@api.exception_handler(NotModified)
def unchanged(request: HttpRequest, exc: NotModified) -> HttpResponse:
    return not_modified(exc.response)


class RecordQuery(Schema):
    """The public listing's filters (disclosure.filters.RecordFilter), documented for OpenAPI,
    plus the full-text query `q` of the search page (search); `page` and `page_size` are
    RecordPagination's."""

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
    script: Script = Query("hans", description="hant 输出繁体(台湾字形),hant-hk 香港字形")


# No `from __future__ import annotations` in this module: ninja reads the signature of the
# paginated view through its wrapper, whose module could not resolve these names as strings.
@api.get("/records", response={200: schemas.RecordPage, 400: schemas.Error}, tags=["公开信息"])
@paginate(RecordPagination)
def list_records(
    request: HttpRequest, response: HttpResponse, query: Query[RecordQuery]
) -> Listing:
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
        raise BadRequest("筛选条件无效。", errors)
    if query.q and query.q.strip():
        return SearchHits(query=query.q, queryset=queryset)
    if not query.sort:
        queryset = queryset.order_by("-publication_date", "-id")
    return FilteredRecords(queryset=queryset, now=now)


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
    if conditional(request, response, public_records().filter(pk=record.pk)):
        return not_modified(response)
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
    return Status(200, output(plan, script))


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
    if conditional(request, response, public_records().filter(pk=record.pk)):
        return not_modified(response)
    detail = summary(record, Labels(), timezone.localdate())
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
    return Status(200, output(detail, script))


def _vocabulary(
    request: HttpRequest, response: HttpResponse, rows: Sequence[Mapping[str, Any]], script: str
) -> Any:
    if _conditional_vocabulary(request, response, rows):
        return not_modified(response)
    return output(rows, script)


def _conditional_vocabulary(
    request: HttpRequest, response: HttpResponse, rows: Sequence[Mapping[str, Any]]
) -> bool:
    digest = hashlib.sha256(repr((request.get_full_path(), rows)).encode()).hexdigest()[:32]
    return still_current(request, response, etag=quote_etag(digest), max_age=3600)


@api.get("/organizations", response=list[schemas.Organization], tags=["目录与词表"])
def organizations(request: HttpRequest, response: HttpResponse, script: Script = "hans"):
    """发布机构及其上下级关系。"""
    rows = list(Organization.objects.values("id", "name", "short_name", "code", "parent_id"))
    return _vocabulary(request, response, rows, script)


@api.get("/categories", response=list[schemas.Category], tags=["目录与词表"])
def categories(request: HttpRequest, response: HttpResponse, script: Script = "hans"):
    """政府信息公开目录树;`path` 为面包屑路径。"""
    labels = Labels()
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
