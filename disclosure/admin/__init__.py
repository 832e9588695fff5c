"""The staff back office; one module per concept, each registering its own ModelAdmins."""

from disclosure.admin import (  # noqa: F401
    audit,
    calendar,
    records,
    staff,
    vocabulary,
)
