"""The annual report's time-driven work (registered with disclosure.scheduled)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from disclosure.audit import record_event
from disclosure.models import AuditAction, AuditEntry
from reports.services import annual_report_reminders

REMINDERS_MARKER = "annual_report_reminders"


def send_annual_report_reminders_once(*, today: datetime.date) -> int:
    """The reminders are mailed once on each reminder day, however often the command runs."""
    already = AuditEntry.objects.filter(
        action=AuditAction.OTHER, details__task=REMINDERS_MARKER, details__day=today.isoformat()
    ).exists()
    if already:
        return 0
    sent = annual_report_reminders(today=today)
    if sent:
        record_event(
            action=AuditAction.OTHER,
            reason="年度报告发布提醒",
            details={"task": REMINDERS_MARKER, "day": today.isoformat(), "count": len(sent)},
        )
    return len(sent)


def due_tasks(now: datetime.datetime) -> dict[str, int]:
    return {
        "annual_report_reminders": send_annual_report_reminders_once(today=timezone.localdate(now))
    }
