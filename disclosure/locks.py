"""One run at a time across servers: a PostgreSQL advisory lock held for a block.

Two web servers each with a `run_due_tasks` timer start the scheduled tasks at about the same
moment. Each task is safe on its own (rows are locked and re-checked), but a run as a whole
(its audit entry "定时任务", the reminders, the clean-up) should happen once: the second server
finds the lock taken and skips its run. The lock is a session lock, so a server that dies while
holding it frees it with its connection. SQLite has one server only and needs none.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections


def _key(name: str) -> int:
    """A stable 64-bit key for the lock's name (advisory locks are numbered)."""
    return zlib.crc32(name.encode())


@contextlib.contextmanager
def exclusive_run(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Yield True if this process holds the lock `name` for the block, False if another has it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(name)])
