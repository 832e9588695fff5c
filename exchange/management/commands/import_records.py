"""`import_records FILE --actor NAME [--commit] [--publish]`: validate (dry run) or import a
legacy site's records, as the named staff account and under its permissions and scope."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exchange.importing import import_records
from exchange.importing.service import import_limits
from exchange.importing.vocabulary import VocabularyResolver
from exchange.management.actors import actor_from_option


class Command(BaseCommand):
    help = (
        "导入 CSV / XLSX / JSON / JSON Lines 格式的公开信息。默认只校验(试运行)并列出每个问题;"
        "加 --commit 在一个事务中导入:全部成功或全部不导入。按信息索引号更新,可重复导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="写入数据库(默认只校验)")
        parser.add_argument(
            "--create-missing", action="store_true", help="自动创建不存在的机构、目录、主题、体裁"
        )
        parser.add_argument("--category", help="没有目录的行放入此目录(路径名或「a / b」路径)")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="导入后直接发布(操作人须有发布权限);默认以草稿导入,经审核、发布后公开",
        )
        parser.add_argument("--format", choices=["csv", "xlsx", "json", "jsonl"])
        parser.add_argument("--encoding", help="文件编码,如 gbk;默认 UTF-8")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=settings.DISCLOSURE_IMPORT_MAX_BYTES,
            help="文件大小上限(字节),0 为不限",
        )
        parser.add_argument(
            "--max-rows",
            type=int,
            default=settings.DISCLOSURE_IMPORT_MAX_ROWS,
            help="数据行数上限,0 为不限",
        )
        parser.add_argument(
            "--max-seconds",
            type=int,
            default=settings.DISCLOSURE_IMPORT_MAX_SECONDS,
            help="读取用时上限(秒),0 为不限",
        )
        parser.add_argument(
            "--attachments",
            metavar="DIR",
            help="从此文件夹读取「附件」列列出的文件(经与后台上传相同的检查后保存并关联)",
        )
        parser.add_argument(
            "--renumber-lost",
            action="store_true",
            help="缺少机构代码的信息索引号(如 /2025-0000)改由本平台生成;默认按原文保留并提示",
        )
        parser.add_argument(
            "--actor",
            required=True,
            help="操作人账号:按其权限和机构范围导入,并记入审计日志",
        )

    def handle(self, *args, **options):
        actor = actor_from_option(options["actor"])
        default_category = None
        if options["category"]:
            default_category = VocabularyResolver(create_missing=False).category(
                options["category"]
            )
            if default_category is None:
                raise CommandError(f"没有目录 {options['category']}")
        try:
            report = import_records(
                source=options["file"],
                actor=actor,
                fmt=options["format"],
                commit=options["commit"],
                create_missing=options["create_missing"],
                default_category=default_category,
                publish=options["publish"],
                encoding=options["encoding"],
                max_bytes=options["max_bytes"] or None,
                limits=import_limits(rows=options["max_rows"], seconds=options["max_seconds"]),
                attachments_dir=options["attachments"],
                renumber_lost=options["renumber_lost"],
            )
        except OSError as exc:
            raise CommandError(f"无法读取文件:{exc}") from exc
        for problem in report.problems:
            self.stdout.write(str(problem))
        if report.problem_count > len(report.problems):
            self.stdout.write(f"……另有 {report.problem_count - len(report.problems)} 个问题未列出")
        for warning in report.warnings:
            self.stdout.write(f"提示:{warning}")
        if not report.committed:  # the dry run's (or the refusal's) summary, to act on
            self.stdout.write("—— 汇总 ——")
            for line in report.digest():
                self.stdout.write(line)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
        if report.committed and report.write_seconds is not None:
            self.stdout.write(f"写入用时 {report.write_seconds:.1f} 秒。")
        if report.index_seconds is not None:
            self.stdout.write(
                f"检索索引已更新:{report.indexed} 条已发布信息可检索"
                f"(用时 {report.index_seconds:.1f} 秒)。"
            )
        for notice in report.notices():
            self.stdout.write(notice)
