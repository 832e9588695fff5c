"""Answer page-cache hits before Django's request handling (the WSGI application's front).

A hit of the page cache (portal/page_cache.py) needs the request's key and one Redis script,
nothing else; going through Django's handler, its signals and the middleware chain to reach the
cache middleware cost about as much as the hit itself (docs/benchmarks.md, "the serving path").
The front builds the request, asks the cache with the same functions the middleware uses (so the
key, the counting of views and every refusal are the same), and returns a stored page from
there; a page this worker got from Redis a moment ago comes from its own copy without asking
Redis (portal/page_cache_local.py). Anything else goes on to Django with the cache's answer in
the environ, so a miss is looked up once and the lock a render takes stays with the request
that renders.

Left to Django: HEAD (the body must be left out) and conditional requests (the middleware
answers 304 from the stored validators), and every request that is not a public anonymous GET.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.db import connections

from portal import page_cache
from portal.page_cache_local import local_pages

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
            _close_old_connections()
            return served
        try:
            return application(environ, start_response)
        except BaseException:
            page_cache._release(environ.pop(LOOKUP_KEY, None))  # the middleware never took it
            raise

    return front


def _close_old_connections() -> None:
    """What Django's request cycle does at its end, which a request answered here skips: a
    lookup may have read the next scheduled moment from the database. Not inside a transaction
    (the tests' own)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


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
    conditional = any(name in environ for name in CONDITIONAL)
    local = local_pages()
    if local is not None and not conditional:
        served = _serve_local(local.get(page.material), page, request, start_response)
        if served is not None:
            return served
    mark = local.mark() if local is not None else -1
    found = page_cache.lookup_page(page)
    environ[LOOKUP_KEY] = found
    if found.page is None or conditional:
        return None
    if local is not None and found.state == "hit" and (page.listing or page.record_id):
        local.keep(
            material=page.material,
            depends_on=page.second,
            entry=found.page,
            mark=mark,
            changes_at=found.moment,
            tokens=found.tokens,
        )
    return _respond(request, found, start_response)


def _serve_local(kept, page, request, start_response) -> list[bytes] | None:
    """This worker's copy of the page. A record page's view is counted in Redis (the page shows
    the total after it) in the same call that checks the page's generations are still current,
    so a withdrawn or edited record is never served from a copy; otherwise the page is asked of
    Redis as without the copy."""
    if kept is None:
        return None
    total = None
    if page.record_id is not None:
        if kept.tokens is None:
            return None
        store = page_cache.pages()
        if not isinstance(store, page_cache.RedisPages):
            return None
        try:
            total = store.count_kept(page, kept.tokens)
        except page_cache.CACHE_ERRORS:
            return None
        if total is None:
            return None
    return _respond(request, page_cache.Lookup("hit", page=kept.entry, total=total), start_response)


def _respond(request, found, start_response) -> list[bytes] | None:
    try:
        status, headers, content = page_cache.parts_of(request, found)
    except Exception:  # noqa: BLE001 - an entry it cannot read is a miss, never a 500
        logger.exception("page cache entry unreadable")
        request.META[LOOKUP_KEY] = page_cache.Lookup("bypass")
        return None
    start_response(status, headers)
    return [content]
