"""The staff back office; one module per concept, each registering its own ModelAdmins."""

from disclosure.admin import (  # noqa: F401
    annual_reports,
    audit,
    calendar,
    exports,
    imports,
    plans,
    records,
    requests,
    staff,
)
