"""The staff back office; one module per concept, each registering its own ModelAdmins."""

from disclosure.admin import plans, records  # noqa: F401, I001
from disclosure.admin import exports, imports  # noqa: F401  (data in and out, issue 6)
