"""What every public page's header and footer need: site settings, script URLs, navigation."""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.functional import SimpleLazyObject

from disclosure.models import Category
from portal.middleware import HONG_KONG_TRADITIONAL, TRADITIONAL, script_config
from portal.models import SiteSettings
from portal.views.prefs import FONT_SIZES

HANT_PREFIX = "/" + TRADITIONAL
HK_PREFIX = "/" + HONG_KONG_TRADITIONAL
# The page's `lang` and hreflang per OpenCC configuration (None: Simplified).
HTML_LANGS = {None: "zh-Hans", "s2tw": "zh-Hant-TW", "s2hk": "zh-Hant-HK"}


def script_paths(request: HttpRequest) -> tuple[str, str, str]:
    """The same page (path and query) in Simplified, Taiwan and Hong Kong Traditional script.

    Works on path_info, so a site mounted under a sub-path (SCRIPT_NAME) keeps its mount point.
    """
    info = request.path_info
    for prefix in (HANT_PREFIX, HK_PREFIX):
        if info == prefix or info.startswith(prefix + "/"):
            info = info[len(prefix) :] or "/"
            break
    mount = get_script_prefix().rstrip("/")
    query = request.META.get("QUERY_STRING", "")
    suffix = escape_uri_path(info) + (f"?{iri_to_uri(query)}" if query else "")
    return mount + suffix, mount + HANT_PREFIX + suffix, mount + HK_PREFIX + suffix


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
    config = script_config(request)
    simplified_path, traditional_path, hong_kong_path = script_paths(request)
    canonical_path = {None: simplified_path, "s2hk": hong_kong_path}.get(config, traditional_path)
    return {
        # The header search box goes to the full-text search page.
        "search_url": reverse("portal:search"),
        "search_param": "q",
        # Lazy: pages that never show the header (admin, feeds) run no query for it.
        "site_settings": SimpleLazyObject(SiteSettings.load),
        "is_traditional": config is not None,
        "is_hong_kong": config == "s2hk",
        "html_lang": HTML_LANGS[config],
        "simplified_path": simplified_path,
        "traditional_path": traditional_path,
        "hong_kong_path": hong_kong_path,
        "canonical_url": absolute_url(request, canonical_path),
        "simplified_url": absolute_url(request, simplified_path),
        "traditional_url": absolute_url(request, traditional_path),
        "hong_kong_url": absolute_url(request, hong_kong_path),
        "current_path": request.get_full_path(),
        "main_columns": Category.objects.filter(parent__isnull=False, parent__parent=None),
        "font_sizes": FONT_SIZES,
    }
