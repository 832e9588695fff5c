"""The full-page cache of the public site for anonymous readers, with exact invalidation.

A page is stored under a key made of what selects it (scheme, host, path with its script
prefix, the query string with its parameters sorted, today's date) and of *generations*: random
tokens that a change replaces, so every page rendered before the change becomes unreachable at
once (it then expires). A listing-like page (home, catalogue, listings, search, feeds, sitemaps,
the API, plans, annual reports) holds the site and the listing generation; a record page (and
its print view) holds the site generation and its record's own. `disclosure.changes` announces
after commit which records changed (portal/page_cache_signals.py listens): those records, the
records whose page names one of them (废止依据) and the listing generation are replaced; a
change of anything else (a vocabulary, the site settings, a plan, an import) replaces the site
generation, which every key holds.

Tokens are random, never counters: a generation evicted from the cache comes back as a new
token, never as an old one that old pages were stored under. The date in the key refreshes pages
at midnight, when 失效 (computed from the dates) may change; the listing pages' key holds the
moment of the next scheduled publication, when that record appears in them (`_schedule_part`).

Only anonymous GET/HEAD requests (no session or message cookie) are served from the cache, and
only 200 responses of public pages without Set-Cookie are stored (an error, a 404/410 of a
withdrawn record, a page with a form's CSRF cookie never are); /admin, /requests/, /prefs, the
attachment downloads and the health checks never. A cache that fails (Redis stopped) makes
every request a miss: pages are rendered as without the cache.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from disclosure.changes import next_scheduled_publication
from disclosure.filters import RecordFilter
from disclosure.services.view_counts import count_cached_view
from portal.cache import CACHE_ERRORS

logger = logging.getLogger("portal.page_cache")

#: In the record page's HTML, replaced by the current 浏览次数 on every read, cache hit or not.
#: Escaped titles and sanitized bodies can never contain a comment, and the script conversion
#: leaves comments alone.
VIEW_COUNT_SLOT = "<!--view-count-->"
SITE, LISTING, SCHEDULE = "pc:gen:site", "pc:gen:list", "pc:schedule"
RECORD_PAGE = re.compile(r"^/(?:zh-hant/|zh-hk/)?records/(\d{1,18})/(?:print/)?$")
NEVER_CACHED = re.compile(
    r"^/(?:admin/|healthz|readyz|media/|static/|(?:zh-hant/|zh-hk/)?(?:requests/|prefs|attachments/))"
)
CACHED_TYPES = (
    "text/html",
    "application/atom+xml",
    "application/rss+xml",
    "application/xml",
    "text/xml",
    "application/json",
    "text/plain",
)
#: Headers of the view's response kept with the page; those the outer middleware adds again on
#: every response (security headers, CSP, the request id) are not stored.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Disposition",
    "ETag",
    "Last-Modified",
    "X-Frame-Options",
    "Vary",
    "Cache-Control",
)
MAX_QUERY_CHARS = 1000
#: The parameters some public page reads: the listing filters, paging, search, the API's and
#: the plan tracker's. A request with any other parameter is answered uncached, so arbitrary
#: query strings cannot fill the cache. A view that reads a new parameter adds it here.
KNOWN_PARAMS = frozenset(RecordFilter.base_filters) | {
    "page",
    "page_size",
    "q",
    "script",
    "status",
    "year",
    "organization",
}


def record_generation_key(record_id: int) -> str:
    return f"pc:gen:r:{record_id}"


def _new_token() -> str:
    return secrets.token_hex(8)


# Invalidation ------------------------------------------------------------------------------


def bump_generations(*, record_ids: Iterable[int] | None, related: Iterable[int] = ()) -> None:
    """Make every stored page showing the change unreachable (see the module docstring)."""
    if record_ids is None:
        keys = [SITE]
    else:
        keys = [LISTING] + [record_generation_key(pk) for pk in {*record_ids, *related}]
    try:
        cache.set_many({key: _new_token() for key in keys}, timeout=None)
    except CACHE_ERRORS as error:  # pragma: no cover - the resilient backend logs and drops
        logger.error("page cache generations not replaced: %s", error)


# The key -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageKey:
    key: str
    record_id: int | None


def cacheable_request(request: HttpRequest) -> bool:
    """An anonymous reader's GET of a public page (any cache may keep the answer)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if NEVER_CACHED.match(request.path):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_CHARS


