"""`export_records --format csv|xlsx|jsonl [filters] -o FILE`: the auditor export, from a shell."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from exchange.export_filters import ExportFilterError, export_queryset
from exchange.exports import FORMATS, stream_audit_log, stream_plan_items, stream_records
from exchange.management.actors import actor_from_option
from plans.models import PlanItem

FILTERS = (
    "category",
    "organization",
    "topic",
    "genre",
    "year",
    "issued_from",
    "issued_to",
    "published_from",
    "published_to",
    "method",
    "validity",
    "keyword",
    "updated_from",
    "updated_to",
)


class Command(BaseCommand):
    help = "导出公开信息(或审计日志)为 CSV / XLSX / JSON Lines,流式写出,并记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", default="-", help="输出文件;- 为标准输出")
        parser.add_argument("--english", action="store_true", help="表头用英文字段名")
        parser.add_argument("--audit-log", action="store_true", help="导出审计日志(含哈希链)")
        parser.add_argument(
            "--plan-items", action="store_true", help="导出规划计划事项及其进展(按 --year 筛选)"
        )
        parser.add_argument("--actor", help="记入审计日志的操作人账号")
        parser.add_argument("--status", action="append", default=[], help="可重复")
        for name in FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)

    def handle(self, *args, **options):

        actor = actor_from_option(options["actor"])
        if options["audit_log"]:
            chunks = stream_audit_log(
                fmt=options["format"], actor=actor, english=options["english"]
            )
        elif options["plan_items"]:
            items = PlanItem.objects.all()
            if options["year"]:
                items = items.filter(section__plan__record__issued_on__year=options["year"])
            chunks = stream_plan_items(
                queryset=items,
                fmt=options["format"],
                actor=actor,
                english=options["english"],
                filters={"year": options["year"]} if options["year"] else {},
            )
        else:
            data = QueryDict(mutable=True)
            for name in FILTERS:
                if options[name] is not None:
                    data[name] = options[name]
            data.setlist("status", options["status"])
            try:
                queryset, used = export_queryset(data=data)
            except ExportFilterError as exc:
                raise CommandError(str(exc)) from exc
            chunks = stream_records(
                queryset=queryset,
                fmt=options["format"],
                actor=actor,
                english=options["english"],
                filters=used,
            )
        if options["output"] == "-":
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            return
        with open(options["output"], "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        self.stderr.write(f"已导出到 {options['output']}")
