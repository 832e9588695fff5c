"""Scheduled tasks run by two servers at the same moment (each with its run_due_tasks timer)."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from disclosure import scheduled
from disclosure.models import AuditAction, AuditEntry, DisclosureRecord
from disclosure.workflow import DUE_TASKS_MARKER
from tests.factories import make_published_record


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_servers_running_due_tasks_at_once_publish_each_record_once(monkeypatch):
    records = [make_published_record() for _ in range(4)]
    ids = [r.pk for r in records]
    DisclosureRecord.objects.filter(pk__in=ids).update(
        scheduled_publish_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    def a_long_task(now):  # the first run is still going when the second starts
        time.sleep(1.5)
        return {"long": 1}

    monkeypatch.setattr(scheduled, "_TASKS", [*scheduled._TASKS, a_long_task])
    start = threading.Barrier(2)
    summaries: list[dict] = []

    def server() -> None:
        try:
            start.wait()
            summaries.append(scheduled.run_scheduled_tasks())
        finally:
            connection.close()

    threads = [threading.Thread(target=server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(s.get("skipped", 0) for s in summaries) == [0, 1]
    ran = next(s for s in summaries if not s.get("skipped"))
    assert ran["published"] == 4 and ran["long"] == 1
    assert not DisclosureRecord.objects.filter(
        pk__in=ids, scheduled_publish_at__isnull=False
    ).exists()
    for pk in ids:
        went_live = AuditEntry.objects.filter(
            action=AuditAction.PUBLISH, object_id=str(pk), reason="定时发布生效"
        )
        assert went_live.count() == 1
    runs = AuditEntry.objects.filter(action=AuditAction.OTHER, details__task=DUE_TASKS_MARKER)
    assert runs.count() == 1

    # the lock was let go: the next run (the next timer tick) runs
    assert "skipped" not in scheduled.run_scheduled_tasks()
