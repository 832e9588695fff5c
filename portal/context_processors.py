"""What every public page's header and footer need: site settings, script URLs, navigation."""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.functional import SimpleLazyObject

from disclosure.models import Category
from portal.middleware import is_traditional
from portal.models import SiteSettings
from portal.views.prefs import FONT_SIZES

HANT_PREFIX = "/zh-hant"


def script_paths(request: HttpRequest) -> tuple[str, str]:
    """The same page (path and query) in Simplified and in Traditional script.

    Works on path_info, so a site mounted under a sub-path (SCRIPT_NAME) keeps its mount point.
    """
    info = request.path_info
    if info == HANT_PREFIX or info.startswith(HANT_PREFIX + "/"):
        info = info[len(HANT_PREFIX) :] or "/"
    mount = get_script_prefix().rstrip("/")
    query = request.META.get("QUERY_STRING", "")
    suffix = escape_uri_path(info) + (f"?{iri_to_uri(query)}" if query else "")
    return mount + suffix, mount + HANT_PREFIX + suffix


def absolute_url(request: HttpRequest, path: str) -> str:
    """The path as an absolute URL on the requested host; the bare path if the Host is refused.

    A request whose Host is not in ALLOWED_HOSTS is answered by the 400 page, which renders
    through this processor: asking for the host again would turn the 400 into a 500.
    """
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        return path


def site(request: HttpRequest) -> dict:
    traditional = is_traditional(request)
    simplified_path, traditional_path = script_paths(request)
    canonical_path = traditional_path if traditional else simplified_path
    return {
        # The header search box goes to the full-text search page.
        "search_url": reverse("portal:search"),
        "search_param": "q",
        # Lazy: pages that never show the header (admin, feeds) run no query for it.
        "site_settings": SimpleLazyObject(SiteSettings.load),
        "is_traditional": traditional,
        "html_lang": "zh-Hant" if traditional else "zh-Hans",
        "simplified_path": simplified_path,
        "traditional_path": traditional_path,
        "canonical_url": absolute_url(request, canonical_path),
        "simplified_url": absolute_url(request, simplified_path),
        "traditional_url": absolute_url(request, traditional_path),
        "current_path": request.get_full_path(),
        "main_columns": Category.objects.filter(parent__isnull=False, parent__parent=None),
        "font_sizes": FONT_SIZES,
    }
