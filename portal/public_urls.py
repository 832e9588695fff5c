"""The public site's URLs.

Contract for every page added here (search, plan tracker, request form, …):
- portal/urls.py mounts this module inside `i18n_patterns(prefix_default_language=False)`, so
  every pattern answers at its own path in Simplified script, under `/zh-hant/` in
  Traditional script (Taiwan forms) and under `/zh-hk/` (Hong Kong forms). `{% url %}` and
  `reverse()` keep the reader's script automatically.
- portal.middleware.TraditionalScriptMiddleware converts the whole rendered HTML (and Atom)
  response server-side; write templates and messages in Simplified only.
- Templates extend "base.html" and fill `{% block title %}` and `{% block content %}`
  (optionally `{% block head_extra %}` for <link>/<meta>); the header, 繁体版/简体版 toggle,
  字号 control, canonical/hreflang links and footer come from base.html.
- The header search box submits `q` to the full-text search page `search`.
- Pages must render the same bytes for every reader (the font size lives in /prefs.css), so
  they stay cacheable. No inline <script>, on* attributes or style= attributes: static files.
"""

from django.urls import path, register_converter

from disclosure.numbers import KeyConverter
from portal.feeds import CategoryFeed, LatestRecordsFeed, OrganizationFeed
from portal.views import (
    annual_reports,
    attachments,
    catalogue,
    guide,
    plans,
    prefs,
    preview,
    records,
    requests,
    search,
    site,
)

app_name = "portal"
# `<key:pk>`: 1-18 ASCII digits (disclosure.numbers); a longer number is a 404, not an overflow.
register_converter(KeyConverter, "key")

urlpatterns = [
    path("", records.home, name="home"),
    path("catalogue/<slug:slug>/", catalogue.category, name="category"),
    path("records/", catalogue.record_list, name="records"),
    path("records/<key:pk>/", records.record_detail, name="record"),
    # 「预览」 of a draft or pending revision, for staff only (never cached)
    path("preview/<key:pk>/", preview.record_preview, name="record_preview"),
    path(
        "preview/<key:pk>/attachments/<str:kind>/<key:attachment>/",
        preview.record_preview_attachment,
        name="record_preview_attachment",
    ),
    path("requests/apply/", requests.request_form, name="request_form"),
    path("requests/receipt/", requests.request_receipt, name="request_receipt"),
    path("requests/status/", requests.request_status, name="request_status"),
    path("annual-reports/", annual_reports.annual_report_list, name="annual_reports"),
    path("annual-reports/<key:pk>/", annual_reports.annual_report_detail, name="annual_report"),
    path(
        "annual-reports/<key:pk>/xlsx/",
        annual_reports.annual_report_download,
        name="annual_report_xlsx",
    ),
    path("guide/", guide.guide, name="guide"),
    path("plans/", plans.plans, name="plans"),
    path("plans/<key:pk>/", plans.plan_detail, name="plan"),
    path("records/<key:pk>/print/", records.record_print, name="record_print"),
    path("attachments/<key:pk>/", attachments.attachment_download, name="attachment_download"),
    path("sitemap/", site.site_map, name="site_map"),
    path("prefs/font-size/", prefs.set_font_size, name="set_font_size"),
    path("prefs.css", prefs.prefs_css, name="prefs_css"),
    path("feeds/latest/", LatestRecordsFeed(), name="feed_latest"),
    path("feeds/catalogue/<slug:slug>/", CategoryFeed(), name="feed_category"),
    path("feeds/organization/<key:pk>/", OrganizationFeed(), name="feed_organization"),
    path("search/", search.search, name="search"),
]
