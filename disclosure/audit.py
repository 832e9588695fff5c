"""Writing the audit log (see disclosure.models.audit); verifying it is disclosure.audit_verify.

Each entry's hash is an HMAC-SHA256 under AUDIT_CHAIN_KEY, a key kept outside the database (in
the environment; derived from SECRET_KEY when unset). Somebody who can write to the database but
does not hold the key cannot rewrite a row and recompute the hashes after it: every recomputed
hash would be wrong. Entries written before the key (chain version 1, plain SHA-256) are kept
as they were, never re-keyed — a re-keying migration would be exactly the rewrite an attacker
could do — and are protected by the first keyed entry, whose HMAC covers their last hash.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from disclosure.models import AuditAction, AuditChainHead, AuditEntry
from disclosure.models.audit import CHAIN_KEYED, CHAIN_LEGACY

GENESIS_HASH = "0" * 64


def chain_key() -> bytes:
    """AUDIT_CHAIN_KEY, or a key derived from SECRET_KEY (set it explicitly in production, so
    that rotating SECRET_KEY does not make every keyed entry look forged)."""
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return configured.encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"disclosure.audit.chain-key", hashlib.sha256
    ).digest()


def _canonical(entry: Any) -> dict[str, Any]:
    return {
        "created_at": entry.created_at.astimezone(datetime.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "reason": entry.reason,
        "ip": entry.ip,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }


def entry_digest(entry: Any) -> str:
    """The hash the entry must carry for its chain version: HMAC-SHA256 under the chain key
    (version 2), or the plain SHA-256 of entries written before the key existed (version 1)."""
    payload = _canonical(entry)
    version = getattr(entry, "chain_version", CHAIN_KEYED)
    if version == CHAIN_LEGACY:
        canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    payload["chain_version"] = version
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(chain_key(), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def append_entry(entry_model: Any, head_model: Any, **fields: Any) -> Any:
    """Chain one new keyed entry to the head, locking the head row so the chain stays linear.

    Takes the model classes so that a migration can call it with its historical models.
    """
    with transaction.atomic():
        head_model.objects.bulk_create([head_model(pk=1)], ignore_conflicts=True)
        head = head_model.objects.select_for_update().get(pk=1)
        entry = entry_model(chain_version=CHAIN_KEYED, prev_hash=head.last_hash, **fields)
        entry.entry_hash = entry_digest(entry)
        entry.save()
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_hash"])
    return entry


def record_event(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    reason: str = "",
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry, chained to the newest one. Joins the caller's transaction if any.

    A refused action is recorded by calling this outside the transaction that was rolled back
    (otherwise the refusal would vanish with it).
    """
    return append_entry(
        AuditEntry,
        AuditChainHead,
        created_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "get_username", lambda: "")() if actor else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        reason=reason or "",
        ip=ip or None,
        details=details or {},
    )


def first_broken_link() -> AuditEntry | None:
    """The first damaged entry (see audit_verify.verify_chain); None when the chain is intact.

    Damage that names no surviving entry (an emptied table) is returned as an unsaved entry.
    """
    from disclosure.audit_verify import verify_chain

    report = verify_chain()
    if report.intact:
        return None
    entry_id = report.problems[0].entry_id
    found = AuditEntry.objects.filter(pk=entry_id).first() if entry_id else None
    return found or AuditEntry(prev_hash=GENESIS_HASH)


def _request_ip(request: Any) -> str | None:
    return getattr(request, "META", {}).get("REMOTE_ADDR") or None


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(action=AuditAction.LOGIN, actor=user, ip=_request_ip(request))


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event(action=AuditAction.LOGOUT, actor=user, ip=_request_ip(request))


def _on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    """The attempted username is kept (never the password), to spot guessing."""
    record_event(
        action=AuditAction.LOGIN_FAILED,
        reason=f"登录失败:{credentials.get('username', '')}"[:300],
        ip=_request_ip(request),
        details={"username": str(credentials.get("username", ""))[:150]},
    )


def connect_auth_signals() -> None:
    """Logins, logouts and failed logins go into the audit log (Django's auth signals)."""
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(_on_login, dispatch_uid="disclosure_audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="disclosure_audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="disclosure_audit_login_failed")
