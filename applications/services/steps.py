"""The steps of handling a request (Articles 30-36), each one row of `base.STEPS` run through
`base.run_step`: the function below only says what the step changes."""

from __future__ import annotations

import datetime

from django.utils import timezone

from applications.choices import REASONS_BY_TYPE, ReplyReason, ReplyType
from applications.letters import render_reply_letter
from applications.models import InformationRequest
from applications.services.base import Outcome, RequestError, run_step
from applications.services.deadlines import (
    MAX_EXTENSION_WORKING_DAYS,
    compute_due_on,
    correction_notice_deadline,
    resume_clock,
)
from disclosure.actors import Actor
from disclosure.roles import can_access_organization


def request_correction(
    *,
    request: InformationRequest,
    actor: Actor,
    notice: str,
    correction_due_on: datetime.date,
    today: datetime.date | None = None,
) -> InformationRequest:
    """Article 30: an unclear request is returned once, within 7 working days of receipt, saying
    what to supplement and by when; the answer period stops until the correction arrives."""
    today = today or timezone.localdate()

    def apply(locked: InformationRequest) -> Outcome:
        if locked.correction_requested_on:
            raise RequestError("只有已受理且未曾告知补正的申请才能告知补正(补正须一次性告知)。")
        if not notice.strip():
            raise RequestError("请写明需要补正的事项。")
        if today < locked.received_on:
            raise RequestError(
                f"补正告知日期({today:%Y-%m-%d})不能早于收到申请日期"
                f"({locked.received_on:%Y-%m-%d})。"
            )
        last_day = correction_notice_deadline(locked)
        if today > last_day:
            raise RequestError(
                f"补正须在收到申请之日起7个工作日内告知(最迟 {last_day:%Y-%m-%d}),已超过期限。"
            )
        if correction_due_on <= today:
            raise RequestError("补正期限须晚于告知日期。")
        locked.correction_requested_on = today
        locked.correction_due_on = correction_due_on
        locked.correction_notice = notice.strip()
        locked.due_on = None
        return Outcome(note=f"告知补正,补正期限 {correction_due_on:%Y-%m-%d}", on=today)

    return run_step("correction", request=request, actor=actor, apply=apply)


def receive_correction(
    *, request: InformationRequest, actor: Actor, received_on: datetime.date
) -> InformationRequest:
    """Article 30: the answer period counts afresh from the day the correction arrives."""

    def apply(locked: InformationRequest) -> Outcome:
        if locked.correction_requested_on and received_on < locked.correction_requested_on:
            raise RequestError("收到补正日期不能早于补正告知日期。")
        locked.correction_received_on = received_on
        locked.due_on = compute_due_on(locked)
        return Outcome(note=f"收到补正,答复期限 {locked.due_on:%Y-%m-%d}", on=received_on)

    return run_step("correction_received", request=request, actor=actor, apply=apply)


def start_consultation(
    *, request: InformationRequest, actor: Actor, started_on: datetime.date, note: str = ""
) -> InformationRequest:
    """Article 32: consult a third party whose rights may be affected; the time does not count."""

    def apply(locked: InformationRequest) -> Outcome:
        if started_on < locked.received_on:
            raise RequestError("征求意见开始日期不能早于收到申请日期。")
        locked.consultation_started_on = started_on
        locked.consultation_ended_on = None
        locked.due_on = None
        return Outcome(note=note or "开始征求第三方意见,答复期限暂停计算", on=started_on)

    return run_step("consultation_start", request=request, actor=actor, apply=apply)


def end_consultation(
    *, request: InformationRequest, actor: Actor, ended_on: datetime.date, note: str = ""
) -> InformationRequest:
    """The working days after the start up to the end are added to the answer period."""

    def apply(locked: InformationRequest) -> Outcome:
        started = locked.consultation_started_on
        if started is None or ended_on < started:
            raise RequestError("征求意见结束日期不能早于开始日期。")
        locked.consultation_ended_on = ended_on
        paused = resume_clock(locked, paused_on=started, resumed_on=ended_on)
        return Outcome(
            note=note or f"征求意见结束,{paused}个工作日不计入,答复期限 {locked.due_on:%Y-%m-%d}",
            on=ended_on,
            details={"paused_working_days": paused},
        )

    return run_step("consultation_end", request=request, actor=actor, apply=apply)


