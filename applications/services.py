"""Handling requests for government information (依申请公开), Articles 27-45 of the Regulations.

Every action is one function: it checks the state, changes the row, recomputes the answer
deadline, writes a `RequestEvent` for the history and an audit entry, all in one transaction.
Refusals raise `RequestError` with a message a staff member can act on.
"""

from __future__ import annotations

import datetime
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from applications.files import validate_request_attachment
from applications.letters import render_reply_letter
from applications.models import (
    OPEN_STATES,
    REASONS_BY_TYPE,
    ApplicantType,
    IdType,
    InformationRequest,
    ReceiptChannel,
    ReplyReason,
    ReplyType,
    RequestEvent,
    RequestState,
)
from disclosure.audit import record_event
from disclosure.calendar import WorkingCalendar
from disclosure.models import AuditAction, Organization
from disclosure.roles import can_access_organization
from disclosure.validators import (
    normalize_phone,
    validate_organization_code,
    validate_phone,
    validate_resident_id,
)

#: Article 33: answer within 20 working days of receipt; one extension of at most 20 more.
ANSWER_WORKING_DAYS = 20
MAX_EXTENSION_WORKING_DAYS = 20
#: Article 30: a request for correction goes out within 7 working days of receipt.
CORRECTION_NOTICE_WORKING_DAYS = 7
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class RequestError(Exception):
    """A request action was refused; the message says why and what to do."""


# --- dates -----------------------------------------------------------------------------------


def receipt_date(
    *,
    channel: str,
    submitted_at: datetime.datetime | None = None,
    signed_for_on: datetime.date | None = None,
    confirmed_on: datetime.date | None = None,
) -> datetime.date:
    """Article 31: in person, the day of submission; by post, the day the agency signed for it;
    over the internet or by fax, the day both sides confirmed it (our online form confirms on
    submission with the receipt page, or on the next working day when filed on a day off).
    """
    if channel == ReceiptChannel.MAIL:
        if signed_for_on is None:
            raise RequestError(
                "邮寄申请须填写签收日期(《条例》第三十一条:以签收之日为收到申请之日)。"
            )
        return signed_for_on
    if channel == ReceiptChannel.ONLINE and confirmed_on is not None:
        return confirmed_on
    if signed_for_on is not None and channel != ReceiptChannel.IN_PERSON:
        return signed_for_on
    day = timezone.localdate(submitted_at or timezone.now())
    if channel in (ReceiptChannel.ONLINE, ReceiptChannel.FAX):
        # Confirmed by the office on its next working day when filed on a day off.
        calendar = WorkingCalendar()
        while not calendar.is_workday(day):
            day += datetime.timedelta(days=1)
    return day


def compute_due_on(
    request: InformationRequest, *, calendar: WorkingCalendar | None = None
) -> datetime.date | None:
    """The last day to answer, or None while the clock is stopped.

    Article 33: 20 working days from receipt, plus an approved extension of at most 20.
    Article 30: after a request for correction the period counts from the day the corrected
    request arrives (so the time the applicant takes does not count). Article 32/33: the time
    spent consulting a third party or another agency does not count.
    """
    if request.state in (RequestState.CORRECTION, RequestState.CONSULTATION):
        return None
    calendar = calendar or WorkingCalendar()
    start = request.correction_received_on or request.received_on
    days = ANSWER_WORKING_DAYS + request.extension_days + request.paused_working_days
    return calendar.add_working_days(start, days)


def correction_notice_deadline(
    request: InformationRequest, *, calendar: WorkingCalendar | None = None
) -> datetime.date:
    return (calendar or WorkingCalendar()).add_working_days(
        request.received_on, CORRECTION_NOTICE_WORKING_DAYS
    )


# --- helpers ---------------------------------------------------------------------------------


def new_tracking_number(*, year: int) -> str:
    """`2026-7K3QH9M2XC`: 10 random characters (32^10 ≈ 10^15) so numbers cannot be guessed."""
    token = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))
    return f"{year}-{token}"


