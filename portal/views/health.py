"""Health endpoints for load balancers and process supervisors.

`/healthz`: the process answers (liveness). `/readyz`: the database answers and every
migration is applied (readiness); the cache is checked and a failure logged, but it does not
make the server unready: the site serves pages without Redis (uncached, the request form
closed), and since every web server shares the one Redis, failing readiness on it would take
the whole site down instead. Both answer just `ok` or 503 (the reason goes to the server log,
never to the public), are never cached, and live outside the script prefix.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger("portal.health")

_migrated = False


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text + "\n", content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    return response


def database_answers() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("readyz: the database does not answer")
        return False


def migrations_applied() -> bool:
    """Once true, remembered for the process (migrations are not unapplied under it)."""
    global _migrated
    if not _migrated:
        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception:
            logger.exception("readyz: the migrations could not be read")
            return False
        if plan:
            logger.error("readyz: %d migrations are not applied", len(plan))
        _migrated = not plan
    return _migrated


def cache_answers() -> bool:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    answered = cache.get(key) == "ok"
    cache.delete(key)
    if not answered:
        logger.warning("readyz: the cache does not answer (pages are served uncached)")
    return answered


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return _plain("ok")


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    ready = database_answers() and migrations_applied()
    cache_answers()
    return _plain("ok") if ready else _plain("unavailable", status=503)
