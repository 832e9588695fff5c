"""The staff back office; one module per concept, each registering its own ModelAdmins."""

from disclosure.admin import annual_reports, calendar, plans, records, requests  # noqa: F401
