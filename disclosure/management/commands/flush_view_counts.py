"""浏览次数 counted in Redis → the database now (run_due_tasks does it at every run too)."""

from django.core.management.base import BaseCommand

from disclosure.services.view_counts import flush_view_counts


class Command(BaseCommand):
    help = "把 Redis 中累计的浏览次数写入数据库(run_due_tasks 每次运行时也会执行;可随时重复运行)。"

    def handle(self, *args, **options):
        self.stdout.write(f"写入浏览次数 {flush_view_counts()} 次。")
