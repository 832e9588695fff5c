"""How a request comes in: filed online (Article 29) or registered by staff from paper, in
person, by post or fax (Article 31); and the applicant's status lookup."""

from __future__ import annotations

import datetime
import hmac
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from applications.choices import ApplicantType, IdType, ReceiptChannel
from applications.files import validate_request_attachment
from applications.models import InformationRequest
from applications.services.base import ADD, RequestPermissionDenied, check_actor, log_step
from applications.services.deadlines import compute_due_on, receipt_date
from disclosure.actors import Actor
from disclosure.audit import record_event
from disclosure.models import AuditAction, Organization
from disclosure.validators import (
    normalize_phone,
    validate_organization_code,
    validate_phone,
    validate_resident_id,
)

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_tracking_number(*, year: int) -> str:
    """`2026-7K3QH9M2XC`: 10 random characters (32^10 ≈ 10^15) so numbers cannot be guessed."""
    token = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))
    return f"{year}-{token}"


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
    for optional in ("contact_phone", "fax"):
        if (fields.get(optional) or "").strip():
            try:
                validate_phone(fields[optional])
            except ValidationError as error:
                add(optional, error.messages[0].replace("联系电话", "号码"))
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
        for name in ("organization_code", "legal_representative", "contact_person"):
            if (fields.get(name) or "").strip():
                add(name, "公民申请不填写法人或其他组织的信息。")
    elif applicant_type == ApplicantType.ORGANIZATION:
        if not fields.get("organization_kind"):
            add("organization_kind", "请选择法人或其他组织的类别。")
        try:
            validate_organization_code(fields.get("organization_code") or "")
        except ValidationError as error:
            add("organization_code", error)
    else:
        add("applicant_type", "请选择申请人类型。")
    organization = fields.get("organization")
    if organization is not None and not getattr(organization, "accepts_requests", True):
        add("organization", f"「{organization}」是内设机构,不是受理机关,请选择行政机关。")
    if errors:
        raise ValidationError(errors)


def _create(
    *,
    organization: Organization,
    fields: dict[str, Any],
    channel: str,
    received_on: datetime.date,
    actor: Actor | None,
    attachment: UploadedFile[Any] | None,
    now: datetime.datetime,
) -> InformationRequest:
    validate_applicant({**fields, "organization": organization})
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
    attachment: UploadedFile[Any] | None = None,
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
        log_step(
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
    actor: Actor,
    organization: Organization,
    channel: str,
    fields: dict[str, Any],
    submitted_on: datetime.date | None = None,
    signed_for_on: datetime.date | None = None,
    attachment: UploadedFile[Any] | None = None,
    now: datetime.datetime | None = None,
) -> InformationRequest:
    """Staff register a request received on paper: in person, by post, by fax (Article 31), for
    an organization of their own scope."""
    try:
        check_actor(actor=actor, permission=ADD, organization_id=organization.pk, label="登记申请")
    except RequestPermissionDenied as exc:
        record_event(
            action=AuditAction.PERMISSION_DENIED,
            actor=actor,
            reason=str(exc),
            details={"attempted": "register_request", "organization": organization.pk},
        )
        raise
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
        log_step(
            request,
            action=AuditAction.REQUEST_REGISTER,
            actor=actor,
            on=received_on,
            note=f"登记{ReceiptChannel(channel).label}申请",
        )
    return request


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
