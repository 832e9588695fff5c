"""`run_export_jobs [--loop]`: the worker for background exports (see exchange.export_jobs).

Needed where EXPORT_JOBS_IN_PROCESS is off: run it from cron every minute, or as a systemd
service with `--loop`. Each pass fails jobs whose process died, deletes files past their
retention and runs the queued jobs one after another.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from exchange.export_jobs import (
    delete_expired_export_files,
    fail_stale_export_jobs,
    run_queued_export_jobs,
)


class Command(BaseCommand):
    help = (
        "运行排队中的后台导出;把进程中断的导出标记为失败,删除超过保留期限的导出文件。"
        "--loop 持续运行(systemd),否则运行一次(cron)。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行,每隔几秒查看新任务")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="--loop 时两次查看之间的秒数(默认 5)"
        )

    def handle(self, *args, **options):
        if not options["loop"]:
            self.stdout.write(self._report(*self._pass()))
            return
        try:
            while True:
                close_old_connections()
                counts = self._pass()
                if any(counts):
                    self.stdout.write(self._report(*counts))
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("已停止。")

    def _pass(self) -> tuple[int, int, int]:
        failed = fail_stale_export_jobs()
        deleted = delete_expired_export_files()
        ran = run_queued_export_jobs()
        return ran, failed, deleted

    def _report(self, ran: int, failed: int, deleted: int) -> str:
        return f"后台导出:运行 {ran} 个;中断标记失败 {failed} 个;过期导出文件删除 {deleted} 个。"
