"""Time-driven work, for cron or a systemd timer: scheduled publications and expiries."""

from django.core.management.base import BaseCommand

from disclosure.workflow import run_due_tasks


class Command(BaseCommand):
    help = "执行到期的定时发布,并为到期失效/废止的信息更新检索(可随时重复运行)。"

    def handle(self, *args, **options):
        summary = run_due_tasks()
        self.stdout.write(
            f"定时发布生效 {summary['published']} 条;到期失效/废止 {summary['expired']} 条。"
        )
