import datetime

import pytest

from disclosure.choices import RecordStatus
from disclosure.dashboard import article26_deadline, dashboard_for, published_late
from disclosure.roles import PUBLISHER
from tests.factories import make_organization, make_record, make_staff

ISSUED_BEFORE_NATIONAL_DAY = datetime.date(2020, 9, 28)


@pytest.mark.django_db
def test_article26_deadline_counts_working_days_across_the_national_day_holiday():
    record = make_record(issued_on=ISSUED_BEFORE_NATIONAL_DAY)
    # 1-8 October 2020 are holidays, Saturday 10 October a working day
    assert article26_deadline(record) == datetime.date(2020, 11, 2)


@pytest.mark.django_db
def test_records_published_after_the_deadline_are_flagged_late():
    on_time = make_record(issued_on=ISSUED_BEFORE_NATIONAL_DAY)
    on_time.publication_date = datetime.date(2020, 11, 2)
    late = make_record(issued_on=ISSUED_BEFORE_NATIONAL_DAY)
    late.publication_date = datetime.date(2020, 11, 3)
    assert not published_late(on_time) and published_late(late)


@pytest.mark.django_db
def test_dashboard_flags_waiting_records_past_their_deadline():
    org = make_organization()
    publisher = make_staff(PUBLISHER, organization=org)
    approved = make_record(
        organization=org, issued_on=ISSUED_BEFORE_NATIONAL_DAY, status=RecordStatus.APPROVED
    )
    board = dashboard_for(user=publisher, today=datetime.date(2020, 11, 3))
    assert board.to_publish == [approved]
    [row] = board.deadlines
    assert row.deadline == datetime.date(2020, 11, 2) and row.overdue
    assert not dashboard_for(user=publisher, today=datetime.date(2020, 11, 2)).deadlines[0].overdue


@pytest.mark.django_db
def test_to_review_leaves_out_records_the_reviewer_wrote_part_of():
    """Issue 13, item 4: the list agrees with approve_record's four-eyes check."""
    from disclosure.models import DisclosureRecord
    from disclosure.roles import EDITOR, REVIEWER
    from disclosure.services.editing import update_record
    from disclosure.workflow import submit_record

    org = make_organization()
    editor = make_staff(EDITOR, organization=org)
    reviewer, other = (make_staff(REVIEWER, organization=org) for _ in range(2))
    record = make_record(organization=org, created_by=editor, updated_by=editor)
    for actor, title in ((reviewer, "审核人改写"), (editor, "审核人改写。")):
        current = DisclosureRecord.objects.get(pk=record.pk)
        current.title = title
        update_record(record=current, actor=actor, expected_version=current.version)
    submit_record(record=record, actor=editor)
    assert dashboard_for(user=reviewer).to_review == []
    assert [r.pk for r in dashboard_for(user=other).to_review] == [record.pk]
