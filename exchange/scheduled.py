"""Clean-up of background exports (registered with disclosure.scheduled)."""

from __future__ import annotations

import datetime

from exchange.export_jobs import delete_expired_export_files, fail_stale_export_jobs


def due_tasks(now: datetime.datetime) -> dict[str, int]:
    """Interrupted jobs failed, then files past their retention deleted."""
    return {
        "export_jobs_failed": fail_stale_export_jobs(now=now),
        "export_files_deleted": delete_expired_export_files(now=now),
    }
