"""Atom feeds: the latest records, per catalogue node and per organization.

Under /zh-hant/ the same feeds come in Traditional script (the middleware converts Atom too).
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from disclosure.models import Category, DisclosureRecord, Organization
from disclosure.selectors import public_records
from portal.models import SiteSettings

FEED_SIZE = 30


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

    def items(self, obj=None):
        return self.records(obj).for_listing().order_by("-published_at", "-id")[:FEED_SIZE]

    def item_title(self, item: DisclosureRecord) -> str:
        return item.title

    def item_description(self, item: DisclosureRecord) -> str:
        return item.summary or item.title

    def item_pubdate(self, item: DisclosureRecord):
        return item.published_at

    def item_updateddate(self, item: DisclosureRecord):
        return item.updated_at

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
