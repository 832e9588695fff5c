import logging

from django.apps import AppConfig
from django.core import checks

logger = logging.getLogger("portal")


def opencc_backend_info(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Which OpenCC is converting, in `manage.py check --deploy` (the pre-deployment list).

    Not at every start: runserver would print "System check identified some issues" for a
    mere fact; each process logs the backend once at start-up instead (ready() below).
    """
    from disclosure.convert import active_backend

    return [
        checks.Info(
            f"OpenCC backend for Traditional script: {active_backend()}",
            hint="The official binding (`opencc`) is exact on OpenCC's own test cases; "
            "the `opencc-pure` extra is a fallback for platforms without its wheel.",
            id="portal.I001",
        )
    ]


def opencc_backend_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A warning at every start when the less exact reimplementation is converting."""
    from disclosure.convert import active_backend

    backend = active_backend()
    if backend.startswith("official"):
        return []
    return [
        checks.Warning(
            f"OpenCC backend is {backend}: conversions are less exact than the official one.",
            id="portal.W001",
        )
    ]


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "公开门户"

    def ready(self) -> None:
        from disclosure.convert import active_backend
        from portal import page_cache_signals

        checks.register(opencc_backend_check)
        checks.register(opencc_backend_info, "opencc", deploy=True)
        logger.info("OpenCC backend for Traditional script: %s", active_backend())
        page_cache_signals.connect()
