"""sitemap.xml: every published record and the catalogue, in both scripts (hreflang alternates)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from disclosure.models import Category
from disclosure.selectors import public_records

LANGUAGES = ["zh-hans", "zh-hant", "zh-hk"]


class RecordSitemap(Sitemap):
    i18n = True
    languages = LANGUAGES
    alternates = True
    limit = 20000

    def items(self):
        return public_records().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CatalogueSitemap(Sitemap):
    i18n = True
    languages = LANGUAGES
    alternates = True

    def items(self):
        return Category.objects.order_by("pk")


class PagesSitemap(Sitemap):
    i18n = True
    languages = LANGUAGES
    alternates = True

    def items(self):
        return ["portal:home", "portal:records", "portal:site_map"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PagesSitemap, "catalogue": CatalogueSitemap, "records": RecordSitemap}
