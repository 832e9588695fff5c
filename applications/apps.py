from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "依申请公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from applications.scheduled import due_tasks
        from disclosure.scheduled import register_due_task

        register_due_task(due_tasks)
