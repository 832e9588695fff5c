from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "全文检索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from search import sync

        sync.connect()  # the index follows the core's announcements (search/sync.py)
