"""Set up the embedded demo: migrate, load the fixtures, create the demo staff account."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from disclosure.demo import ensure_demo_accounts

FIXTURES = ["vocabulary", "seed_record"]


class Command(BaseCommand):
    help = "迁移数据库、载入演示数据并创建演示账号(可重复运行)。"

    def add_arguments(self, parser):
        parser.add_argument("--no-migrate", action="store_true", help="跳过数据库迁移。")

    def handle(self, *args, no_migrate: bool = False, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("数据库已迁移。")
        for fixture in FIXTURES:
            call_command("loaddata", fixture, verbosity=0)
        self.stdout.write(f"演示数据已载入:{', '.join(FIXTURES)}。")
        password = os.environ.get("DEMO_PASSWORD", "demo-portal-2026")
        accounts = ensure_demo_accounts(password=password)
        self.stdout.write(self.style.SUCCESS("演示账号(后台 /admin/):"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<8} 用户名 {account.username}  密码 {password}")
