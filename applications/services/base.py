"""The machinery every 依申请公开 step runs through: the transition table and `_run`.

As `disclosure.workflow` does for records: one transaction per action that locks the request
row, checks the actor's permission and organization scope, checks that the step is allowed
from the current state, applies it, writes the history (`RequestEvent`) and the audit entry.
A refused permission is itself audited (outside the rolled-back transaction).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from applications.choices import OPEN_STATES, RequestState
from applications.models import InformationRequest, RequestEvent
from disclosure.actors import Actor
from disclosure.audit import record_event
from disclosure.models import AuditAction
from disclosure.roles import can_access_organization

CHANGE = "applications.change_informationrequest"
ADD = "applications.add_informationrequest"


class RequestError(Exception):
    """A request action was refused; the message says why and what to do."""


class RequestPermissionDenied(RequestError):
    """The actor's role or organization scope does not allow the step."""


class StepNotAllowed(RequestError):
    """The step is not allowed from the request's current state."""


@dataclass(frozen=True)
class Step:
    """One row of the transition table: from which states, to which (None: `apply` decides),
    who may (a permission; None for the system's scheduled steps only), and what is audited."""

    name: str
    label: str
    sources: frozenset[str]
    target: str | None
    permission: str | None
    audit_action: str
    refusal: str = field(default="")


S = RequestState
_OPEN = frozenset(OPEN_STATES)
STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step("correction", "告知补正", frozenset({S.RECEIVED}), S.CORRECTION, CHANGE,
             AuditAction.REQUEST_CORRECTION,
             "只有已受理且未曾告知补正的申请才能告知补正(补正须一次性告知)。"),
        Step("correction_received", "收到补正", frozenset({S.CORRECTION}), S.RECEIVED, CHANGE,
             AuditAction.REQUEST_CORRECTION_RECEIVED, "该申请不在待补正状态。"),
        Step("consultation_start", "征求第三方意见", frozenset({S.RECEIVED, S.EXTENDED}),
             S.CONSULTATION, CHANGE, AuditAction.REQUEST_CONSULTATION,
             "只有办理中的申请才能征求第三方意见。"),
        Step("consultation_end", "结束征求第三方意见", frozenset({S.CONSULTATION}), None, CHANGE,
             AuditAction.REQUEST_CONSULTATION, "该申请不在征求第三方意见状态。"),
        Step("extend", "延长答复期限", frozenset({S.RECEIVED}), S.EXTENDED, CHANGE,
             AuditAction.REQUEST_EXTEND, "只有办理中且未延期的申请才能延长答复期限。"),
        Step("answer", "答复", _OPEN, S.ANSWERED, CHANGE, AuditAction.REQUEST_ANSWER,
             "该申请已答复或已办结。"),
        Step("letter", "修改答复书", frozenset({S.ANSWERED}), S.ANSWERED, CHANGE,
             AuditAction.REQUEST_ANSWER, "只有已答复、尚未办结的申请才能修改答复书。"),
        Step("close", "办结", frozenset({S.ANSWERED}), S.CLOSED, CHANGE,
             AuditAction.REQUEST_CLOSE, "只有已答复的申请才能办结。"),
        Step("expire_correction", "逾期不补正", frozenset({S.CORRECTION}), S.CLOSED, None,
             AuditAction.REQUEST_CLOSE),
        Step("fee_notice", "发出收费通知", frozenset({S.RECEIVED, S.EXTENDED}), S.FEE_PENDING,
             CHANGE, AuditAction.REQUEST_EXTEND,
             "只有办理中(未在补正、征求意见或收费确认中)的申请才能发出收费通知。"),
        Step("fee_paid", "申请人已缴费", frozenset({S.FEE_PENDING}), None, CHANGE,
             AuditAction.REQUEST_EXTEND, "该申请不在待申请人确认收费状态。"),
        Step("fee_declined", "申请人不缴费", frozenset({S.FEE_PENDING}), S.CLOSED, CHANGE,
             AuditAction.REQUEST_CLOSE, "该申请不在待申请人确认收费状态。"),
        Step("expire_fee", "逾期未缴费", frozenset({S.FEE_PENDING}), S.CLOSED, None,
             AuditAction.REQUEST_CLOSE),
    ]
}  # fmt: skip


@dataclass
class Outcome:
    """What a step's `apply` reports for the history and the audit entry."""

    note: str
    on: datetime.date
    details: dict[str, Any] = field(default_factory=dict)


def check_actor(
    *, actor: Actor | None, permission: str | None, organization_id: int, label: str
) -> None:
    """The role half (a permission) and the organization half (the 受理机关 or one below the
    actor's) of every step: the admin checks them too, but a command or shell must not skip
    them. `permission=None` marks the system's scheduled steps, which take no actor."""
    if permission is None:
        if actor is not None:
            raise RequestPermissionDenied(f"「{label}」由系统定时办理,不能手工操作。")
        return
    if actor is None or not actor.is_active or not actor.has_perm(permission):
        raise RequestPermissionDenied(f"您没有办理公开申请「{label}」的权限。")
    if not can_access_organization(actor, organization_id):
        raise RequestPermissionDenied(f"该申请不属于您所在的机构,不能{label}。")


def log_step(
    request: InformationRequest,
    *,
    action: str,
    actor: Actor | None,
    on: datetime.date,
    note: str = "",
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """The applicant-facing history entry and the audit entry, written together."""
    RequestEvent.objects.create(
        request=request, happened_on=on, state=request.state, note=note, actor=actor
    )
    record_event(action=action, actor=actor, obj=request, reason=note, ip=ip, details=details)


def audit_refusal(
    *, request: InformationRequest, actor: Actor | None, step: str, reason: str
) -> None:
    record_event(
        action=AuditAction.PERMISSION_DENIED,
        actor=actor,
        obj=request,
        reason=reason,
        details={"attempted": step},
    )


def run_step(
    name: str,
    *,
    request: InformationRequest,
    actor: Actor | None,
    apply: Callable[[InformationRequest], Outcome],
) -> InformationRequest:
    """Lock, check (permission, scope, state), apply, save, write history and audit."""
    step = STEPS[name]
    try:
        with transaction.atomic():
            locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
            check_actor(
                actor=actor,
                permission=step.permission,
                organization_id=locked.organization_id,
                label=step.label,
            )
            if locked.state not in step.sources:
                raise StepNotAllowed(
                    step.refusal or f"当前状态为「{locked.get_state_display()}」,不能{step.label}。"
                )
            source = locked.state
            if step.target is not None:
                locked.state = step.target
            outcome = apply(locked)
            locked.save()
            details = {"from": source, "to": locked.state, **outcome.details}
            log_step(
                locked,
                action=step.audit_action,
                actor=actor,
                on=outcome.on,
                note=outcome.note,
                details=details,
            )
    except RequestPermissionDenied as exc:
        audit_refusal(request=request, actor=actor, step=name, reason=str(exc))
        raise
    return locked
