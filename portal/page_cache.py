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
moment of the next scheduled publication, when that record appears in them (`SCHEDULE`).

**One render per page, and no wait after a publication** (decision 0005). The reader who
misses a page takes a short lock on it and renders it; readers who miss it meanwhile get the
page of an earlier generation ("stale", `X-Page-Cache: stale`) if one is allowed, or wait for
the render (at most `WAIT_SECONDS`, then render themselves). An earlier generation is allowed
only within the same *floor*: a third token, replaced by every change that can take something
out of public view (a withdrawal, an edit, a repeal, an expiry, anything site-wide) and kept by
a change that only adds (a publication, announced with `added=True`). A withdrawn record is
therefore never served from a stale page: the withdrawal replaced the floor, and no page
rendered before it can be found under the new one. Record pages are never served stale. A
listing page other than home may lag an addition by `addition_lag()` seconds without even
being rendered (so that, while publications go on, it renders once per lag, not once per
publication). A reader who left while the request queued is not rendered for (`reader_gone`).

**A hit is one Redis round trip**: one Lua script reads the tokens, makes the key, reads the
page and, on a record page, counts the view (disclosure/services/view_counts.py); the page is
stored with every header it is sent with (security headers and CSP included: the middleware
sits outside them), so a hit builds the response from the stored headers and bytes. Without
Redis (the SQLite demo's local memory cache) the same steps run through Django's cache API.

Only anonymous GET/HEAD requests (no session or message cookie) are served from the cache, and
only 200 responses of public pages without Set-Cookie are stored (an error, a 404/410 of a
withdrawn record, a page with a form's CSRF cookie never are), nor a page whose CSP holds a
nonce (it must be new on each response); /admin, /requests/, /prefs, the attachment downloads
and the health checks never. A cache that fails (Redis stopped) makes every request a miss:
pages are rendered as without the cache.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from disclosure.changes import next_scheduled_publication
from disclosure.filters import RecordFilter
from disclosure.services import view_counts
from portal import page_cache_local
from portal.cache import CACHE_ERRORS
from portal.request_log import REQUEST_ID_HEADER, request_id_for

logger = logging.getLogger("portal.page_cache")

#: In the record page's HTML, replaced by the current 浏览次数 on every read, cache hit or not.
#: Escaped titles and sanitized bodies can never contain a comment, and the script conversion
#: leaves comments alone.
VIEW_COUNT_SLOT = "<!--view-count-->"
#: "pc2": the tokens are plain strings and the pages (headers, bytes) since the one-script read;
#: the keys of the earlier format (pickled by Django's cache) are not read, they expire.
SITE, LISTING, FLOOR = "pc2:gen:site", "pc2:gen:list", "pc2:gen:floor"
SCHEDULE, PAGE_PREFIX, RENDERS = "pc2:schedule", "pc2:page:", "pc2:renders"
RECORD_PAGE = re.compile(r"^/(?:zh-hant/|zh-hk/)?records/(\d{1,18})/(print/)?$")
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
#: Headers of the response not stored with the page: made again for each response.
UNSTORED_HEADERS = frozenset({"content-length", "set-cookie", "x-page-cache", "x-request-id"})
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
#: How long one reader may hold a page's render; a render that dies frees it after this.
LOCK_SECONDS = 10
#: How long a reader who finds the page being rendered, with no earlier page allowed, waits for
#: it before rendering it too (below wrk's and most browsers' patience).
WAIT_SECONDS = 2.0
WAIT_STEP = 0.015
#: After an addition (a publication), how long a listing page other than home may still be
#: served as it was before it (settings.PAGE_CACHE_ADDITION_LAG, seconds): while publications
#: go on, each such page is rendered at most once per this many seconds instead of once per
#: publication (docs/benchmarks.md: a crowd on two cores cannot afford one render per listing
#: page per publication). Home is rendered anew after every publication (one reader renders,
#: the others get the page from before it meanwhile). Nothing that may hide a record is ever
#: delayed: see the floor.
ADDITION_LAG = 1.0
HOME = re.compile(r"^/(?:zh-hant/|zh-hk/)?$")
#: The environ key under which portal/page_cache_front.py hands its lookup on to the middleware.
FRONT_LOOKUP = "portal.page_cache.lookup"


def addition_lag() -> float:
    return float(getattr(settings, "PAGE_CACHE_ADDITION_LAG", ADDITION_LAG))


def render_slots() -> int:
    """settings.PAGE_CACHE_RENDER_SLOTS: how many listing pages that have an earlier page to
    serve meanwhile may be rendered at once, over every worker sharing the cache (0: no limit).
    The rest of the workers answer hits: under a crowd while publications go on, a listing
    lags longer than `addition_lag()` rather than every worker rendering while readers queue
    (docs/benchmarks.md, the crowd). Home and pages with no earlier page are always rendered;
    a page that may hide something has no earlier page (the floor)."""
    return int(getattr(settings, "PAGE_CACHE_RENDER_SLOTS", 0))


def record_generation_key(record_id: int) -> str:
    return f"pc2:gen:r:{record_id}"


def _new_token() -> str:
    return secrets.token_hex(8)


# The request ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    """What selects a page: `material` (scheme, host, path, normalized query, date), its
    generation (`second`: the listing's or its record's), and whether a read counts a view."""

    material: str
    second: str
    listing: bool
    record_id: int | None  # a record page that counts its views (not the print view)
    lag: float = 0.0  # how long after an addition the page from before it may still be served
    slots: int = 0  # renders of pages with an earlier one to serve, at once at most (0: any)


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
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return ""
    pairs = parse_qsl(raw, keep_blank_values=True)
    if any(name not in KNOWN_PARAMS for name, _ in pairs):
        return None
    return urlencode(sorted(pairs))


def page_request(request: HttpRequest) -> PageRequest | None:
    """The page a cacheable request asks for, or None when it must not use the cache."""
    if not settings.PAGE_CACHE_ENABLED:
        return None
    query = normalized_query(request)
    if query is None:
        return None
    try:
        host = request.get_host()
    except Exception as error:  # noqa: BLE001 - DisallowedHost: answered uncached
        logger.info("page cache bypassed: %s", type(error).__name__)
        return None
    path = request.path
    match = RECORD_PAGE.match(path)
    date = timezone.localdate().isoformat()
    material = f"{request.scheme}\n{host}\n{path}\n{query}\n{date}"
    if match is None:
        home = HOME.match(path) is not None
        return PageRequest(
            material=material,
            second=LISTING,
            listing=True,
            record_id=None,
            lag=0.0 if home else addition_lag(),
            slots=0 if home else render_slots(),
        )
    record_id = int(match.group(1))
    return PageRequest(
        material=material,
        second=record_generation_key(record_id),
        listing=False,
        record_id=None if match.group(2) else record_id,
    )


# The stores: Redis (one script per read) and any other Django cache -------------------------


@dataclass
class Lookup:
    """What the cache said. `state`: hit (serve `page`), stale (serve `page`, an earlier
    generation's), render (this request holds the lock: render and store), count (the page is
    there but its view counter is not: render, which counts and restores it), wait (another
    reader renders it)."""

    state: str
    key: str = ""
    stale_key: str = ""
    page: bytes | None = None
    total: int | None = None
    owner: str = ""
    #: a listing page's: when the next scheduled publication appears (the page changes then)
    moment: float | None = None
    #: a hit's: the site and second generation tokens its key was made of
    tokens: tuple[bytes, bytes] | None = None


# KEYS: site, second generation, floor, schedule, view total, pending views, processing views,
# renders in flight (owner → until when).
# ARGV: material, a new token, now, listing?, record id, total's lifetime, page key prefix,
# lock ms, lock owner, lag, render slots. A missing token is created (random, from ARGV[2]).
# The stale pointer of a listing page (`<stored at>|<page key>`, under the site and floor
# tokens) names the latest page stored for that URL since the last change that may have hidden
# something.
_LOOKUP = """
local function token(key)
  local value = redis.call('GET', key)
  if not value then
    value = ARGV[2]
    redis.call('SET', key, value)
  end
  return value
end
local site = token(KEYS[1])
local second = token(KEYS[2])
local material = ARGV[1] .. '\\n' .. site .. '\\n' .. second
local stale_key = ''
local moment = nil
if ARGV[4] == '1' then
  local floor = token(KEYS[3])
  local entry = redis.call('GET', KEYS[4])
  if entry then
    local sep = string.find(entry, '|', 1, true)
    if sep and string.sub(entry, 1, sep - 1) == second then
      moment = string.sub(entry, sep + 1)
      if moment ~= '0' and tonumber(ARGV[3]) >= tonumber(moment) then moment = nil end
    end
  end
  if not moment then return {'schedule', second} end
  material = material .. '\\n' .. moment
  stale_key = ARGV[7] .. 'stale:' .. redis.sha1hex(ARGV[1] .. '\\n' .. site .. '\\n' .. floor)
end
local key = ARGV[7] .. redis.sha1hex(material)
local page = redis.call('GET', key)
if page then
  if ARGV[5] == '' then return {'hit', key, page, '', moment or '', site, second} end
  if not redis.call('GET', KEYS[5]) then return {'count', key} end
  redis.call('HINCRBY', KEYS[6], ARGV[5], 1)
  redis.call('EXPIRE', KEYS[5], ARGV[6])
  return {'hit', key, page, redis.call('INCR', KEYS[5]), '', site, second}
end
local earlier, age = nil, nil
if stale_key ~= '' then
  local pointer = redis.call('GET', stale_key)
  if pointer then
    local sep = string.find(pointer, '|', 1, true)
    earlier = string.sub(pointer, sep + 1)
    age = tonumber(ARGV[3]) - tonumber(string.sub(pointer, 1, sep - 1))
  end
end
if earlier and age < tonumber(ARGV[10]) then
  local stale = redis.call('GET', earlier)
  if stale then return {'stale', key, stale} end
end
local slots = tonumber(ARGV[11])
if earlier and slots > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', ARGV[3])
  if redis.call('ZCARD', KEYS[8]) >= slots then
    local stale = redis.call('GET', earlier)
    if stale then return {'stale', key, stale} end
  end
end
if redis.call('SET', key .. ':lock', ARGV[9], 'NX', 'PX', ARGV[8]) then
  if earlier and slots > 0 then
    redis.call('ZADD', KEYS[8], tonumber(ARGV[3]) + tonumber(ARGV[8]) / 1000, ARGV[9])
  end
  return {'render', key, stale_key}
end
if earlier then
  local stale = redis.call('GET', earlier)
  if stale then return {'stale', key, stale} end
end
return {'wait', key}
"""
# KEYS: page, its lock, its stale pointer (or ''), renders in flight. ARGV: entry, seconds,
# lock owner, now.
_STORE = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if KEYS[3] ~= '' then redis.call('SET', KEYS[3], ARGV[4] .. '|' .. KEYS[1], 'EX', ARGV[2]) end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[4], ARGV[3])
return 1
"""
# KEYS: a page's lock, renders in flight. ARGV: lock owner.
# A record page from a worker's own copy (portal/page_cache_local.py): counted only if the site
# and record generations are still those the copy was read under, so a withdrawal or an edit is
# never served from a copy, even before its message reached this worker (else: nil, ask again).
# KEYS: site, record generation, view total, pending views. ARGV: the two tokens, record id,
# total's lifetime.
_COUNT_KEPT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return false
end
if not redis.call('GET', KEYS[3]) then return false end
redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
redis.call('EXPIRE', KEYS[3], ARGV[4])
return redis.call('INCR', KEYS[3])
"""
_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisPages:
    """The pages, tokens and locks in Redis, read by one script per request."""

    def __init__(self, backend: RedisCache) -> None:
        self.client = backend._cache.get_client(write=True)
        self.name = backend.make_key
        self.site, self.listing = self.name(SITE), self.name(LISTING)
        self.floor, self.schedule = self.name(FLOOR), self.name(SCHEDULE)
        self.prefix = self.name(PAGE_PREFIX)
        self.renders = self.name(RENDERS)
        self.channel = page_cache_local.channel_of(backend, self.client)
        self.lookup_script = self.client.register_script(_LOOKUP)
        self.store_script = self.client.register_script(_STORE)
        self.release_script = self.client.register_script(_RELEASE)
        self.count_kept_script = self.client.register_script(_COUNT_KEPT)

    def lookup(self, page: PageRequest, owner: str) -> Lookup:
        second = self.listing if page.listing else self.name(page.second)
        counters = view_counts.counter_keys(page.record_id) if page.record_id else ["", "", ""]
        args = [
            page.material, _new_token(), repr(time.time()), "1" if page.listing else "0",
            page.record_id or "", view_counts.TOTAL_SECONDS, self.prefix,
            int(LOCK_SECONDS * 1000), owner, repr(page.lag), page.slots,
        ]  # fmt: skip
        keys = [self.site, second, self.floor, self.schedule, *counters, self.renders]
        for _ in range(2):
            found = self.lookup_script(keys=keys, args=args)
            state = found[0].decode()
            if state != "schedule":
                break
            self._set_schedule(found[1])
        else:  # pragma: no cover - the schedule moment passed between the two reads
            return Lookup("bypass")
        return Lookup(
            state=state,
            key=found[1].decode(),
            stale_key=found[2].decode() if state == "render" else "",
            page=found[2] if state in ("hit", "stale") else None,
            total=int(found[3]) if len(found) > 3 and found[3] != b"" else None,
            owner=owner,
            moment=float(found[4]) if len(found) > 4 and found[4] not in (b"", b"0") else None,
            tokens=(found[5], found[6]) if len(found) > 6 else None,
        )

    def count_kept(self, page: PageRequest, tokens: tuple[bytes, bytes]) -> int | None:
        """Count a view of a record page served from a worker's copy and return the total, or
        None (nothing counted) if its generations changed or the total is not there."""
        assert page.record_id is not None
        total, pending, _ = view_counts.counter_keys(page.record_id)
        keys = [self.site, self.name(page.second), total, pending]
        args: list[bytes | int] = [*tokens, page.record_id, view_counts.TOTAL_SECONDS]
        found = self.count_kept_script(keys=keys, args=args)
        return None if found is None else int(found)

    def _set_schedule(self, listing: bytes) -> None:
        """The moment of the next scheduled publication, remembered with the listing
        generation it was read under: when it passes, that record appears in the listings
        (the public selectors show it from then on, before run_due_tasks runs), so the key
        changes then. Read again (one query) after each change or moment."""
        upcoming = next_scheduled_publication(now=timezone.now())
        moment = repr(upcoming.timestamp()) if upcoming else "0"
        self.client.set(self.schedule, listing + b"|" + moment.encode())

    def store(self, lookup: Lookup, entry: bytes) -> None:
        keys = [lookup.key, lookup.key + ":lock", lookup.stale_key, self.renders]
        args: list[bytes | str | int] = [
            entry,
            settings.PAGE_CACHE_SECONDS,
            lookup.owner,
            repr(time.time()),
        ]
        self.store_script(keys=keys, args=args)

    def release(self, lookup: Lookup) -> None:
        self.release_script(keys=[lookup.key + ":lock", self.renders], args=[lookup.owner])

    def bump(self, keys: list[str]) -> None:
        """Replace the tokens and tell every worker's local copy (portal/page_cache_local.py)
        which ones, in one transaction."""
        pipe = self.client.pipeline(transaction=True)
        pipe.mset({self.name(key): _new_token() for key in keys})
        pipe.publish(self.channel, " ".join(keys))
        pipe.execute()


class CachePages:
    """The same steps through Django's cache API (the local memory cache of the demo)."""

    def __init__(self, backend: Any) -> None:
        self.cache = backend

    def _tokens(self, keys: list[str]) -> dict[str, Any]:
        found = self.cache.get_many(keys)
        missing = [k for k in keys if k not in found and k != SCHEDULE]
        for key in missing:
            self.cache.add(key, _new_token(), timeout=None)
        if missing:
            found.update(self.cache.get_many(missing))
        return found

    def lookup(self, page: PageRequest, owner: str) -> Lookup:
        names = [SITE, page.second, FLOOR, SCHEDULE] if page.listing else [SITE, page.second]
        found = self._tokens(names)
        site, second = str(found[SITE]), str(found[page.second])
        material = f"{page.material}\n{site}\n{second}"
        stale_key = ""
        if page.listing:
            entry = found.get(SCHEDULE)
            now = time.time()
            if not isinstance(entry, tuple) or entry[0] != second or (entry[1] and now >= entry[1]):
                upcoming = next_scheduled_publication(now=timezone.now())
                entry = (second, upcoming.timestamp() if upcoming else 0.0)
                self.cache.set(SCHEDULE, entry, timeout=None)
            material += f"\n{entry[1]!r}"
            stale_key = PAGE_PREFIX + "stale:" + _digest(f"{page.material}\n{site}\n{found[FLOOR]}")
        key = PAGE_PREFIX + _digest(material)
        stored = self.cache.get(key)
        if stored is not None:
            if page.record_id is None:
                return Lookup("hit", key=key, page=stored)
            total = view_counts.count_cached_view(record_id=page.record_id)
            if total is None:
                return Lookup("count", key=key)
            return Lookup("hit", key=key, page=stored, total=total)
        pointer = self.cache.get(stale_key) if stale_key else None
        stored_at, earlier = pointer or (0.0, "")
        if earlier and time.time() - stored_at < page.lag:
            stale = self.cache.get(earlier)
            if stale is not None:
                return Lookup("stale", key=key, page=stale)
        if self.cache.add(key + ":lock", owner, timeout=LOCK_SECONDS):
            return Lookup("render", key=key, stale_key=stale_key, owner=owner)
        stale = self.cache.get(earlier) if earlier else None
        if stale is not None:
            return Lookup("stale", key=key, page=stale)
        return Lookup("wait", key=key)

    def store(self, lookup: Lookup, entry: bytes) -> None:
        seconds = settings.PAGE_CACHE_SECONDS
        self.cache.set(lookup.key, entry, seconds)
        if lookup.stale_key:
            self.cache.set(lookup.stale_key, (time.time(), lookup.key), seconds)
        self.release(lookup)

    def release(self, lookup: Lookup) -> None:
        if lookup.owner and self.cache.get(lookup.key + ":lock") == lookup.owner:
            self.cache.delete(lookup.key + ":lock")

    def bump(self, keys: list[str]) -> None:
        self.cache.set_many({key: _new_token() for key in keys}, timeout=None)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()  # noqa: S324 - a key


def pages() -> RedisPages | CachePages:
    """The store of this thread's default cache (kept on the backend: one Redis client and
    its loaded scripts per process, not one per request)."""
    backend = caches["default"]
    store = getattr(backend, "_page_store", None)
    if store is None:
        store = RedisPages(backend) if isinstance(backend, RedisCache) else CachePages(backend)
        backend._page_store = store  # type: ignore[attr-defined]
    return store


# Invalidation ------------------------------------------------------------------------------


def bump_generations(
    *,
    record_ids: Iterable[int] | None,
    related: Iterable[int] = (),
    listings: bool = True,
    added: bool = False,
) -> None:
    """Make every stored page showing the change unreachable (see the module docstring).

    `added`: the change only adds to what the public sees (a publication), so the listings'
    earlier pages may still be served while one reader renders the new one (the floor stays);
    `listings`: the listings show a changed record (else only the record pages change)."""
    if record_ids is None:
        keys = [SITE]
    else:
        # the floor before the listing: a cache without an atomic MSET (local memory) that a
        # reader reads listing-then-floor never pairs the new listing with the old floor
        keys = [] if added else [FLOOR]
        if listings or not added:
            keys.append(LISTING)
        keys += [record_generation_key(pk) for pk in {*record_ids, *related}]
    if not keys:
        return
    try:
        pages().bump(keys)
    except CACHE_ERRORS as error:
        logger.error("page cache generations not replaced: %s", error)
    finally:
        page_cache_local.forget_here(keys)


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


def entry_of(response: HttpResponse) -> bytes | None:
    """The page as stored: every header it was sent with (but those made per response) and
    its bytes (the record page's with the view-count slot); None if it must not be kept."""
    if "nonce-" in response.get("Content-Security-Policy", ""):
        return None  # a nonce serves one response only
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
    )
    content = getattr(response, "cacheable_content", None) or response.content
    return pickle.dumps((headers, content), protocol=pickle.HIGHEST_PROTOCOL)


def _stored_parts(request: HttpRequest, lookup: Lookup) -> tuple[list[tuple[str, str]], bytes]:
    """The stored page's headers and bytes as sent, with the current view count filled in."""
    assert lookup.page is not None
    stored, content = pickle.loads(lookup.page)  # noqa: S301 - our own entries, in our cache
    if lookup.total is not None:
        content = content.replace(VIEW_COUNT_SLOT.encode(), str(lookup.total).encode(), 1)
    headers = [
        *stored,
        ("Content-Length", str(len(content))),
        ("X-Page-Cache", lookup.state),
        (REQUEST_ID_HEADER, request_id_for(request)),
    ]
    return headers, content


def parts_of(request: HttpRequest, lookup: Lookup) -> tuple[str, list[tuple[str, str]], bytes]:
    """The stored page as a WSGI status, headers and body (portal/page_cache_front.py)."""
    headers, content = _stored_parts(request, lookup)
    return "200 OK", headers, content


def response_of(request: HttpRequest, lookup: Lookup) -> HttpResponse:
    """The stored page as a response, with the current view count filled in."""
    headers, content = _stored_parts(request, lookup)
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    meta = request.META
    if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta:
        etag, modified = response.get("ETag"), response.get("Last-Modified")
        if etag or modified:
            not_modified = get_conditional_response(
                request,
                etag=etag,
                last_modified=parse_http_date_safe(modified) if modified else None,
            )
            if not_modified is not None:
                for header in ("Cache-Control", "Vary", "ETag", "Last-Modified"):
                    if response.has_header(header):
                        not_modified[header] = response[header]
                return not_modified
    return response


def lookup_page(page: PageRequest) -> Lookup:
    """Ask the cache; a page being rendered by another reader is waited for (see the module
    docstring). Returns `bypass` when the cache is out of reach."""
    store = pages()
    owner = _new_token()
    deadline = None
    try:
        while True:
            found = store.lookup(page, owner)
            if found.state != "wait":
                return found
            now = time.monotonic()
            deadline = deadline or now + WAIT_SECONDS
            if now >= deadline:
                return Lookup("render", key=found.key)  # not ours to store: the lock is not
            time.sleep(WAIT_STEP)
    except CACHE_ERRORS as error:
        logger.info("page cache bypassed: %s", type(error).__name__)
        return Lookup("bypass")
    except Exception:  # noqa: BLE001 - a cache that misbehaves is a miss, never a 500
        logger.exception("page cache bypassed")
        return Lookup("bypass")


class PageCacheMiddleware:
    """Serve and store anonymous readers' pages (see the module docstring). The outermost
    middleware: a hit skips the request log (it gets its request id, as the log would give it;
    nginx logs it) and the security, static-file, CSP, session, script and locale middleware,
    and carries the headers they set on the page it stores."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        public = cacheable_request(request)
        found = request.META.pop(FRONT_LOOKUP, None) if public else None
        if found is None:
            page = page_request(request) if public else None
            found = lookup_page(page) if page is not None else None
        if found is not None and found.page is not None:
            try:
                return response_of(request, found)
            except Exception:  # noqa: BLE001 - an entry it cannot read is a miss, never a 500
                logger.exception("page cache entry unreadable")
                found = Lookup("bypass")
        if public and reader_gone(request):
            _release(found)
            return HttpResponse(status=499)  # nginx's "client closed request": nobody reads it
        try:
            response = self.get_response(request)
        except BaseException:
            _release(found)
            raise
        stored = False
        if public and cacheable_response(request, response):
            mark_public(response)
            if found is not None and found.state in ("render", "count"):
                stored = _store(found, response)
        elif public and response.status_code == 304:
            mark_public(response)
        else:
            mark_private(response)
        if not stored:
            _release(found)
        return response


def reader_gone(request: HttpRequest) -> bool:
    """The reader closed the connection while the request waited for a worker (a crowd's
    requests queue; a browser or load balancer gives up after some seconds): a public page is
    then not rendered for nobody. Only under gunicorn (its socket is in the environ), whose sync
    worker reads one request per connection; nginx closes its upstream connection when its
    client leaves. A peek that reads nothing: end of stream means gone, no data means waiting."""
    sock = request.META.get("gunicorn.socket")
    if sock is None:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False  # still connected, nothing more sent
    except OSError:
        return True  # reset by the peer


def _store(found: Lookup, response: HttpResponse) -> bool:
    entry = entry_of(response)
    if entry is None:
        return False
    try:
        pages().store(found, entry)
    except CACHE_ERRORS as error:
        logger.info("page not cached: %s", type(error).__name__)
        return False
    response["X-Page-Cache"] = "miss"
    return True


def _release(found: Lookup | None) -> None:
    """Free the lock this request took, when it stored nothing (another reader renders)."""
    if found is None or not found.owner or found.state != "render":
        return
    try:
        pages().release(found)
    except CACHE_ERRORS as error:
        logger.info("page cache lock not released: %s", type(error).__name__)