def extend_request(
    *,
    request: InformationRequest,
    actor: Actor,
    approver: Actor | None,
    days: int,
    reason: str,
    today: datetime.date | None = None,
) -> InformationRequest:
    """Article 33: with the approval of the head of the disclosure office, the period may be
    extended once, by at most 20 working days, before it runs out, telling the applicant."""
    today = today or timezone.localdate()

    def apply(locked: InformationRequest) -> Outcome:
        if locked.extension_days:
            raise RequestError("答复期限只能延长一次。")
        if not 1 <= days <= MAX_EXTENSION_WORKING_DAYS:
            raise RequestError("延长答复期限须为1至20个工作日。")
        if not reason.strip():
            raise RequestError("请写明延长答复期限的理由。")
        if approver is None or not approver.has_perm("applications.approve_request_extension"):
            raise RequestError("延长答复期限须经有批准权限的负责人同意,请选择批准人。")
        if not can_access_organization(approver, locked.organization_id):
            raise RequestError("批准人须是受理机关(或其上级机关)有批准权限的负责人。")
        if locked.due_on and today > locked.due_on:
            raise RequestError(f"答复期限已于 {locked.due_on:%Y-%m-%d} 届满,不能再延长。")
        locked.extension_days = days
        locked.extension_reason = reason.strip()
        locked.extension_approved_by = approver
        locked.extended_on = today
        locked.due_on = compute_due_on(locked)
        return Outcome(
            note=f"延长{days}个工作日({reason.strip()}),答复期限 {locked.due_on:%Y-%m-%d}",
            on=today,
            details={"approver": approver.get_username(), "days": days},
        )

    return run_step("extend", request=request, actor=actor, apply=apply)


def check_reply(reply_type: str, reply_reason: str) -> None:
    if not reply_type:
        raise RequestError(
            "请选择答复类型(予以公开、部分公开、不予公开……),未选择答复类型不能答复。"
        )
    if reply_type not in ReplyType.values:
        raise RequestError("答复类型取值无效。")
    allowed = REASONS_BY_TYPE.get(reply_type, [])
    if allowed and reply_reason not in allowed:
        raise RequestError(f"「{ReplyType(reply_type).label}」须选择具体情形。")
    if not allowed and reply_reason:
        raise RequestError(f"「{ReplyType(reply_type).label}」不选择具体情形。")


def answer_request(
    *,
    request: InformationRequest,
    actor: Actor,
    reply_type: str,
    reply_reason: str = "",
    letter: str = "",
    replied_on: datetime.date | None = None,
) -> InformationRequest:
    """Article 36: the answer, with its reply type as table three of the annual report counts it;
    the letter is generated from the template for the type unless staff wrote their own."""
    day = replied_on or timezone.localdate()
    check_reply(reply_type, reply_reason)

    def apply(locked: InformationRequest) -> Outcome:
        if day < locked.received_on:
            raise RequestError("答复日期不能早于收到申请日期。")
        locked.reply_type = reply_type
        locked.reply_reason = reply_reason
        locked.replied_on = day
        locked.replied_by = actor
        locked.reply_letter = letter.strip() or render_reply_letter(request=locked)
        label = ReplyType(reply_type).label
        if reply_reason:
            label += "/" + ReplyReason(reply_reason).label
        return Outcome(note=label, on=day)

    return run_step("answer", request=request, actor=actor, apply=apply)


def update_reply_letter(
    *, request: InformationRequest, actor: Actor, letter: str
) -> InformationRequest:
    """Correct the wording of the letter of an answered request; the reply type stays."""

    def apply(locked: InformationRequest) -> Outcome:
        if not letter.strip():
            raise RequestError("答复书不能为空。")
        locked.reply_letter = letter.strip()
        return Outcome(note="修改答复书", on=timezone.localdate())

    return run_step("letter", request=request, actor=actor, apply=apply)


def close_request(
    *, request: InformationRequest, actor: Actor, note: str = ""
) -> InformationRequest:
    """File an answered request as closed (办结)."""

    def apply(locked: InformationRequest) -> Outcome:
        locked.closed_at = timezone.now()
        return Outcome(note=note or "办结", on=timezone.localdate())

    return run_step("close", request=request, actor=actor, apply=apply)
