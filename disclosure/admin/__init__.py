"""The staff back office; one module per concept, each registering its own ModelAdmins."""

from disclosure.admin import audit, plans, records, staff  # noqa: F401
