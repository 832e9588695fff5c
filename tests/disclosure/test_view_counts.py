"""浏览次数 (disclosure/services/view_counts.py) under concurrent readers.

With Redis as the cache (the PostgreSQL pass) the views reach the database at the flush, so
each test flushes before reading the database; with the local memory cache it is a no-op."""

import os
import signal
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from disclosure.models import DisclosureRecord, ViewCountBatch
from disclosure.services import view_counts
from disclosure.services.view_counts import count_record_view, flush_view_counts
from tests.deploy.servers import redis_server
from tests.factories import make_published_record


@pytest.mark.django_db
def test_each_view_adds_one_and_leaves_updated_at_alone():
    record = make_published_record()
    before = record.updated_at
    count_record_view(record_id=record.pk)
    count_record_view(record_id=record.pk)
    flush_view_counts()
    record.refresh_from_db()
    assert record.view_count == 2
    assert record.updated_at == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_lose_no_increment():
    record = make_published_record()
    threads_n, views_each = 8, 25
    barrier = threading.Barrier(threads_n)
    errors = []

    def reader():
        try:
            barrier.wait()
            for _ in range(views_each):
                count_record_view(record_id=record.pk)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    flush_view_counts()
    record.refresh_from_db()
    assert record.view_count == threads_n * views_each


# The flush: Redis → the database in batches, neither lost nor doubled when it dies ----------


@pytest.fixture
def own_redis(tmp_path, settings):
    """The cache on our own redis-server (never the shared one), on both database passes."""
    with redis_server(tmp_path) as (port, process):
        settings.CACHES = {
            "default": {
                "BACKEND": "portal.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        caches["default"].clear()
        yield port, process


def views(record, n: int) -> int | None:
    total = None
    for _ in range(n):
        total = view_counts.count_record_view(record_id=record.pk, current=record.view_count)
    return total


def in_database(record) -> int:
    return DisclosureRecord.objects.get(pk=record.pk).view_count


@pytest.mark.django_db
def test_views_wait_in_redis_and_the_flush_moves_them_once(own_redis):
    record = make_published_record()
    assert views(record, 3) == 3  # the total shown, before any flush
    assert in_database(record) == 0
    assert view_counts.flush_view_counts() == 3
    assert in_database(record) == 3
    assert view_counts.flush_view_counts() == 0
    assert in_database(record) == 3
    assert ViewCountBatch.objects.count() == 1
    assert view_counts.count_cached_view(record_id=record.pk) == 4  # the total goes on


@pytest.mark.django_db
def test_flush_dying_after_its_commit_counts_nothing_twice(own_redis, monkeypatch):
    record = make_published_record()
    views(record, 3)

    def killed(*args, **kwargs):
        raise SystemExit("flush killed before deleting its batch")

    monkeypatch.setattr(view_counts, "_drop", killed)
    with pytest.raises(SystemExit):
        view_counts.flush_view_counts()
    assert in_database(record) == 3
    monkeypatch.undo()
    views(record, 1)
    assert view_counts.flush_view_counts() == 1  # the leftover batch is known: dropped
    assert in_database(record) == 4


@pytest.mark.django_db
def test_flush_dying_before_its_commit_loses_nothing(own_redis, monkeypatch):
    record = make_published_record()
    views(record, 3)

    def killed(*args, **kwargs):
        raise SystemExit("flush killed before its transaction")

    monkeypatch.setattr(view_counts, "_apply_batch", killed)
    with pytest.raises(SystemExit):
        view_counts.flush_view_counts()
    monkeypatch.undo()
    views(record, 2)  # arrive in a new pending hash while the old batch waits
    assert view_counts.flush_view_counts() == 5
    assert in_database(record) == 5


KILLED_FLUSH = """
import os, signal, django
django.setup()
from disclosure.services import view_counts
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
view_counts._drop = die
view_counts.flush_view_counts()
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_flush_process_killed_with_sigkill_loses_and_doubles_nothing(own_redis):
    port, _ = own_redis
    record = make_published_record()
    views(record, 4)
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.test_settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "CACHE_KEY_PREFIX": "",
    }
    killed = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", KILLED_FLUSH], env=env, cwd=settings.BASE_DIR, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    assert in_database(record) == 4  # committed before it died
    views(record, 1)
    assert view_counts.flush_view_counts() == 1
    assert in_database(record) == 5
