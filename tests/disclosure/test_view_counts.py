"""浏览次数 (disclosure/services/view_counts.py) under concurrent readers."""

import threading

import pytest
from django.db import connection

from disclosure.services.view_counts import count_record_view
from tests.factories import make_published_record


@pytest.mark.django_db
def test_each_view_adds_one_and_leaves_updated_at_alone():
    record = make_published_record()
    before = record.updated_at
    count_record_view(record_id=record.pk)
    count_record_view(record_id=record.pk)
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
    record.refresh_from_db()
    assert record.view_count == threads_n * views_each
