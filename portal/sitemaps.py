"""sitemap.xml: every public page kind, in all three scripts (hreflang alternates).

Within the protocol at any size: the index (`/sitemap.xml`) names the small sections (pages,
catalogue, annual reports, plans: Django's sitemap framework) and one records file per block of
`RECORDS_PER_FILE` record ids (`/sitemap-records-N.xml`). A block is a fixed id range, so a file
is one index range scan of at most that many rows, whatever the table's size, and a record
published or withdrawn changes only the file of its own block. Each record gives one URL per
script: 3 × 5,000 = 15,000 URLs (about 5 MB) per file, under the protocol's 50,000.

`<lastmod>` of a record is its last published change (`published_at`), not the row's last
database change: a view count or an internal note is no news to a search engine.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localdate

from disclosure.models import Category
from disclosure.selectors import public_records
from plans.selectors import public_plans
from portal.models import InformationGuide
from reports.models import AnnualReport

LANGUAGES = ["zh-hans", "zh-hant", "zh-hk"]
RECORDS_PER_FILE = 5_000
XML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
MARKER = 987654321


class I18nSitemap(Sitemap):
    i18n = True
    languages = LANGUAGES
    alternates = True


class CatalogueSitemap(I18nSitemap):
    def items(self):
        return Category.objects.order_by("pk")


class PagesSitemap(I18nSitemap):
    """The fixed pages a reader reaches from the menu (issue 19 item 5)."""

    def items(self):
        return [
            "portal:home",
            "portal:records",
            "portal:site_map",
            "portal:annual_reports",
            "portal:plans",
            "portal:request_form",
            # the 政府信息公开指南 answers 404 until a guide exists
            *(["portal:guide"] if InformationGuide.current() is not None else []),
        ]

    def location(self, item):
        return reverse(item)


class AnnualReportSitemap(I18nSitemap):
    """Each published annual report: public exactly when its record is."""

    def items(self):
        return (
            AnnualReport.objects.filter(record__in=public_records())
            .select_related("record")
            .only("pk", "record__published_at")
            .order_by("pk")
        )

    def lastmod(self, item: AnnualReport):
        return item.record.published_at if item.record else None


class PlanSitemap(I18nSitemap):
    """Each public work plan's tracker page."""

    def items(self):
        return (
            public_plans()
            .select_related(None)
            .select_related("record")
            .only("pk", "record_id", "record__published_at")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.record.published_at


SITEMAPS = {
    "pages": PagesSitemap,
    "catalogue": CatalogueSitemap,
    "annual-reports": AnnualReportSitemap,
    "plans": PlanSitemap,
}


def record_files() -> int:
    """How many records files there are: one per block of ids up to the newest public one."""
    newest = public_records().aggregate(newest=Max("pk"))["newest"] or 0
    return max(1, -(-newest // RECORDS_PER_FILE))


def sitemap_index(request: HttpRequest) -> HttpResponse:
    base = f"{request.scheme}://{request.get_host()}"
    locations = [
        reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": name})
        for name in SITEMAPS
    ]
    locations += [
        reverse("sitemap_records", kwargs={"page": n}) for n in range(1, record_files() + 1)
    ]
    body = "".join(f"<sitemap><loc>{escape(base + loc)}</loc></sitemap>\n" for loc in locations)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{body}</sitemapindex>\n"
    )
    return HttpResponse(xml, content_type="application/xml")


def _record_url_templates(base: str) -> list[tuple[str, str]]:
    """(language, URL with `{}` for the id): reversed once per file, not once per record."""
    templates = []
    for language in LANGUAGES:
        with translation.override(language):
            path = reverse("portal:record", kwargs={"pk": MARKER})
        templates.append((language, escape(base + path).replace(str(MARKER), "{}")))
    return templates


def record_sitemap(request: HttpRequest, page: int) -> HttpResponse:
    if page > record_files():
        raise Http404("没有这一页网站地图。")
    first = (page - 1) * RECORDS_PER_FILE + 1
    rows = (
        public_records()
        .filter(pk__range=(first, first + RECORDS_PER_FILE - 1))
        .order_by("pk")
        .values_list("pk", "published_at")
    )
    templates = _record_url_templates(f"{request.scheme}://{request.get_host()}")
    parts = [XML_HEAD]
    for pk, published_at in rows.iterator(chunk_size=RECORDS_PER_FILE):
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{language}" href="{url.format(pk)}"/>'
            for language, url in templates
        )
        lastmod = (
            f"<lastmod>{localdate(published_at).isoformat()}</lastmod>" if published_at else ""
        )
        for _language, url in templates:
            parts.append(f"<url><loc>{url.format(pk)}</loc>{lastmod}{links}</url>\n")
    parts.append("</urlset>\n")
    return HttpResponse("".join(parts), content_type="application/xml")
