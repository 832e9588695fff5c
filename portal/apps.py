import logging

from django.apps import AppConfig
from django.core import checks

logger = logging.getLogger("portal")


def opencc_backend_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Shown by `manage.py check` and at runserver start-up: which OpenCC is converting."""
    from disclosure.convert import active_backend

    backend = active_backend()
    messages: list[checks.CheckMessage] = [
        checks.Info(
            f"OpenCC backend for Traditional script: {backend}",
            hint="The official binding (`opencc`) is exact on OpenCC's own test cases; "
            "the `opencc-pure` extra is a fallback for platforms without its wheel.",
            id="portal.I001",
        )
    ]
    if not backend.startswith("official"):
        messages.append(
            checks.Warning(
                f"OpenCC backend is {backend}: conversions are less exact than the official one.",
                id="portal.W001",
            )
        )
    return messages


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "公开门户"

    def ready(self) -> None:
        from disclosure.convert import active_backend

        checks.register(opencc_backend_check)
        logger.info("OpenCC backend for Traditional script: %s", active_backend())