def _log(
    request: InformationRequest,
    *,
    action: str,
    actor: AbstractBaseUser | None,
    on: datetime.date,
    note: str = "",
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    RequestEvent.objects.create(
        request=request, happened_on=on, state=request.state, note=note, actor=actor
    )
    record_event(action=action, actor=actor, obj=request, reason=note, ip=ip, details=details)


def _locked(request: InformationRequest) -> InformationRequest:
    return InformationRequest.objects.select_for_update().get(pk=request.pk)


def validate_applicant(fields: dict[str, Any]) -> None:
    """Cross-field rules of the application form (Article 29); raises ValidationError."""
    errors: dict[str, list[str]] = {}

    def add(field: str, error: ValidationError | str) -> None:
        messages = error.messages if isinstance(error, ValidationError) else [error]
        errors.setdefault(field, []).extend(messages)

    if not (fields.get("description") or "").strip():
        add("description", "请填写所需政府信息的名称、文号或便于查询的其他特征性描述。")
    if not (fields.get("applicant_name") or "").strip():
        add("applicant_name", "请填写申请人姓名或名称。")
    try:
        validate_phone(fields.get("phone") or "")
    except ValidationError as error:
        add("phone", error)
    applicant_type = fields.get("applicant_type")
    if applicant_type == ApplicantType.CITIZEN:
        if not fields.get("id_type"):
            add("id_type", "请选择证件类型。")
        if not (fields.get("id_number") or "").strip():
            add("id_number", "请填写证件号码。")
        elif fields.get("id_type") == IdType.RESIDENT_ID:
            try:
                validate_resident_id(fields["id_number"])
            except ValidationError as error:
                add("id_number", error)
        if fields.get("organization_kind"):
            add("organization_kind", "公民申请不填写组织类别。")
    elif applicant_type == ApplicantType.ORGANIZATION:
        if not fields.get("organization_kind"):
            add("organization_kind", "请选择法人或其他组织的类别。")
        try:
            validate_organization_code(fields.get("organization_code") or "")
        except ValidationError as error:
            add("organization_code", error)
    else:
        add("applicant_type", "请选择申请人类型。")
    if errors:
        raise ValidationError(errors)


def _create(
    *,
    organization: Organization,
    fields: dict[str, Any],
    channel: str,
    received_on: datetime.date,
    actor: AbstractBaseUser | None,
    attachment: UploadedFile | None,
    now: datetime.datetime,
) -> InformationRequest:
    validate_applicant(fields)
    fields = dict(fields)
    if fields.get("id_number"):
        fields["id_number"] = fields["id_number"].strip().upper()
    if fields.get("organization_code"):
        fields["organization_code"] = fields["organization_code"].strip().upper().replace("-", "")
    request = InformationRequest(
        organization=organization,
        channel=channel,
        submitted_at=now,
        received_on=received_on,
        created_by=actor,
        tracking_number=new_tracking_number(year=received_on.year),
        **fields,
    )
    if attachment is not None:
        validate_request_attachment(attachment)
        request.attachment = attachment
        request.attachment_name = (attachment.name or "")[:255]
    request.due_on = compute_due_on(request)
    request.full_clean(exclude=["attachment"])
    request.save()
    return request


def submit_online_request(
    *,
    organization: Organization,
    fields: dict[str, Any],
    attachment: UploadedFile | None = None,
    ip: str | None = None,
    now: datetime.datetime | None = None,
) -> InformationRequest:
    """An application filed through the online form (Article 29); the receipt page confirms it,
    which makes the day of submission the day of receipt (Article 31(3))."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _create(
            organization=organization,
            fields=fields,
            channel=ReceiptChannel.ONLINE,
            received_on=receipt_date(channel=ReceiptChannel.ONLINE, submitted_at=now),
            actor=None,
            attachment=attachment,
            now=now,
        )
        _log(
            request,
            action=AuditAction.REQUEST_SUBMIT,
            actor=None,
            on=request.received_on,
            note="通过互联网提交申请",
            ip=ip,
        )
    return request


def register_request(
    *,
    actor: AbstractBaseUser,
    organization: Organization,
    channel: str,
    fields: dict[str, Any],
    submitted_on: datetime.date | None = None,
    signed_for_on: datetime.date | None = None,
    attachment: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> InformationRequest:
    """A request received by post, in person, by fax…, registered by staff (Article 31)."""
    now = now or timezone.now()
    submitted_at = (
        timezone.make_aware(datetime.datetime.combine(submitted_on, datetime.time(9)))
        if submitted_on
        else now
    )
    received_on = receipt_date(
        channel=channel, submitted_at=submitted_at, signed_for_on=signed_for_on
    )
    with transaction.atomic():
        request = _create(
            organization=organization,
            fields=fields,
            channel=channel,
            received_on=received_on,
            actor=actor,
            attachment=attachment,
            now=submitted_at,
        )
        _log(
            request,
            action=AuditAction.REQUEST_REGISTER,
            actor=actor,
            on=received_on,
            note=f"登记{ReceiptChannel(channel).label}申请",
        )
    return request


def request_correction(
    *,
    request: InformationRequest,
    actor: AbstractBaseUser,
    notice: str,
    correction_due_on: datetime.date,
    today: datetime.date | None = None,
) -> InformationRequest:
    """Article 30: an unclear request is returned once, within 7 working days of receipt, saying
    what to supplement and by when; the answer period stops until the correction arrives."""
    today = today or timezone.localdate()
    calendar = WorkingCalendar()
    with transaction.atomic():
        request = _locked(request)
        if request.state != RequestState.RECEIVED or request.correction_requested_on:
            raise RequestError("只有已受理且未曾告知补正的申请才能告知补正(补正须一次性告知)。")
        if not notice.strip():
            raise RequestError("请写明需要补正的事项。")
        last_day = correction_notice_deadline(request, calendar=calendar)
        if today > last_day:
            raise RequestError(
                f"补正须在收到申请之日起7个工作日内告知(最迟 {last_day:%Y-%m-%d}),已超过期限。"
            )
        if correction_due_on <= today:
            raise RequestError("补正期限须晚于告知日期。")
        request.state = RequestState.CORRECTION
        request.correction_requested_on = today
        request.correction_due_on = correction_due_on
        request.correction_notice = notice.strip()
        request.due_on = None
        request.save()
        _log(
            request,
            action=AuditAction.REQUEST_CORRECTION,
            actor=actor,
            on=today,
            note=f"告知补正,补正期限 {correction_due_on:%Y-%m-%d}",
        )
    return request


def receive_correction(
    *,
    request: InformationRequest,
    actor: AbstractBaseUser,
    received_on: datetime.date,
) -> InformationRequest:
    """Article 30: the answer period counts afresh from the day the correction arrives."""
    with transaction.atomic():
        request = _locked(request)
        if request.state != RequestState.CORRECTION:
            raise RequestError("该申请不在待补正状态。")
        if received_on < request.correction_requested_on:
            raise RequestError("收到补正日期不能早于补正告知日期。")
        request.state = RequestState.RECEIVED
        request.correction_received_on = received_on
        request.due_on = compute_due_on(request)
        request.save()
        _log(
            request,
            action=AuditAction.REQUEST_CORRECTION_RECEIVED,
            actor=actor,
            on=received_on,
            note=f"收到补正,答复期限 {request.due_on:%Y-%m-%d}",
        )
    return request


def start_consultation(
    *,
    request: InformationRequest,
    actor: AbstractBaseUser,
    started_on: datetime.date,
    note: str = "",
) -> InformationRequest:
    """Article 32: consult a third party whose rights may be affected; the time does not count."""
    with transaction.atomic():
        request = _locked(request)
        if request.state not in (RequestState.RECEIVED, RequestState.EXTENDED):
            raise RequestError("只有办理中的申请才能征求第三方意见。")
        request.state = RequestState.CONSULTATION
        request.consultation_started_on = started_on
        request.consultation_ended_on = None
        request.due_on = None
        request.save()
        _log(
            request,
            action=AuditAction.REQUEST_CONSULTATION,
            actor=actor,
            on=started_on,
            note=note or "开始征求第三方意见,答复期限暂停计算",
        )
    return request


def end_consultation(
    *,
    request: InformationRequest,
    actor: AbstractBaseUser,
    ended_on: datetime.date,
    note: str = "",
) -> InformationRequest:
    """The working days after the start up to the end are added to the answer period."""
    with transaction.atomic():
        request = _locked(request)
        if request.state != RequestState.CONSULTATION:
            raise RequestError("该申请不在征求第三方意见状态。")
        if ended_on < request.consultation_started_on:
            raise RequestError("征求意见结束日期不能早于开始日期。")
        calendar = WorkingCalendar()
        paused = calendar.working_days_between(request.consultation_started_on, ended_on)
        request.paused_working_days += paused
        request.consultation_ended_on = ended_on
        request.state = RequestState.EXTENDED if request.extension_days else RequestState.RECEIVED
        request.due_on = compute_due_on(request, calendar=calendar)
        request.save()
        _log(
            request,
            action=AuditAction.REQUEST_CONSULTATION,
            actor=actor,
            on=ended_on,
            note=note or f"征求意见结束,{paused}个工作日不计入,答复期限 {request.due_on:%Y-%m-%d}",
            details={"paused_working_days": paused},
        )
    return request


def extend_request(
    *,
    request: InformationRequest,
    actor: AbstractBaseUser,
    approver: AbstractBaseUser,
    days: int,
    reason: str,
    today: datetime.date | None = None,
) -> InformationRequest:
    """Article 33: with the approval of the head of the disclosure office, the period may be
    extended once, by at most 20 working days, before it runs out, telling the applicant."""
    today = today or timezone.localdate()
    with transaction.atomic():
        request = _locked(request)
        if request.state != RequestState.RECEIVED:
            raise RequestError("只有办理中且未延期的申请才能延长答复期限。")
        if request.extension_days:
            raise RequestError("答复期限只能延长一次。")
        if not 1 <= days <= MAX_EXTENSION_WORKING_DAYS:
            raise RequestError("延长答复期限须为1至20个工作日。")
        if not reason.strip():
            raise RequestError("请写明延长答复期限的理由。")
        if approver is None or not approver.has_perm("applications.approve_request_extension"):
            raise RequestError("延长答复期限须经有批准权限的负责人同意,请选择批准人。")
        if not can_access_organization(approver, request.organization_id):
            raise RequestError("批准人须是受理机关(或其上级机关)有批准权限的负责人。")
        if request.due_on and today > request.due_on:
            raise RequestError(f"答复期限已于 {request.due_on:%Y-%m-%d} 届满,不能再延长。")
        request.extension_days = days
        request.extension_reason = reason.strip()
        request.extension_approved_by = approver
        request.extended_on = today
        request.state = RequestState.EXTENDED
        request.due_on = compute_due_on(request)
        request.save()
        _log(
            request,
            action=AuditAction.REQUEST_EXTEND,
            actor=actor,
            on=today,
            note=f"延长{days}个工作日({reason.strip()}),答复期限 {request.due_on:%Y-%m-%d}",
            details={"approver": approver.get_username(), "days": days},
        )
    return request


def _check_reply(reply_type: str, reply_reason: str) -> None:
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
    actor: AbstractBaseUser,
    reply_type: str,
    reply_reason: str = "",
    letter: str = "",
    replied_on: datetime.date | None = None,
) -> InformationRequest:
    """Article 36: the answer, with its reply type as table three of the annual report counts it;
    the letter is generated from the template for the type unless staff wrote their own."""
    replied_on = replied_on or timezone.localdate()
    _check_reply(reply_type, reply_reason)
    with transaction.atomic():
        request = _locked(request)
        if request.state not in OPEN_STATES:
            raise RequestError("该申请已答复或已办结。")
        if replied_on < request.received_on:
            raise RequestError("答复日期不能早于收到申请日期。")
        request.reply_type = reply_type
        request.reply_reason = reply_reason
        request.replied_on = replied_on
        request.replied_by = actor
        request.reply_letter = letter.strip() or render_reply_letter(request=request)
        request.state = RequestState.ANSWERED
        request.save()
        label = ReplyType(reply_type).label
        if reply_reason:
            label += "/" + ReplyReason(reply_reason).label
        _log(request, action=AuditAction.REQUEST_ANSWER, actor=actor, on=replied_on, note=label)
    return request


def update_reply_letter(
    *, request: InformationRequest, actor: AbstractBaseUser, letter: str
) -> InformationRequest:
    """Correct the wording of the letter of an answered request; the reply type stays."""
    with transaction.atomic():
        request = _locked(request)
        if request.state != RequestState.ANSWERED:
            raise RequestError("只有已答复、尚未办结的申请才能修改答复书。")
        if not letter.strip():
            raise RequestError("答复书不能为空。")
        request.reply_letter = letter.strip()
        request.save()
        _log(
            request,
            action=AuditAction.REQUEST_ANSWER,
            actor=actor,
            on=timezone.localdate(),
            note="修改答复书",
        )
    return request


def close_request(
    *, request: InformationRequest, actor: AbstractBaseUser | None, note: str = ""
) -> InformationRequest:
    """File an answered request as closed (办结)."""
    with transaction.atomic():
        request = _locked(request)
        if request.state != RequestState.ANSWERED:
            raise RequestError("只有已答复的申请才能办结。")
        request.state = RequestState.CLOSED
        request.closed_at = timezone.now()
        request.save()
        _log(
            request,
            action=AuditAction.REQUEST_CLOSE,
            actor=actor,
            on=timezone.localdate(),
            note=note or "办结",
        )
    return request


def close_overdue_corrections(*, now: datetime.datetime | None = None) -> int:
    """Article 30: an applicant who does not supplement by the deadline without good reason is
    deemed to have given up; the request is closed as 逾期不补正 (table three, （六）1).

    Scheduled daily (run_due_tasks). Returns the number of requests closed.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    closed = 0
    overdue = InformationRequest.objects.filter(
        state=RequestState.CORRECTION, correction_due_on__lt=today
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            request = InformationRequest.objects.select_for_update().get(pk=pk)
            if request.state != RequestState.CORRECTION:
                continue
            request.reply_type = ReplyType.OTHER
            request.reply_reason = ReplyReason.OTHER_NO_CORRECTION
            request.replied_on = today
            request.reply_letter = render_reply_letter(request=request)
            request.state = RequestState.CLOSED
            request.closed_at = now
            request.save()
            _log(
                request,
                action=AuditAction.REQUEST_CLOSE,
                actor=None,
                on=today,
                note="申请人逾期未补正,视为放弃申请,不再处理",
            )
            closed += 1
    return closed


PERSONAL_FIELDS = {
    "applicant_name": "(已匿名)",
    "id_number": "",
    "organization_code": "",
    "legal_representative": "",
    "phone": "",
    "email": "",
    "address": "",
    "postal_code": "",
    "attachment_name": "",
}


def anonymize_expired_requests(*, now: datetime.datetime | None = None) -> int:
    """Remove the applicant's personal data from requests closed or answered longer ago than
    settings.REQUEST_RETENTION_DAYS (PIPL Article 19: keep personal data no longer than needed).
    The counts of the annual report survive: type, organization kind and reply stay.

    Scheduled daily (run_due_tasks). Returns the number of requests anonymized.
    """
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - datetime.timedelta(days=settings.REQUEST_RETENTION_DAYS)
    done = 0
    expired = InformationRequest.objects.filter(
        state__in=(RequestState.ANSWERED, RequestState.CLOSED),
        replied_on__lt=cutoff,
        anonymized_at__isnull=True,
    ).values_list("pk", flat=True)
    for pk in list(expired):
        with transaction.atomic():
            request = InformationRequest.objects.select_for_update().get(pk=pk)
            if request.attachment:
                storage, stored = request.attachment.storage, request.attachment.name
                transaction.on_commit(lambda s=storage, n=stored: s.delete(n))
            for field, value in PERSONAL_FIELDS.items():
                setattr(request, field, value)
            request.attachment = ""
            request.anonymized_at = now
            request.save()
            record_event(
                action=AuditAction.REQUEST_ANONYMIZE,
                obj=request,
                reason=f"超过保存期限({settings.REQUEST_RETENTION_DAYS}天)",
            )
            done += 1
    return done


def lookup_request(
    *, tracking_number: str, phone: str, ip: str | None = None
) -> InformationRequest | None:
    """The status page's lookup: the request only when both the tracking number and the phone it
    was filed with match. The phone is compared in constant time, and against a dummy when the
    number does not exist, so the answer says nothing about which part was wrong. Every failed
    lookup is audited (with the number tried and the IP), so guessing shows up in the log."""
    given = normalize_phone(phone)
    request = (
        InformationRequest.objects.filter(tracking_number=(tracking_number or "").strip().upper())
        .select_related("organization")
        .first()
    )
    stored = normalize_phone(request.phone) if request is not None else "0" * 11
    matches = hmac.compare_digest(given.encode(), stored.encode())
    if request is None or not matches or not given or request.anonymized_at:
        record_event(
            action=AuditAction.PERMISSION_DENIED,
            reason="申请办理进度查询失败:申请编号与电话不符",
            ip=ip,
            details={"lookup": "request_status", "tracking_number": (tracking_number or "")[:40]},
        )
        return None
    return request
