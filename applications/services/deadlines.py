"""The dates of a request: receipt (Article 31) and the answer deadline (Articles 30-33)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from applications.choices import OPEN_STATES, ReceiptChannel, RequestState
from applications.models import InformationRequest
from applications.services.base import RequestError, log_step
from disclosure.actors import Actor
from disclosure.calendar import WorkingCalendar
from disclosure.models import AuditAction

#: Article 33: answer within 20 working days of receipt; one extension of at most 20 more.
ANSWER_WORKING_DAYS = 20
MAX_EXTENSION_WORKING_DAYS = 20
#: Article 30: a request for correction goes out within 7 working days of receipt.
CORRECTION_NOTICE_WORKING_DAYS = 7

#: States in which the answer period does not run: waiting for the applicant's correction
#: (Article 30), a third party's opinion (Article 32) or the applicant's decision on a fee.
PAUSED_STATES = (RequestState.CORRECTION, RequestState.CONSULTATION, RequestState.FEE_PENDING)


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
    if request.state in PAUSED_STATES:
        return None
    calendar = calendar or WorkingCalendar()
    start = request.correction_received_on or request.received_on
    days = ANSWER_WORKING_DAYS + request.extension_days + request.paused_working_days
    return calendar.add_working_days(start, days)


def resume_clock(
    request: InformationRequest, *, paused_on: datetime.date, resumed_on: datetime.date
) -> int:
    """Restart a stopped clock (third-party consultation, 信息处理费 notice): the working days
    from `paused_on` to `resumed_on` are added to the answer period, the request goes back to
    its open state and gets its new due date. Returns the days that did not count."""
    calendar = WorkingCalendar()
    paused = calendar.working_days_between(paused_on, resumed_on)
    request.paused_working_days += paused
    request.state = RequestState.EXTENDED if request.extension_days else RequestState.RECEIVED
    request.due_on = compute_due_on(request, calendar=calendar)
    return paused


def correction_notice_deadline(
    request: InformationRequest, *, calendar: WorkingCalendar | None = None
) -> datetime.date:
    return (calendar or WorkingCalendar()).add_working_days(
        request.received_on, CORRECTION_NOTICE_WORKING_DAYS
    )


def recompute_open_deadlines(actor: Actor, year: int) -> int:
    """After an administrator entered `year`'s holidays (disclosure.services.holidays): every
    open request whose answer period reaches into that year is counted again; a changed deadline
    is written to the request's history and the audit log. Returns the number changed."""
    calendar = WorkingCalendar()
    changed = 0
    candidates = (
        InformationRequest.objects.select_for_update()
        .filter(state__in=OPEN_STATES, due_on__year__gte=year, received_on__year__lte=year)
        .exclude(state__in=PAUSED_STATES)
        .order_by("pk")
    )
    for request in candidates:
        before = request.due_on
        after = compute_due_on(request, calendar=calendar)
        if after == before:
            continue
        request.due_on = after
        request.save(update_fields=["due_on", "updated_at"])
        log_step(
            request,
            action=AuditAction.EDIT,
            actor=actor,
            on=timezone.localdate(),
            note=f"录入{year}年节假日安排后重算答复期限:{before:%Y-%m-%d} → {after:%Y-%m-%d}",
            details={"due_on_before": str(before), "due_on_after": str(after), "year": year},
        )
        changed += 1
    return changed
