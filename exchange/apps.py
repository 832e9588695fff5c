from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "数据导入导出"
    default_auto_field = "django.db.models.BigAutoField"
