import contextlib

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "政府信息公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from disclosure import checks  # noqa: F401 - registers the deploy checks
        from disclosure.audit import connect_auth_signals
        from disclosure.changes import public_content_changed
        from disclosure.roles import ROLE_APP_LABELS, sync_role_groups
        from disclosure.scheduled import register_due_task
        from disclosure.services.view_counts import flush_due_view_counts

        connect_auth_signals()
        # A change announced after commit retires the cached listing counts too, including
        # writes that bypass save() (imports, merges, bulk numbering): they announce it.
        public_content_changed.connect(
            _retire_listing_counts, dispatch_uid="disclosure_listing_counts"
        )
        # 浏览次数 counted in Redis reach the database at every run (services/view_counts.py)
        register_due_task(flush_due_view_counts)
        # After auth's own receiver has created the permissions of the last app the roles name
        # (auth is listed first), so every context's permissions exist by then.
        last = [c for c in apps.get_app_configs() if c.label in ROLE_APP_LABELS][-1]
        post_migrate.connect(sync_role_groups, sender=last, dispatch_uid="disclosure_role_groups")


def _retire_listing_counts(**kwargs: object) -> None:
    from disclosure.selectors import bump_listing_generation

    # a cache outage is no reason to fail the writer: the count's stamp and TTL still hold
    with contextlib.suppress(Exception):
        bump_listing_generation()
