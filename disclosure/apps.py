from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "政府信息公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from disclosure import checks  # noqa: F401 - registers the deploy checks
        from disclosure.audit import connect_auth_signals
        from disclosure.roles import ROLE_APP_LABELS, sync_role_groups

        connect_auth_signals()
        # After auth's own receiver has created the permissions of the last app the roles name
        # (auth is listed first), so every context's permissions exist by then.
        last = [c for c in apps.get_app_configs() if c.label in ROLE_APP_LABELS][-1]
        post_migrate.connect(sync_role_groups, sender=last, dispatch_uid="disclosure_role_groups")
