from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "年度报告"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from disclosure.scheduled import register_due_task
        from reports.scheduled import due_tasks

        register_due_task(due_tasks)
