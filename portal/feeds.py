"""Atom feeds: the latest records, per catalogue node and per organization.

Under /zh-hant/ the same feeds come in Traditional script (the middleware converts Atom too).

An entry's `<id>` is a tag: URI on the record's 信息索引号, so one record has one id on every
host and in every script (a reader does not show it twice); `<updated>` is the record's last
published change (`published_at`, set again by each publication), not the row's last database
change. Each feed answers If-None-Match / If-Modified-Since with 304 through Django's
conditional-response machinery, from one small query over the entries it would list.
"""

from __future__ import annotations

import hashlib

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date, quote_etag

from disclosure.models import Category, DisclosureRecord, Organization
from disclosure.selectors import public_records
from portal.models import SiteSettings

FEED_SIZE = 30
#: The tag: URI authority and date (RFC 4151): fixed, so ids never depend on the host serving
#: the feed; the 信息索引号 is unique nationally (it starts with the organization's code).
TAG_PREFIX = "tag:xxgk.gov.cn,2008:"
FEED_COLUMNS = (
    "id",
    "title",
    "summary",
    "index_number",
    "published_at",
    "organization__name",
    "category__name",
)


class PlainSummaryAtomFeed(Atom1Feed):
    """内容概述 is plain text: sent as `type="text"`, so a feed reader shows `<` and `&` as
    typed (Django's Atom feed sends every description as `type="html"`, which a reader would
    render: a summary holding `<script>` or `<img>` became markup)."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class LatestRecordsFeed(Feed):
    feed_type = PlainSummaryAtomFeed

    def title(self, obj=None) -> str:
        return f"{SiteSettings.load().site_name} · 政府信息公开 · 最新信息"

    def link(self, obj=None) -> str:
        return reverse("portal:home")

    def subtitle(self, obj=None) -> str:
        return "最新发布的政府信息"

    def records(self, obj=None):
        return public_records()

    def latest(self, obj=None):
        return self.records(obj).order_by("-published_at", "-id")[:FEED_SIZE]

    def items(self, obj=None):
        return self.latest(obj).select_related("organization", "category").only(*FEED_COLUMNS)

    def item_guid(self, item: DisclosureRecord) -> str:
        return TAG_PREFIX + (item.index_number or f"record-{item.pk}")

    def item_guid_is_permalink(self, item: DisclosureRecord) -> bool:
        return False

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """304 when the reader's copy lists the same entries at the same versions."""
        obj = self.get_object(request, *args, **kwargs)
        rows = list(self.latest(obj).values_list("pk", "published_at", "updated_at"))
        last = max((published for _pk, published, _edit in rows if published), default=None)
        raw = repr((request.path, self.title(obj), rows))
        etag = quote_etag(hashlib.sha256(raw.encode()).hexdigest()[:32])
        last_modified = int(last.timestamp()) if last else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = super().__call__(request, *args, **kwargs)
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        return response

    def item_title(self, item: DisclosureRecord) -> str:
        return item.title

    def item_description(self, item: DisclosureRecord) -> str:
        return item.summary or item.title

    def item_pubdate(self, item: DisclosureRecord):
        return item.published_at

    def item_updateddate(self, item: DisclosureRecord):
        return item.published_at

    def item_author_name(self, item: DisclosureRecord) -> str:
        return item.organization.name

    def item_categories(self, item: DisclosureRecord) -> list[str]:
        return [item.category.name]


class CategoryFeed(LatestRecordsFeed):
    def get_object(self, request, slug: str) -> Category:
        return get_object_or_404(Category, slug=slug)

    def title(self, obj: Category) -> str:
        return f"{SiteSettings.load().site_name} · {obj.name}"

    def link(self, obj: Category) -> str:
        return obj.get_absolute_url()

    def records(self, obj: Category):
        return public_records().filter(category_id__in=obj.descendant_ids())


class OrganizationFeed(LatestRecordsFeed):
    def get_object(self, request, pk: int) -> Organization:
        return get_object_or_404(Organization, pk=pk)

    def title(self, obj: Organization) -> str:
        return f"{SiteSettings.load().site_name} · {obj.name}"

    def link(self, obj: Organization) -> str:
        return reverse("portal:records") + f"?organization={obj.pk}"

    def records(self, obj: Organization):
        return public_records().of_organization(obj)
