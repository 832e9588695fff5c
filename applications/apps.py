from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "依申请公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from applications.scheduled import due_tasks
        from applications.services.deadlines import recompute_open_deadlines
        from disclosure.scheduled import register_due_task
        from disclosure.services.holidays import register_calendar_listener

        register_due_task(due_tasks)
        register_calendar_listener(recompute_open_deadlines)
