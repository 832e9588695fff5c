"""Set up the embedded demo: migrate, load the fixtures, create the demo staff accounts and the
sample site. Safe to re-run: it adds what is missing and never overwrites what a person changed.
"""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from disclosure.demo import ensure_demo_accounts
from portal.demo_data import build_sample_site, load_missing, sample_data_wanted
from search import rebuild_index

FIXTURES = ["vocabulary", "seed_record"]


class Command(BaseCommand):
    help = "迁移数据库、载入演示数据并创建演示账号(可重复运行,不覆盖已有数据)。"

    def add_arguments(self, parser):
        parser.add_argument("--no-migrate", action="store_true", help="跳过数据库迁移。")
        parser.add_argument(
            "--no-sample-data",
            action="store_true",
            help="只载入基础数据和样例页面,不生成五年的示例站点数据。",
        )

    def handle(self, *args, no_migrate: bool = False, no_sample_data: bool = False, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("数据库已迁移。")
        added, fixture_records = 0, set()
        for fixture in FIXTURES:
            count, record_ids = load_missing(fixture)
            added += count
            fixture_records |= record_ids
        self.stdout.write(f"基础数据:{', '.join(FIXTURES)},新增 {added} 条(已有的不覆盖)。")
        password = os.environ.get("DEMO_PASSWORD", "demo-portal-2026")
        accounts = ensure_demo_accounts(password=password)
        if no_sample_data:
            pass
        elif sample_data_wanted(fixture_record_ids=fixture_records):
            site = build_sample_site()
            self.stdout.write(
                f"示例站点已生成:公开信息 {site.records} 条(附件 {site.attachments} 个),"
                f"计划事项 {site.plan_items} 项,依申请公开 {site.requests} 件,"
                f"年度报告 {site.reports} 份。"
            )
        else:
            self.stdout.write("已有其他公开信息,示例站点数据未改动。")
        if added or not no_sample_data:
            rebuild_index()
        self.stdout.write(self.style.SUCCESS("演示账号(后台 /admin/):"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<8} 用户名 {account.username}  密码 {password}")
