from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "把一份备份恢复到新的数据库和新的附件目录,核对行数、审计链末端和文件校验和,"
        "并校验审计日志哈希链。"
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="backup 命令写出的备份目录")
        parser.add_argument("--database-url", required=True, help="新数据库(须尚不存在)")
        parser.add_argument("--media-root", required=True, type=Path, help="新的附件目录")
        parser.add_argument("--export-root", required=True, type=Path, help="新的导出文件目录")

    def handle(self, *args, **options):
        try:
            report = restore_backup(
                source=options["backup"],
                database_url=options["database_url"],
                media_root=options["media_root"],
                exports_root=options["export_root"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(report.counts.values())
        self.stdout.write(f"数据表 {len(report.counts)} 个、共 {rows} 行与备份一致;")
        self.stdout.write(f"文件 {report.files} 个校验和一致;{report.audit_output}")
        self.stdout.write(self.style.SUCCESS("恢复完成。"))
