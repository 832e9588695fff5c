from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "数据导入导出"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from disclosure.scheduled import register_due_task
        from exchange.scheduled import due_tasks

        register_due_task(due_tasks)
