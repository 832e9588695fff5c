from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from disclosure.models import DisclosureRecord
from disclosure.selectors import public_record_details, public_records, was_withdrawn
from disclosure.services.view_counts import count_record_view
from portal.middleware import script_config, to_traditional_page
from portal.models import SiteSettings
from portal.page_cache import VIEW_COUNT_SLOT
from portal.views.tree import category_tree

HOME_LATEST = 10


def home(request: HttpRequest) -> HttpResponse:
    # only what the list shows (title, 公开日期, link): no body, no joins
    latest = (
        public_records()
        .only("id", "title", "publication_date")
        .order_by("-published_at", "-id")[:HOME_LATEST]
    )
    roots, columns = category_tree()
    return render(
        request, "portal/home.html", {"latest": latest, "roots": roots, "columns": columns}
    )


def _record_or_gone(request: HttpRequest, pk: int) -> DisclosureRecord | HttpResponse:
    try:
        # the 工作计划 link (plans/_record_link.html) in the record's own query, not one more
        record: DisclosureRecord = public_record_details().select_related("work_plan").get(pk=pk)
        return record
    except DisclosureRecord.DoesNotExist:
        if was_withdrawn(pk=pk):
            return render(request, "portal/withdrawn.html", status=410)
        raise Http404("没有找到该信息。") from None


def _validators(
    request: HttpRequest, record: DisclosureRecord, site: SiteSettings
) -> tuple[str, float]:
    """ETag and Last-Modified of the record page: they change when anything shown changes.

    The view count is left out on purpose (a weak validator): a reader revalidating a page
    gets 304 while only the count moved, as for any counter on a cached page.
    """
    moments = [record.updated_at, record.published_at]
    if site.updated_at:
        moments.append(site.updated_at)
    last_modified = max(m for m in moments if m is not None).timestamp()
    parts = [
        str(record.pk),
        str(record.version),
        f"{last_modified:.6f}",
        record.validity_status().value,
        script_config(request) or "hans",
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return "W/" + quote_etag(digest), last_modified


def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_gone(request, pk)
    if isinstance(record, HttpResponse):
        return record
    total = count_record_view(record_id=record.pk, current=record.view_count)
    site = SiteSettings.load()
    etag, last_modified = _validators(request, record, site)
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
    if not_modified is not None:
        return not_modified
    markup = render_to_string(
        "portal/record.html",
        {
            "record": record,
            "validity": record.validity_status(),
            "attachments": record.attachments.all(),
            "site_settings": site,  # read once: the validators above need it too
        },
        request,
    )
    # The count changes on every read: fill it in after conversion, so the page converted to
    # Traditional script stays the same from read to read and its cache entry is reused; the
    # page cache keeps the page with the slot and fills it in on each hit (portal/page_cache.py).
    config = script_config(request)
    if config is not None:
        markup = to_traditional_page(markup, config)
    shown = total if total is not None else record.view_count + 1
    response = HttpResponse(markup.replace(VIEW_COUNT_SLOT, str(shown), 1))
    response.cacheable_content = markup.encode("utf-8")
    response.script_converted = True
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response


def record_print(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_gone(request, pk)
    if isinstance(record, HttpResponse):
        return record
    return render(
        request,
        "portal/record_print.html",
        {
            "record": record,
            "validity": record.validity_status(),
            "attachments": record.attachments.all(),
        },
    )
