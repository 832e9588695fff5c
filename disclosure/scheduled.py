"""Everything time-driven, run by `python manage.py run_due_tasks` (cron or a systemd timer).

The editorial workflow keeps its own tasks (disclosure.workflow.run_due_tasks); each context app
registers its own (`register_due_task`, from its AppConfig.ready: 依申请公开, the annual report,
export jobs), so the records core never imports them. Every task is idempotent and safe to run
every few minutes; when several servers run it, one run happens at a time and a run that finds
another in progress is skipped (disclosure.locks).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from disclosure.locks import exclusive_run
from disclosure.workflow import run_due_tasks

#: A task takes `now` and reports how many things it did, by name.
DueTask = Callable[[datetime.datetime], dict[str, int]]

_TASKS: list[DueTask] = []


def register_due_task(task: DueTask) -> DueTask:
    """Add a context's task to `run_scheduled_tasks` (once; in INSTALLED_APPS order)."""
    if task not in _TASKS:
        _TASKS.append(task)
    return task


def run_scheduled_tasks(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Scheduled publications and expiries, then each registered context's tasks: 逾期不补正
    (Article 30), erasure of old applicants' personal data, the January reminders of the annual
    report (Article 49), and the clean-up of background exports (interrupted jobs failed, files
    past their retention deleted).

    Returns how many things each task did, or `{"skipped": 1}` when another server's run holds
    the lock (it does the same work).
    """
    now = now or timezone.now()
    with exclusive_run("run_due_tasks") as mine:
        if not mine:
            return {"skipped": 1}
        summary = run_due_tasks(now=now)
        for task in _TASKS:
            summary.update(task(now))
    return summary