def normalized_query(request: HttpRequest) -> str | None:
    """The parameters sorted (their order never splits the cache); None if one is unknown."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    if any(name not in KNOWN_PARAMS for name, _ in pairs):
        return None
    return urlencode(sorted(pairs))


def _generations(keys: list[str]) -> dict[str, object]:
    """The current token of each generation (a missing one is created: random, see above),
    and the schedule entry if asked for."""
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found and k != SCHEDULE]
    for key in missing:
        cache.add(key, _new_token(), timeout=None)  # raises when the cache is down: uncached
    if missing:
        found.update(cache.get_many(missing))
    return found


def _schedule_part(found: dict[str, object]) -> str:
    """The moment of the next scheduled publication, in the listing pages' key: when it
    passes, that record appears in the listings (the public selectors show it from then on,
    before run_due_tasks runs), so the key changes then. Remembered with the listing
    generation it was read under; read again (one query) after each change or moment."""
    listing = str(found[LISTING])
    entry = found.get(SCHEDULE)
    now = timezone.now()
    if (
        not isinstance(entry, tuple)
        or entry[0] != listing
        or (entry[1] and now.timestamp() >= entry[1])
    ):
        upcoming = next_scheduled_publication(now=now)
        entry = (listing, upcoming.timestamp() if upcoming else 0.0)
        cache.set(SCHEDULE, entry, timeout=None)
    return f"{entry[1]:.6f}"


def page_key(request: HttpRequest) -> PageKey | None:
    """The key of this request's page, or None when it must not use the cache."""
    if not settings.PAGE_CACHE_ENABLED or not cacheable_request(request):
        return None
    query = normalized_query(request)
    if query is None:
        return None
    match = RECORD_PAGE.match(request.path)
    record_id = int(match.group(1)) if match else None
    second = LISTING if record_id is None else record_generation_key(record_id)
    try:
        host = request.get_host()
        found = _generations([SITE, second] if record_id else [SITE, LISTING, SCHEDULE])
        tokens = [str(found[SITE]), str(found[second])]
        if record_id is None:
            tokens.append(_schedule_part(found))
    except Exception as error:  # noqa: BLE001 - DisallowedHost or a cache outage: no caching
        logger.info("page cache bypassed: %s", type(error).__name__)
        return None
    parts = [
        str(request.scheme),
        host,
        request.path,
        query,
        timezone.localdate().isoformat(),
        *tokens,
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    is_record_page = record_id is not None and not request.path.endswith("/print/")
    return PageKey(key=f"pc:page:{digest}", record_id=record_id if is_record_page else None)


# Storing and serving ------------------------------------------------------------------------


def _anonymous(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and content_type in CACHED_TYPES
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
        and "cookie" not in response.get("Vary", "").lower()
        and _anonymous(request)
    )


def mark_public(response: HttpResponse) -> None:
    """Let nginx or a CDN keep the page briefly: a withdrawal may outlive it there up to
    PAGE_CACHE_MAX_AGE seconds (docs/scaling.md); this cache itself is exact.

    No `Vary: Cookie`: a public page is the same bytes for every reader, staff included (the
    font size lives in /prefs.css, which is private), so a shared cache needs no split; a
    response that did read the session gets SessionMiddleware's own `Vary: Cookie` and is
    never stored here. No `Vary: Accept-Encoding` either: the application never compresses
    (nginx's `gzip_vary on` adds it where it compresses).
    """
    age = settings.PAGE_CACHE_MAX_AGE
    response["Cache-Control"] = f"public, max-age={age}, s-maxage={age}"


def mark_private(response: HttpResponse) -> None:
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "private, no-store"


def store(key: PageKey, request: HttpRequest, response: HttpResponse) -> None:
    content = getattr(response, "cacheable_content", None) or response.content
    entry = {
        "content": content,
        "headers": [(h, response[h]) for h in KEPT_HEADERS if response.has_header(h)],
        "record_id": key.record_id,
    }
    try:
        cache.set(key.key, entry, settings.PAGE_CACHE_SECONDS)
    except CACHE_ERRORS as error:
        logger.info("page not cached: %s", type(error).__name__)


def serve(key: PageKey, request: HttpRequest) -> HttpResponse | None:
    """The stored page, with the current view count filled in; None on a miss."""
    entry = cache.get(key.key)
    if entry is None:
        return None
    content = entry["content"]
    if entry["record_id"] is not None:
        total = count_cached_view(record_id=entry["record_id"])
        if total is None:  # the counter is gone (evicted): render, which counts and restores it
            return None
        content = content.replace(VIEW_COUNT_SLOT.encode(), str(total).encode(), 1)
    response = HttpResponse(content)
    for header, value in entry["headers"]:
        response[header] = value
    response.script_converted = True  # type: ignore[attr-defined]
    response["X-Page-Cache"] = "hit"
    etag, modified = response.get("ETag"), response.get("Last-Modified")
    if etag or modified:
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=parse_http_date_safe(modified) if modified else None
        )
        if not_modified is not None:
            for header in ("Cache-Control", "Vary", "ETag", "Last-Modified"):
                if response.has_header(header):
                    not_modified[header] = response[header]
            return not_modified
    return response


class PageCacheMiddleware:
    """Serve and store anonymous readers' pages (see the module docstring). Sits outside the
    session, script conversion and locale middleware, so a hit skips them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        public = cacheable_request(request)
        key = page_key(request) if public else None
        if key is not None:
            hit = serve(key, request)
            if hit is not None:
                return hit
        response = self.get_response(request)
        if public and cacheable_response(request, response):
            mark_public(response)
            if key is not None:
                store(key, request, response)
                response["X-Page-Cache"] = "miss"
        elif public and response.status_code == 304:
            mark_public(response)
        else:
            mark_private(response)
        return response
