"""Verify the audit chain; with --anchor, compare it against and extend an anchor file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from disclosure.audit_verify import append_anchor, read_anchors, verify_chain


class Command(BaseCommand):
    help = (
        "校验审计日志哈希链,报告每一处损坏;--anchor FILE 与文件中的锚点比对,"
        "校验通过后把当前链头(时间、条目号、哈希)追加到该文件(请保存在数据库服务器以外)。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--anchor", type=Path, help="锚点文件,每次校验通过后追加链头")
        parser.add_argument(
            "--compare-only", action="store_true", help="只与锚点比对,不追加(如文件在只读介质上)"
        )

    def handle(self, *args, **options):
        path: Path | None = options["anchor"]
        try:
            anchors = read_anchors(path) if path else []
        except ValueError as error:
            raise CommandError(str(error)) from error
        report = verify_chain(anchors)
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(problem.message)
            raise CommandError(
                f"审计日志已损坏:{len(report.problems)} 处问题(见上)。第一处:"
                f"{report.problems[0].message}"
            )
        legacy = f",其中 {report.legacy_count} 条为无密钥旧条目" if report.legacy_count else ""
        checked = f",与 {len(anchors)} 个锚点一致" if anchors else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"审计日志完整:{report.count} 条记录{legacy},哈希链无断裂{checked}。"
            )
        )
        if path and not options["compare_only"]:
            anchor = append_anchor(path, report, now=timezone.now())
            if anchor:
                self.stdout.write(f"已追加锚点:{anchor.line().strip()} → {path}")
