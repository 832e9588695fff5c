from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "年度报告"
    default_auto_field = "django.db.models.BigAutoField"
