from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backups import BackupError, create_backup, prune_backups


class Command(BaseCommand):
    help = "备份数据库、附件和导出文件,并写出清单(各表行数、审计链末端、各文件校验和)。"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="备份目录的上级目录")
        parser.add_argument("--keep", type=int, default=0, help="只保留最新的 N 份备份(0:全部保留)")

    def handle(self, *args, **options):
        try:
            directory = create_backup(output=options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"备份完成:{directory}"))
        for path in prune_backups(output=options["output"], keep=options["keep"]):
            self.stdout.write(f"已删除旧备份:{path}")
