from django.core.management.base import BaseCommand, CommandError

from disclosure.audit import first_broken_link
from disclosure.models import AuditEntry


class Command(BaseCommand):
    help = "校验审计日志哈希链,报告第一处断链。"

    def handle(self, *args, **options):
        broken = first_broken_link()
        if broken is not None:
            raise CommandError(
                f"审计日志哈希链在第 {broken.pk} 条处断开({broken}):"
                "该条或与之相邻的记录被修改或删除。"
            )
        self.stdout.write(
            self.style.SUCCESS(f"审计日志完整:{AuditEntry.objects.count()} 条记录,哈希链无断裂。")
        )
