"""The one definition of the client's address that the audit log, the login lockout and the
public form's rate limits use.

It is the peer address Django sees (REMOTE_ADDR), except when that peer is one of the
`TRUSTED_PROXIES` (deploy/'s nginx on the same host): then the proxy has put the real client in
X-Forwarded-For (nginx overwrites the header with `$remote_addr`, so a client cannot plant one),
and the address is the last one in that header that is not itself a trusted proxy. A header from
anybody else is ignored, so a forged X-Forwarded-For never changes whom a lockout or a rate limit
counts.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: Any) -> str | None:
    """The client's address of `request`, or None (no request, as for a command, or none)."""
    meta = getattr(request, "META", {})
    peer = meta.get("REMOTE_ADDR") or None
    trusted = getattr(settings, "TRUSTED_PROXIES", ())
    if peer is None or peer not in trusted:
        return peer
    forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address if _valid(address) else peer
    return peer
