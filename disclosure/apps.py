from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "政府信息公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from disclosure.audit import connect_auth_signals
        from disclosure.roles import sync_role_groups

        connect_auth_signals()
        # After auth's own receiver has created this app's permissions (auth is listed first).
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="disclosure_role_groups")
