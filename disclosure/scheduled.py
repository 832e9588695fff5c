"""Everything time-driven, run by `python manage.py run_due_tasks` (cron or a systemd timer).

The editorial workflow keeps its own tasks (disclosure.workflow.run_due_tasks); this module
composes them with the tasks of requests and the annual report, so the workflow never imports
request code. Every task is idempotent and safe to run every few minutes.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from applications.services import anonymize_expired_requests, close_overdue_corrections
from disclosure.audit import record_event
from disclosure.models import AuditAction, AuditEntry
from disclosure.workflow import run_due_tasks
from exchange.export_jobs import delete_expired_export_files, fail_stale_export_jobs
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


def run_scheduled_tasks(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Scheduled publications and expiries, then 逾期不补正 (Article 30), erasure of old
    applicants' personal data, the January reminders of the annual report (Article 49), and the
    clean-up of background exports (interrupted jobs failed, files past their retention deleted)."""
    now = now or timezone.now()
    summary = run_due_tasks(now=now)
    summary["corrections_closed"] = close_overdue_corrections(now=now)
    summary["requests_anonymized"] = anonymize_expired_requests(now=now)
    summary["annual_report_reminders"] = send_annual_report_reminders_once(
        today=timezone.localdate(now)
    )
    summary["export_jobs_failed"] = fail_stale_export_jobs(now=now)
    summary["export_files_deleted"] = delete_expired_export_files(now=now)
    return summary
