"""A deadline that falls in a year the calendar does not know (issue 18, item 8): staff are
told, an administrator enters the year, open deadlines are recomputed and audited.

Mirrors disclosure/services/holidays.py with applications/services/deadlines.py's listener."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications.choices import RequestState
from disclosure.models import AuditEntry, CalendarOverride, HolidayYear
from disclosure.roles import REVIEWER
from disclosure.services.holidays import enter_holiday_year
from tests.factories import make_organization, make_request, make_staff, make_user

D = datetime.date
pytestmark = pytest.mark.django_db

HOLIDAYS_2027 = "2027-01-01 元旦\n2027-02-05~2027-02-12 春节\n"
WORKDAYS_2027 = "2027-02-14 春节调休\n"


def test_a_deadline_in_an_unknown_year_is_flagged_and_recomputed_when_the_year_is_entered(client):
    org = make_organization(name="无锡市教育局")
    request = make_request(organization=org, received_on=D(2026, 12, 7))
    # Counted on plain weekends: 1 January 2027 counted as a working day.
    assert request.due_on == D(2027, 1, 4)
    reviewer = make_staff(REVIEWER, organization=org)
    client.force_login(reviewer)
    change = reverse("admin:applications_informationrequest_change", args=[request.pk])
    assert "2027年节假日安排尚未录入" in client.get(change).content.decode()
    listing = client.get(reverse("admin:applications_informationrequest_changelist"))
    assert "2027年的节假日安排尚未录入:1 件申请" in listing.content.decode()
    # The reviewer may not enter the year; the administrator may.
    add = reverse("admin:disclosure_holidayyear_add")
    form = {"year": 2027, "source": "国办发明电〔2026〕X号", "holidays": HOLIDAYS_2027}
    assert client.post(add, {**form, "workdays": WORKDAYS_2027}).status_code == 403
    admin_user = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post(add, {**form, "workdays": WORKDAYS_2027})
    assert response.status_code == 302, response.content.decode()[:2000]
    request.refresh_from_db()
    assert request.due_on == D(2027, 1, 5) and request.state == RequestState.RECEIVED
    event = request.events.last()
    assert "2026-12-07" not in event.note and "2027-01-04 → 2027-01-05" in event.note
    assert event.actor == admin_user
    assert AuditEntry.objects.filter(
        action="edit", object_id=str(request.pk), actor=admin_user
    ).exists()
    year_entry = AuditEntry.objects.get(object_type="disclosure.holidayyear")
    assert year_entry.details["recomputed"] == 1 and year_entry.actor == admin_user
    assert CalendarOverride.objects.filter(date__year=2027).count() == 10
    client.force_login(reviewer)
    assert "节假日安排尚未录入" not in client.get(change).content.decode()


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ("2028-01-01 元旦", "", "须在2027年内"),
        ("1月1日 元旦", "", "看不懂"),
        ("2027-01-01 元旦", "2027-01-01", "不能既放假又上班"),
        ("2027-02-12~2027-02-05", "", "起止有序"),
    ],
)
def test_a_wrong_year_entry_is_refused_and_nothing_changes(client, holidays, workdays, message):
    request = make_request(received_on=D(2026, 12, 7))
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:disclosure_holidayyear_add"),
        {"year": 2027, "holidays": holidays, "workdays": workdays},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not HolidayYear.objects.exists() and not CalendarOverride.objects.exists()
    request.refresh_from_db()
    assert request.due_on == D(2027, 1, 4) and request.events.count() == 1


def test_the_service_refuses_a_user_without_the_permission():
    clerk = make_staff(REVIEWER)
    with pytest.raises(PermissionDenied):
        enter_holiday_year(actor=clerk, year=2027, holidays=HOLIDAYS_2027, workdays="")
    with pytest.raises(ValidationError):
        enter_holiday_year(actor=make_user(is_superuser=True), year=2027, holidays="", workdays="")
    assert not HolidayYear.objects.exists()


def test_paused_and_answered_requests_keep_their_dates():
    from applications.services import request_correction
    from tests.factories import make_request_handler

    handler = make_request_handler()
    paused = make_request(received_on=D(2026, 12, 7))
    paused = request_correction(
        request=paused,
        actor=handler,
        notice="请说明年份",
        correction_due_on=D(2026, 12, 30),
        today=D(2026, 12, 8),
    )
    enter_holiday_year(
        actor=make_user(is_superuser=True), year=2027, holidays=HOLIDAYS_2027, workdays=""
    )
    paused.refresh_from_db()
    assert paused.due_on is None and paused.events.count() == 2
