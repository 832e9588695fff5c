"""Time-driven work, for cron or a systemd timer: see disclosure.scheduled."""

from django.core.management.base import BaseCommand

from disclosure.scheduled import run_scheduled_tasks


class Command(BaseCommand):
    help = (
        "执行到期的定时发布、到期失效/废止的检索更新、逾期未补正申请的办结、"
        "过期申请人信息的匿名化、年度报告发布提醒和过期后台导出文件的清理(可随时重复运行)。"
    )

    def handle(self, *args, **options):
        summary = run_scheduled_tasks()
        if summary.get("skipped"):
            self.stdout.write("另一台服务器正在执行定时任务,本次跳过。")
            return
        self.stdout.write(
            f"定时发布生效 {summary['published']} 条;到期失效/废止 {summary['expired']} 条。"
        )
        self.stdout.write(f"逾期未补正办结 {summary['corrections_closed']} 件。")
        self.stdout.write(f"申请人信息匿名化 {summary['requests_anonymized']} 件。")
        self.stdout.write(f"年度报告发布提醒 {summary['annual_report_reminders']} 条。")
        self.stdout.write(
            f"中断的后台导出 {summary['export_jobs_failed']} 个;"
            f"过期导出文件删除 {summary['export_files_deleted']} 个。"
        )
        self.stdout.write(f"写入浏览次数 {summary['view_counts_flushed']} 次。")
