"""Read replicas for the public pages: anonymous reads go to `replica`, all else to `default`.

Configured by DATABASE_REPLICA_URL (a streaming replica of the primary). Public pages are most
of the traffic and are all reads, so a citizen's GET without a session is answered from the
replica; it may lag the primary by a moment, which a public page can bear. Everybody who has a
session (staff signed in, a citizen who has just submitted the request form and is shown the
receipt) reads from the primary, so they always see their own writes ("read your own writes"),
and every write, the admin, commands and scheduled tasks use the primary. See docs/scaling.md.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


class ReplicaRouter:
    """Reads go to the replica only inside a request the middleware below marked as public."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if _replica_reads.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None  # default

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None  # a replica follows its primary


def reads_from_replica(request: HttpRequest) -> bool:
    """An anonymous visitor's read: GET/HEAD, no session cookie, not the admin."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path_info.startswith("/admin/")
    )


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = REPLICA in settings.DATABASES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (self.enabled and reads_from_replica(request)):
            return self.get_response(request)
        token = _replica_reads.set(True)
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)
