"""信息处理费 (Article 42; 国办函〔2020〕109号《政府信息公开信息处理费管理办法》).

A fee is charged only where the quantity or frequency of requests clearly exceeds reason, by
count (按件: an applicant's requests in one calendar month) or by volume (按量: the pages of one
request). The 收费通知书 stops the answer clock until the applicant pays; a request not paid for
is closed as （六）2 of table three (逾期未按收费通知要求缴纳费用).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from applications.choices import FeeBasis, ReplyReason, ReplyType, RequestState
from applications.letters import render_reply_letter
from applications.models import InformationRequest
from applications.services.base import Outcome, RequestError, StepNotAllowed, run_step
from applications.services.deadlines import resume_clock
from disclosure.actors import Actor
from disclosure.calendar import WorkingCalendar

#: 109号: the applicant has 20 working days from the notice to pay.
FEE_PAYMENT_WORKING_DAYS = 20


def fee_by_count(nth_in_month: int) -> Decimal:
    """按件计收: the nth request of one applicant in a calendar month. Up to 10: free; 11-30:
    100 yuan each; from 31 on, 100 yuan more for every further band of 10."""
    if nth_in_month <= 10:
        return Decimal(0)
    if nth_in_month <= 30:
        return Decimal(100)
    return Decimal(100 + 100 * ((nth_in_month - 31) // 10 + 1))


def fee_by_volume(pages: int) -> Decimal:
    """按量计收 for one request: up to 30 pages free; 31-100 at 10 yuan a page; 101-200 at 20;
    over 200 at 40 (a page of A4, or its equivalent for other media)."""
    bands = [(30, 0), (100, 10), (200, 20), (None, 40)]
    total, lower = 0, 0
    for upper, rate in bands:
        top = pages if upper is None else min(pages, upper)
        if top > lower:
            total += (top - lower) * rate
        if upper is None or pages <= upper:
            break
        lower = upper
    return Decimal(total)


def compute_fee(*, basis: str, quantity: int) -> Decimal:
    if quantity < 1:
        raise RequestError("计费数量须为正整数。")
    if basis == FeeBasis.BY_COUNT:
        return fee_by_count(quantity)
    if basis == FeeBasis.BY_VOLUME:
        return fee_by_volume(quantity)
    raise RequestError("请选择按件计收或按量计收。")


def notify_fee(
    *,
    request: InformationRequest,
    actor: Actor,
    basis: str,
    quantity: int,
    notified_on: datetime.date | None = None,
) -> InformationRequest:
    """Send the 收费通知书: the amount by the thresholds, the clock stops until payment."""
    day = notified_on or timezone.localdate()
    amount = compute_fee(basis=basis, quantity=quantity)
    if amount <= 0:
        raise RequestError("未超过收费标准(按件每月10件以内、按量30页以内不收费),不能收费。")

    def apply(locked: InformationRequest) -> Outcome:
        if day < locked.received_on:
            raise RequestError("收费通知日期不能早于收到申请日期。")
        if locked.fee_notified_on:
            raise RequestError("该申请已发出过收费通知。")
        if locked.due_on and day > locked.due_on:
            raise RequestError(f"答复期限已于 {locked.due_on:%Y-%m-%d} 届满,不能再发收费通知。")
        locked.fee_basis, locked.fee_quantity, locked.fee_amount = basis, quantity, amount
        locked.fee_notified_on = day
        locked.fee_due_on = WorkingCalendar().add_working_days(day, FEE_PAYMENT_WORKING_DAYS)
        locked.due_on = None
        return Outcome(
            note=f"发出收费通知({FeeBasis(basis).label},{amount:.2f}元),"
            f"缴费期限 {locked.fee_due_on:%Y-%m-%d},答复期限暂停计算",
            on=day,
            details={"fee_amount": str(amount), "basis": basis, "quantity": quantity},
        )

    return run_step("fee_notice", request=request, actor=actor, apply=apply)


def record_fee_paid(
    *, request: InformationRequest, actor: Actor, paid_on: datetime.date
) -> InformationRequest:
    """The applicant paid: the days from the notice to the payment do not count."""

    def apply(locked: InformationRequest) -> Outcome:
        notified = locked.fee_notified_on
        if notified is None or paid_on < notified:
            raise RequestError("缴费日期不能早于收费通知日期。")
        locked.fee_paid_on = paid_on
        paused = resume_clock(locked, paused_on=notified, resumed_on=paid_on)
        return Outcome(
            note=f"申请人已缴费,{paused}个工作日不计入,答复期限 {locked.due_on:%Y-%m-%d}",
            on=paid_on,
            details={"paused_working_days": paused},
        )

    return run_step("fee_paid", request=request, actor=actor, apply=apply)


def _closed_for_no_fee(locked: InformationRequest, day: datetime.date, note: str) -> Outcome:
    locked.reply_type = ReplyType.OTHER
    locked.reply_reason = ReplyReason.OTHER_NO_FEE
    locked.replied_on = day
    locked.reply_letter = render_reply_letter(request=locked)
    locked.closed_at = timezone.now()
    return Outcome(note=note, on=day)


def record_fee_declined(
    *, request: InformationRequest, actor: Actor, declined_on: datetime.date
) -> InformationRequest:
    """The applicant declined to pay: the request is not processed further (table three,
    （六）2)."""

    def apply(locked: InformationRequest) -> Outcome:
        if locked.fee_notified_on and declined_on < locked.fee_notified_on:
            raise RequestError("日期不能早于收费通知日期。")
        return _closed_for_no_fee(locked, declined_on, "申请人不同意缴费,不再处理该申请")

    return run_step("fee_declined", request=request, actor=actor, apply=apply)


def close_unpaid_fees(*, now: datetime.datetime | None = None) -> int:
    """Scheduled: requests whose payment period ran out unpaid are closed as （六）2."""
    today = timezone.localdate(now or timezone.now())
    unpaid = InformationRequest.objects.filter(
        state=RequestState.FEE_PENDING, fee_due_on__lt=today
    ).values_list("pk", flat=True)
    closed = 0
    for pk in list(unpaid):
        try:
            run_step(
                "expire_fee",
                request=InformationRequest(pk=pk),
                actor=None,
                apply=lambda locked: _closed_for_no_fee(
                    locked, today, "申请人逾期未缴纳信息处理费,视为放弃申请,不再处理"
                ),
            )
        except StepNotAllowed:
            continue
        closed += 1
    return closed
