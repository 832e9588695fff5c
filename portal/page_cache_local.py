"""A worker's own copy of the pages it served from the page cache, kept exact by Redis pub/sub.

A hit from Redis costs a round trip, as much again as the rest of the hit (docs/benchmarks.md).
Each worker process therefore keeps the pages it got as hits from Redis, for at most
`settings.PAGE_CACHE_LOCAL_SECONDS`, and serves them again from memory (portal/page_cache_front.py;
a record page still counts its view in Redis, one small script). What keeps them exact is the
same as for the shared cache: every change replaces generation tokens (`bump_generations`), and
the same call publishes the names it replaced on a channel every worker listens to; a worker
drops the pages that depend on them (home, listings, feeds, sitemaps, the API and search on
the listing or floor token, a record's pages on its own token, everything on the site token).
The process that makes the change drops its own at once, before the announcement returns.

The copy is used only while this worker's subscription is known to be live: one listening
thread per process, which pings Redis every second; a subscription that is lost, or silent
for `DEAD_AFTER` seconds, empties the copy and stops its use until the thread has subscribed
again. A page that a change may have outdated while its Redis read was in flight is not kept
(the `changes` mark). Anything else this copy does not know is asked of Redis as before: a
miss, a stale page, a render, a conditional request. Pages of a megabyte or more (the sitemap
files) are not kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("portal.page_cache")

#: The pages kept, at most, and their bytes (the older half goes when either is reached).
MAX_PAGES = 2000
MAX_BYTES = 64 << 20
MAX_PAGE_BYTES = 1 << 20
#: A subscription that has not answered a ping for this long is taken for lost.
DEAD_AFTER = 3.0
PING_EVERY = 1.0


@dataclass(frozen=True)
class LocalPage:
    entry: bytes  # as stored in Redis: headers and bytes, the record page's count slot unfilled
    depends_on: str  # the generation name: the listing's or the record's
    until: float  # time.monotonic()
    changes_at: float | None  # time.time() of the next scheduled publication (a listing's)
    tokens: tuple[bytes, bytes] | None = None  # a record page's generations, checked per view


class LocalPages:
    """This process's copy (see the module docstring)."""

    def __init__(self, client: Any, channel: str, site: str, listing: str, floor: str) -> None:
        self.client = client
        self.channel = channel
        self.site, self.listing, self.floor = site, listing, floor
        self.pages: dict[str, LocalPage] = {}
        self.bytes = 0
        self.changes = 0
        #: keeping and dropping exclude each other: a page checked against `changes` just
        #: before a change came must not be stored after it dropped the others
        self.lock = threading.Lock()
        self.live = False
        self.stopped = False
        self.seconds = float(getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 1.0))
        self.thread = threading.Thread(target=self._listen, name="page-cache-local", daemon=True)
        self.thread.start()

    # serving ------------------------------------------------------------------------------

    def get(self, material: str) -> LocalPage | None:
        if not self.live:
            return None
        page = self.pages.get(material)
        if page is None or page.until < time.monotonic():
            return None
        if page.changes_at is not None and time.time() >= page.changes_at:
            return None
        return page

    def mark(self) -> int:
        """Taken before a Redis read: `keep` refuses its answer if a change came meanwhile."""
        return self.changes if self.live else -1

    def keep(
        self,
        *,
        material: str,
        depends_on: str,
        entry: bytes,
        mark: int,
        changes_at: float | None = None,
        tokens: tuple[bytes, bytes] | None = None,
    ) -> None:
        if len(entry) >= MAX_PAGE_BYTES:
            return
        until = time.monotonic() + self.seconds
        page = LocalPage(
            entry=entry, depends_on=depends_on, until=until, changes_at=changes_at, tokens=tokens
        )
        with self.lock:
            if mark < 0 or mark != self.changes or not self.live:
                return
            if len(self.pages) >= MAX_PAGES or self.bytes + len(entry) > MAX_BYTES:
                kept = list(self.pages.items())
                self._set_pages(dict(kept[len(kept) // 2 :]))
            previous = self.pages.get(material)
            self.bytes += len(entry) - (len(previous.entry) if previous else 0)
            self.pages[material] = page

    # invalidation -------------------------------------------------------------------------

    def forget(self, names: Iterable[str]) -> None:
        """Drop the pages that depend on these generation names (a change replaced them)."""
        names = set(names)
        if self.floor in names:
            names.add(self.listing)
        with self.lock:
            self.changes += 1
            if self.site in names:
                self._set_pages({})
            else:
                self._set_pages({m: p for m, p in self.pages.items() if p.depends_on not in names})

    def forget_everything(self) -> None:
        with self.lock:
            self.changes += 1
            self._set_pages({})

    def _set_pages(self, pages: dict[str, LocalPage]) -> None:
        self.pages = pages
        self.bytes = sum(len(page.entry) for page in pages.values())

    def _stop_serving(self) -> None:
        self.live = False
        self.forget_everything()

    def stop(self) -> None:
        self.stopped = True
        self._stop_serving()

    def _listen(self) -> None:
        while not self.stopped:
            pubsub = None
            try:
                pubsub = self.client.pubsub()
                pubsub.subscribe(self.channel)
                heard = pinged = time.monotonic()
                while not self.stopped:
                    message = pubsub.get_message(timeout=PING_EVERY / 2)
                    now = time.monotonic()
                    if message is not None:
                        heard = now
                        kind = message["type"]
                        if kind == "subscribe":
                            self.forget_everything()
                            self.live = not self.stopped
                        elif kind == "message":
                            self.forget(message["data"].decode().split())
                    if now - heard > DEAD_AFTER:
                        raise TimeoutError("page cache subscription silent")
                    if now - pinged >= PING_EVERY:
                        pubsub.ping()
                        pinged = now
            except Exception as error:  # noqa: BLE001 - any failure: stop serving, subscribe again
                self._stop_serving()
                logger.info("page cache local copy paused: %s", type(error).__name__)
                time.sleep(0.5)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # a connection already gone
                        pubsub.close()


_local: tuple[tuple[int, str, str, str], LocalPages | None] | None = None
_creating = threading.Lock()


def channel_of(backend: RedisCache, client: Any) -> str:
    """Pub/sub channels are not per database: the database number keeps caches apart."""
    database = client.connection_pool.connection_kwargs.get("db", 0)
    return f"{backend.make_key('pc2:changes')}:{database}"


def local_pages() -> LocalPages | None:
    """This process's copy, started on first use (after gunicorn forked the worker); None
    without Redis or with PAGE_CACHE_LOCAL_SECONDS = 0."""
    global _local
    backend = caches["default"]
    owner = (
        os.getpid(),
        str(getattr(backend, "_servers", "")),
        backend.make_key(""),
        str(getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0)),
    )
    if _local is not None and _local[0] == owner:
        return _local[1]
    with _creating:
        if _local is None or _local[0] != owner:
            if _local is not None and _local[1] is not None:
                _local[1].stop()  # the cache was replaced (the tests do; settings are read once)
            _local = (owner, _start())
    return _local[1]


def _start() -> LocalPages | None:
    from portal import page_cache

    backend = caches["default"]
    if not isinstance(backend, RedisCache) or not getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0):
        return None
    client = backend._cache.get_client(write=True)
    return LocalPages(
        client,
        channel_of(backend, client),
        site=page_cache.SITE,
        listing=page_cache.LISTING,
        floor=page_cache.FLOOR,
    )


def forget_here(names: Iterable[str]) -> None:
    """The change this process made: its own copy drops the pages at once."""
    if _local is not None and _local[0][0] == os.getpid() and _local[1] is not None:
        _local[1].forget(names)


def forget_everything_here() -> None:
    """For the tests, which empty the shared cache between them (FLUSHDB sends no message)."""
    if _local is not None and _local[1] is not None:
        _local[1].forget_everything()
