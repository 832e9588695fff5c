"""Writing and verifying the audit log (see disclosure.models.audit)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from disclosure.http import client_ip
from disclosure.models import AuditAction, AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


def entry_digest(entry: AuditEntry) -> str:
    """SHA-256 over the entry's content and the previous hash, in a canonical JSON form."""
    payload = {
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
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def audit_object_type(obj: models.Model) -> str:
    """The log's name for a kind of object: "app.model" of the app that owns its table.

    The contexts that left the records core (issue 17) kept their disclosure_* tables, and their
    objects keep their names in the log ("disclosure.planitem"), so one object has one name in
    the whole log, before and after the move, for an auditor's filter.
    """
    opts = obj._meta
    if opts.db_table == f"disclosure_{opts.model_name}":
        return f"disclosure.{opts.model_name}"
    return opts.label_lower


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
    with transaction.atomic():
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=getattr(actor, "get_username", lambda: "")() if actor else "",
            action=action,
            object_type=audit_object_type(obj) if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=str(obj)[:300] if obj is not None else "",
            reason=reason or "",
            ip=ip or None,
            details=details or {},
            prev_hash=head.last_hash,
        )
        entry.entry_hash = entry_digest(entry)
        entry.save()
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_hash"])
    return entry


def first_broken_link() -> AuditEntry | None:
    """The first entry whose hash or link does not match; None when the chain is intact."""
    expected_prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev or entry_digest(entry) != entry.entry_hash:
            return entry
        expected_prev = entry.entry_hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != expected_prev:
        # the newest entries were deleted: report the last surviving one as the break
        return AuditEntry.objects.order_by("-id").first() or AuditEntry(prev_hash=expected_prev)
    return None


_request_ip = client_ip


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
