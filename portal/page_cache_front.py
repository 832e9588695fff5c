"""Answer page-cache hits before Django's request handling (the WSGI application's front).

A hit of the page cache (portal/page_cache.py) needs the request's key and one Redis script,
nothing else; going through Django's handler, its signals and the middleware chain to reach the
cache middleware cost about as much as the hit itself (docs/benchmarks.md, "the serving path").
The front builds the request, asks the cache with the same functions the middleware uses (so the
key, the counting of views and every refusal are the same), and returns a stored page from
there. Anything else goes on to Django with the cache's answer in the environ, so a miss is
looked up once and the lock a render takes stays with the request that renders.

Left to Django: HEAD (the body must be left out) and conditional requests (the middleware
answers 304 from the stored validators), and every request that is not a public anonymous GET.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIRequest

from portal import page_cache

logger = logging.getLogger("portal.page_cache")

LOOKUP_KEY = page_cache.FRONT_LOOKUP
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")

StartResponse = Callable[..., Any]
WSGIApplication = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def page_cache_front(application: WSGIApplication) -> WSGIApplication:
    """The WSGI application with hits answered in front of it."""

    def front(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        served = _serve_hit(environ, start_response)
        if served is not None:
            return served
        return application(environ, start_response)

    return front


def _serve_hit(environ: dict[str, Any], start_response: StartResponse) -> list[bytes] | None:
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    try:
        request = WSGIRequest(environ)
        if not page_cache.cacheable_request(request):
            return None
        page = page_cache.page_request(request)
        if page is None:
            return None
    except Exception:  # noqa: BLE001 - whatever Django would refuse, Django refuses
        return None
    found = page_cache.lookup_page(page)
    environ[LOOKUP_KEY] = found
    if found.page is None or any(name in environ for name in CONDITIONAL):
        return None
    try:
        status, headers, content = page_cache.parts_of(request, found)
    except Exception:  # noqa: BLE001 - an entry it cannot read is a miss, never a 500
        logger.exception("page cache entry unreadable")
        environ[LOOKUP_KEY] = page_cache.Lookup("bypass")
        return None
    start_response(status, headers)
    return [content]
