"""The system's scheduled steps (run_due_tasks): 逾期不补正 and the erasure of old applicants'
personal data."""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications.choices import ReplyReason, ReplyType, RequestState
from applications.letters import render_reply_letter
from applications.models import InformationRequest
from applications.privacy import ERASED_VALUES
from applications.services.base import Outcome, StepNotAllowed, run_step
from disclosure.audit import record_event
from disclosure.models import AuditAction


def close_overdue_corrections(*, now: datetime.datetime | None = None) -> int:
    """Article 30: an applicant who does not supplement by the deadline without good reason is
    deemed to have given up; the request is closed as 逾期不补正 (table three, （六）1).

    Returns the number of requests closed.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = InformationRequest.objects.filter(
        state=RequestState.CORRECTION, correction_due_on__lt=today
    ).values_list("pk", flat=True)

    def apply(locked: InformationRequest) -> Outcome:
        locked.reply_type = ReplyType.OTHER
        locked.reply_reason = ReplyReason.OTHER_NO_CORRECTION
        locked.replied_on = today
        locked.reply_letter = render_reply_letter(request=locked)
        locked.closed_at = now
        return Outcome(note="申请人逾期未补正,视为放弃申请,不再处理", on=today)

    closed = 0
    for pk in list(overdue):
        try:
            run_step(
                "expire_correction", request=InformationRequest(pk=pk), actor=None, apply=apply
            )
        except StepNotAllowed:
            continue  # supplemented (or closed) since the list was read
        closed += 1
    return closed


def anonymize_expired_requests(*, now: datetime.datetime | None = None) -> int:
    """Remove the applicant's personal data from requests closed or answered longer ago than
    settings.REQUEST_RETENTION_DAYS (PIPL Article 19: keep personal data no longer than needed).
    The counts of the annual report survive: type, organization kind and reply stay.

    Returns the number of requests anonymized.
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
                transaction.on_commit(
                    partial(request.attachment.storage.delete, str(request.attachment.name))
                )
            for name, value in ERASED_VALUES.items():
                setattr(request, name, value)
            request.attachment = ""  # type: ignore[assignment]
            request.anonymized_at = now
            request.save()
            record_event(
                action=AuditAction.REQUEST_ANONYMIZE,
                obj=request,
                reason=f"超过保存期限({settings.REQUEST_RETENTION_DAYS}天)",
            )
            done += 1
    return done
