"""信息处理费 (applications/services/fees.py; 国办函〔2020〕109号): thresholds, the 收费通知书
pausing the clock, paid and declined outcomes, and table three's （六）2."""

import datetime
from decimal import Decimal

import pytest

from applications.choices import ReplyReason, ReplyType, RequestState
from applications.services import (
    RequestError,
    RequestPermissionDenied,
    close_unpaid_fees,
    notify_fee,
    record_fee_declined,
    record_fee_paid,
)
from applications.services.fees import fee_by_count, fee_by_volume
from disclosure.models import AuditEntry
from disclosure.roles import PUBLISHER
from reports.statistics import compute_table_three
from tests.factories import make_organization, make_request, make_request_handler, make_staff

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("nth", "fee"), [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300)]
)
def test_by_count_thresholds(nth, fee):
    assert fee_by_count(nth) == Decimal(fee)


@pytest.mark.parametrize(
    ("pages", "fee"),
    [(30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (250, 4700)],
)
def test_by_volume_thresholds(pages, fee):
    assert fee_by_volume(pages) == Decimal(fee)


def test_the_fee_notice_pauses_the_clock_until_the_applicant_pays():
    clerk = make_request_handler()
    request = make_request(received_on=D(2020, 9, 30))
    assert request.due_on == D(2020, 11, 4)
    request = notify_fee(
        request=request, actor=clerk, basis="by_volume", quantity=120, notified_on=D(2020, 10, 12)
    )
    assert request.state == RequestState.FEE_PENDING and request.due_on is None
    assert request.fee_amount == Decimal(1100)  # 70 pages at 10, 20 at 20
    assert request.fee_due_on == D(2020, 11, 9)
    # Paid on Fri 10-16: 10-13..10-16 (4 working days) do not count.
    request = record_fee_paid(request=request, actor=clerk, paid_on=D(2020, 10, 16))
    assert request.state == RequestState.RECEIVED
    assert request.paused_working_days == 4 and request.due_on == D(2020, 11, 10)
    actions = list(
        AuditEntry.objects.filter(object_id=str(request.pk))
        .order_by("id")
        .values_list("details__to", flat=True)
    )
    assert actions[-2:] == ["fee_pending", "received"]


def test_a_declined_fee_closes_the_request_and_counts_as_other_2_in_table_three():
    org = make_organization()
    clerk = make_request_handler()
    request = make_request(organization=org, received_on=D(2023, 3, 1))
    request = notify_fee(
        request=request, actor=clerk, basis="by_count", quantity=12, notified_on=D(2023, 3, 2)
    )
    request = record_fee_declined(request=request, actor=clerk, declined_on=D(2023, 3, 6))
    assert request.state == RequestState.CLOSED
    assert (request.reply_type, request.reply_reason) == (
        ReplyType.OTHER,
        ReplyReason.OTHER_NO_FEE,
    )
    table = compute_table_three(organization=org, year=2023)
    assert table[ReplyReason.OTHER_NO_FEE][0] == 1 and table["total"][-1] == 1


def test_an_unpaid_fee_is_closed_by_the_scheduler_after_its_period():
    request = make_request(received_on=D(2020, 9, 30))
    notify_fee(
        request=request,
        actor=make_request_handler(),
        basis="by_count",
        quantity=11,
        notified_on=D(2020, 10, 9),
    )
    now = datetime.datetime(2020, 11, 30, 12, tzinfo=datetime.UTC)
    assert close_unpaid_fees(now=now) == 1
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED and request.reply_reason == "other_no_fee"


def test_no_fee_below_the_threshold_and_no_second_notice():
    clerk = make_request_handler()
    request = make_request(received_on=D(2020, 9, 30))
    with pytest.raises(RequestError, match="未超过收费标准"):
        notify_fee(request=request, actor=clerk, basis="by_volume", quantity=30)
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED and request.fee_amount is None
    assert request.events.count() == 1


def test_a_publisher_cannot_send_a_fee_notice():
    org = make_organization()
    request = make_request(organization=org, received_on=D(2020, 9, 30))
    with pytest.raises(RequestPermissionDenied):
        notify_fee(
            request=request,
            actor=make_staff(PUBLISHER, organization=org),
            basis="by_count",
            quantity=20,
            notified_on=D(2020, 10, 9),
        )
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED
