"""浏览次数: exact, and counted without rendering the page (the page cache serves it).

With Redis as the cache, one view is one atomic script: it adds one to the record's displayed
total (`vc:total:<id>`, started from the database value plus the views not yet flushed) and to
its entry in the pending hash. `flush_view_counts` (run_due_tasks, or the command of that name)
moves the pending hash to the database in batches:

1. one script renames `vc:pending` to `vc:processing` and stamps it with a new batch id (a
   leftover processing hash, from a flush that died, is taken as it is, with its own id);
2. one transaction adds the counts and inserts a `ViewCountBatch` row with that id (unique);
3. the processing hash is deleted (only if it still holds that batch).

A flush killed after 1 leaves the hash for the next flush; killed after 2 (committed) but
before 3, the next flush finds the batch id in the database and only deletes the hash: no view
is lost and none is counted twice. Views arriving meanwhile go to a new pending hash.

Without Redis (the SQLite demo's local memory cache) or while Redis is unreachable, a view is
one `UPDATE … SET view_count = view_count + 1 … RETURNING`, as before.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections import defaultdict
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from redis.exceptions import RedisError

from disclosure.models import DisclosureRecord, ViewCountBatch

logger = logging.getLogger("disclosure.view_counts")

#: How long a displayed total lives without a view; then it starts again from the database.
TOTAL_SECONDS = 7 * 24 * 60 * 60
BATCH_FIELD = "_batch"
BATCHES_KEPT = datetime.timedelta(days=30)
UNAVAILABLE = (RedisError, OSError)

# ARGV[2]: the database count to start the total from; "" count without a total (the total
# stays unknown); "?" count only if the total is known (a cache hit: else render the page).
_COUNT = """
local total = redis.call('GET', KEYS[1])
if not total then
  if ARGV[2] == '?' then return false end
  if ARGV[2] ~= '' then
    local waiting = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
      + tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
    redis.call('SET', KEYS[1], tonumber(ARGV[2]) + waiting)
  end
end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if not total and ARGV[2] == '' then return false end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return redis.call('INCR', KEYS[1])
"""
_TAKE = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
return redis.call('HGETALL', KEYS[2])
"""
_DROP = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _redis() -> tuple[Any, RedisCache] | None:
    """The Redis client behind the default cache, or None when the cache is not Redis. The
    client is kept on the backend: making one costs more than a round trip."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    client = getattr(backend, "_view_count_client", None)
    if client is None:
        client = backend._cache.get_client(write=True)
        backend._view_count_client = client  # type: ignore[attr-defined]
    return client, backend


def _keys(backend: Any, record_id: int) -> list[str]:
    return [
        backend.make_key(f"vc:total:{record_id}"),
        backend.make_key("vc:pending"),
        backend.make_key("vc:processing"),
    ]


def counter_keys(record_id: int) -> list[str]:
    """The Redis keys of a record's count: the page cache's script counts a cached view in the
    same round trip as it reads the page, as `count_cached_view` would (portal/page_cache.py)."""
    return _keys(caches["default"], record_id)


def _count_in_database(record_id: int) -> int | None:
    """`view_count = view_count + 1` in the database, not a read-modify-write in Python.

    A raw UPDATE leaves `updated_at` alone, so reading a record never changes its
    Last-Modified date or the feeds and sitemaps that show it.
    """
    table = DisclosureRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET view_count = view_count + 1 WHERE id = %s RETURNING view_count",  # noqa: S608 - the table name is ours
            [record_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _count(record_id: int, start: str) -> int | None:
    found = _redis()
    if found is None:
        return _count_in_database(record_id)
    client, backend = found
    script = getattr(backend, "_view_count_script", None)
    if script is None:  # sent by its digest (EVALSHA), loaded again if Redis lost it
        script = backend._view_count_script = client.register_script(_COUNT)  # type: ignore[attr-defined]
    try:
        total = script(keys=_keys(backend, record_id), args=[record_id, start, TOTAL_SECONDS])
    except UNAVAILABLE as error:
        if start == "?":
            return None
        logger.warning("view counter unavailable, counted in the database: %s", error)
        return _count_in_database(record_id)
    return None if total is None else int(total)


def count_record_view(*, record_id: int, current: int | None = None) -> int | None:
    """Count one view of the record; returns the total to show (None: not known here).

    `current`: the record's `view_count` as just read from the database, which starts the
    displayed total when Redis has none.
    """
    return _count(record_id, "" if current is None else str(current))


def count_cached_view(*, record_id: int) -> int | None:
    """Count one view served from the page cache and return its total; None (nothing
    counted) when the total is not known, so the page is rendered, which counts it."""
    return _count(record_id, "?")


def flush_view_counts() -> int:
    """Move the pending views to the database (see the module docstring); returns how many."""
    found = _redis()
    if found is None:
        return 0
    client, backend = found
    keys = _keys(backend, 0)[1:]
    moved = 0
    for _ in range(2):  # a leftover batch first, then the views pending now
        taken = _take(client, keys)
        if taken is None:
            break
        batch, counts = taken
        moved += _apply_batch(batch, counts)
        _drop(client, keys, batch)
    ViewCountBatch.objects.filter(applied_at__lt=timezone.now() - BATCHES_KEPT).delete()
    return moved


def _take(client: Any, keys: list[str]) -> tuple[str, dict[int, int]] | None:
    """Step 1: the processing hash (renamed from pending, or left by a flush that died)."""
    batch_id = "b" + timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(6)
    fields = client.eval(_TAKE, 2, *keys, BATCH_FIELD, batch_id)
    if not fields:
        return None
    values = dict(zip(fields[::2], fields[1::2], strict=True))
    batch = values.pop(BATCH_FIELD.encode(), batch_id.encode()).decode()
    return batch, {int(k): int(v) for k, v in values.items()}


def _drop(client: Any, keys: list[str], batch: str) -> None:
    """Step 3: forget the applied batch (not a newer one another flush took meanwhile)."""
    client.eval(_DROP, 1, keys[1], BATCH_FIELD, batch)


def _apply_batch(batch: str, counts: dict[int, int]) -> int:
    """Step 2: add the batch's views in one transaction with its id; 0 if applied before."""
    by_increment: dict[int, list[int]] = defaultdict(list)
    for record_id, views in counts.items():
        by_increment[views].append(record_id)
    views = sum(counts.values())
    try:
        with transaction.atomic():
            ViewCountBatch.objects.create(batch_id=batch, views=views)
            for increment, ids in by_increment.items():
                DisclosureRecord.objects.filter(pk__in=ids).update(
                    view_count=F("view_count") + increment
                )
    except IntegrityError:
        logger.info("view count batch %s was applied before; dropped", batch)
        return 0
    return views


def flush_due_view_counts(now: datetime.datetime) -> dict[str, int]:
    """The run_due_tasks step (registered in DisclosureConfig.ready)."""
    return {"view_counts_flushed": flush_view_counts()}
