from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from portal.sitemaps import SITEMAPS, record_sitemap, sitemap_index
from portal.views import health, site

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The second sign-in step (accounts/): before the admin's own URLs.
    path("admin/2fa/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(("portal.api.urls", "api"), namespace="api")),
    path("robots.txt", site.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_index, name="sitemap_index"),
    path("sitemap-records-<int:page>.xml", record_sitemap, name="sitemap_records"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # Every public page answers at / (Simplified) and at /zh-hant/ (Traditional script).
    *i18n_patterns(path("", include("portal.public_urls")), prefix_default_language=False),
]

handler400 = "portal.views.errors.bad_request"
handler404 = "portal.views.errors.not_found"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
