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
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from disclosure.http import client_ip
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
    """Chain one new keyed entry to the head (`_chain`).

    Takes the model classes so that a migration can call it with its historical models.
    """
    return _chain(entry_model(chain_version=CHAIN_KEYED, **fields), head_model)


def _chain(entry: Any, head_model: Any) -> Any:
    """Link `entry` to the head and make it the new head, holding the head row's lock so the
    chain stays linear. Joins the caller's transaction if any."""
    with transaction.atomic():
        head = _locked_head(head_model)
        entry.prev_hash = head.last_hash
        entry.entry_hash = entry_digest(entry)
        entry.save()
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_hash"])
    return entry


def _new_entry(*, created_at: datetime.datetime | None = None, **event: Any) -> AuditEntry:
    return AuditEntry(**_entry_row(created_at or timezone.now(), **event))


def _entry_row(
    created_at: datetime.datetime,
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    reason: str = "",
    ip: str | None = None,
    details: dict[str, Any] | None = None,
    target: tuple[str, str, str] | None = None,
) -> dict[str, Any]:
    """An entry's columns but the id, by attname, before it is chained (`prev_hash` and
    `entry_hash` empty).

    `target` (object type, id, repr) stands for `obj` where building the object would cost
    more than the entry (an import's thousands).
    """
    if obj is not None:
        target = (audit_object_type(obj), "" if obj.pk is None else str(obj.pk), str(obj))
    object_type, object_id, object_repr = target or ("", "", "")
    return {
        "created_at": created_at,
        "actor_id": actor.pk if getattr(actor, "pk", None) else None,
        "actor_name": getattr(actor, "get_username", lambda: "")() if actor else "",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr[:300],
        "reason": reason or "",
        "ip": ip or None,
        "details": details or {},
        "prev_hash": "",
        "entry_hash": "",
        "chain_version": CHAIN_KEYED,
    }


def _locked_head(head_model: Any = AuditChainHead) -> Any:
    head_model.objects.bulk_create([head_model(pk=1)], ignore_conflicts=True)
    return head_model.objects.select_for_update().get(pk=1)


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
    entry = _new_entry(action=action, actor=actor, obj=obj, reason=reason, ip=ip, details=details)
    return _chain(entry, AuditChainHead)


def record_events(
    events: Iterable[dict[str, Any]],
    *,
    insert: Callable[[list[dict[str, Any]]], None] | None = None,
    batch_size: int = 1000,
) -> int:
    """Append many entries (an import's one per record) with one lock of the chain head.

    Each event holds `record_event`'s keyword arguments (or `target`, see `_entry_row`). The
    entries are chained in order and inserted `batch_size` at a time, by `insert` or
    `bulk_create`: a statement per batch, not per entry. `insert` receives each batch as one
    dict per entry, every column but the id by attname (the import passes its COPY writer,
    which needs no model instance). Returns the number written.
    """
    write = insert or _create_rows
    written = 0
    with transaction.atomic():
        head = _locked_head()
        now = timezone.now()
        digest = _keyed_digester(now)
        prev = head.last_hash
        batch: list[dict[str, Any]] = []
        for event in events:
            row = _entry_row(now, **event)
            row["prev_hash"] = prev
            row["entry_hash"] = prev = digest(row)
            batch.append(row)
            if len(batch) >= batch_size:
                write(batch)
                written += len(batch)
                batch = []
        if batch:
            write(batch)
            written += len(batch)
        head.last_hash = prev
        head.save(update_fields=["last_hash"])
    return written


def _create_rows(rows: list[dict[str, Any]]) -> None:
    AuditEntry.objects.bulk_create([AuditEntry(**row) for row in rows])


#: The encoder of `json.dumps(..., ensure_ascii=False, sort_keys=True, separators=(",", ":"))`,
#: as `entry_digest` calls it, built once.
_CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _keyed_digester(created_at: datetime.datetime) -> Callable[[dict[str, Any]], str]:
    """`entry_digest` of keyed entry rows created at `created_at`, several times cheaper.

    The canonical JSON has its keys sorted, and the first five (action, actor id and name,
    chain version, time) are the same for most entries of an import: the HMAC fed with them is
    computed once per action and actor and copied for each entry, which encodes only its other
    values, one by one, with the same encoder, under their keys in sorted order (all after
    "created_at", so the JSON of the whole is the opening's without its "}" followed by them).
    tests/disclosure/test_audit.py checks that this agrees with `entry_digest`, which stays the
    definition of the canonical form.
    """
    key = chain_key()
    moment = created_at.astimezone(datetime.UTC).isoformat()
    encode = _CANONICAL_JSON.encode
    openings: dict[tuple[Any, ...], Any] = {}

    def digest(row: dict[str, Any]) -> str:
        opening = (row["action"], row["actor_id"], row["actor_name"])
        mac = openings.get(opening)
        if mac is None:
            if len(openings) > 100:  # an actor per entry: keep memory flat
                openings.clear()
            start = encode(
                {
                    "action": opening[0],
                    "actor_id": opening[1],
                    "actor_name": opening[2],
                    "chain_version": CHAIN_KEYED,
                    "created_at": moment,
                }
            )
            mac = openings[opening] = hmac.new(key, f"{start[:-1]},".encode(), hashlib.sha256)
        mac = mac.copy()
        ip = row["ip"]
        mac.update(
            f'"details":{encode(row["details"])},'
            f'"ip":{"null" if ip is None else encode(ip)},'
            f'"object_id":{encode(row["object_id"])},'
            f'"object_repr":{encode(row["object_repr"])},'
            f'"object_type":{encode(row["object_type"])},'
            f'"prev_hash":{encode(row["prev_hash"])},'
            f'"reason":{encode(row["reason"])}}}'.encode()
        )
        return mac.hexdigest()

    return digest


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
