"""The one definition of the client's address that the audit log and the services record.

It is the peer address Django sees (REMOTE_ADDR): a deployment behind a proxy sets it from the
proxy's header in the web server or a middleware, in one place, rather than each caller parsing
X-Forwarded-For its own way. (The public form's rate limits use django-ratelimit's `ip` key.)
"""

from __future__ import annotations

from typing import Any


def client_ip(request: Any) -> str | None:
    """REMOTE_ADDR of `request`, or None (no request, as for a command, or no address)."""
    return getattr(request, "META", {}).get("REMOTE_ADDR") or None
