"""Traditional script for every public page: convert the rendered response server-side.

The language comes from the URL (`/zh-hant/...` Taiwan-standard forms, OpenCC s2tw; `/zh-hk/...`
Hong Kong forms, s2hk; see portal/public_urls.py); LocaleMiddleware,
which sits inside this one, activates it. This middleware converts the finished HTML (or Atom)
response with disclosure.convert, so every page, including pages other modules add, is
available in Traditional script without any work in their views or templates.

A view that converts its own page (the record page, to keep its view count out of the cached
part) sets `response.script_converted = True`. Converted pages are cached by the hash of the
Simplified page: the cache can never serve a stale or another page's conversion, and a page
rendered identically again (listings, the home page, error pages) is converted once.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from disclosure.convert import HONG_KONG, TAIWAN, convert_html

TRADITIONAL = "zh-hant"
HONG_KONG_TRADITIONAL = "zh-hk"
# Language code (URL prefix) → OpenCC configuration of the page.
SCRIPT_CONFIGS = {TRADITIONAL: TAIWAN, HONG_KONG_TRADITIONAL: HONG_KONG}
CONVERTED_TYPES = ("text/html", "application/atom+xml", "application/rss+xml")
CACHE_SECONDS = 60 * 60 * 24


def script_config(request: HttpRequest | None = None) -> str | None:
    """The OpenCC configuration of the reader's page, or None for Simplified script."""
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    return SCRIPT_CONFIGS.get((language or "").lower())


def is_traditional(request: HttpRequest | None = None) -> bool:
    return script_config(request) is not None


def to_traditional_page(markup: str, config: str = TAIWAN) -> str:
    key = f"hant-page:{config}:" + hashlib.sha256(markup.encode("utf-8")).hexdigest()
    converted = cache.get(key)
    if converted is None:
        converted = convert_html(markup, config)
        cache.set(key, converted, CACHE_SECONDS)
    return converted


def _drop_accept_language_vary(response: HttpResponse) -> None:
    """The script comes from the URL alone (an unprefixed path is always Simplified), so a
    page never varies on Accept-Language; LocaleMiddleware's Vary would only split caches."""
    if not response.has_header("Vary"):
        return
    kept = [
        v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "accept-language"
    ]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]


class TraditionalScriptMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
            _drop_accept_language_vary(response)
            return self._convert(request, response)
        finally:
            # LocaleMiddleware leaves the language active on the thread; the next thing that
            # runs there (a test, a task, a worker thread) must not inherit Traditional script.
            translation.deactivate()

    def _convert(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        config = script_config(request)
        if (
            config is None
            or getattr(response, "script_converted", False)
            or response.streaming
            or content_type not in CONVERTED_TYPES
            or not response.content
        ):
            return response
        charset = response.charset or "utf-8"
        markup = response.content.decode(charset)
        response.content = to_traditional_page(markup, config).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
