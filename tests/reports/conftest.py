import datetime

import pytest
from django.utils import timezone

from applications.choices import OrganizationKind, ReplyReason, ReplyType
from applications.services import close_overdue_corrections, request_correction
from tests.factories import make_organization, make_request, make_request_handler
from tests.reports.helpers import answered, org_fields

D = datetime.date


@pytest.fixture
def year_of_requests():
    """2023 for one bureau (and a department of it), counted by hand in test_statistics.py."""
    bureau = make_organization(name="某市教育局")
    office = make_organization(name="某市教育局办公室", parent=bureau)
    clerk = make_request_handler()
    # carried over from 2022 and answered in 2023
    answered(bureau, clerk, D(2022, 12, 20), D(2023, 1, 10), ReplyType.DISCLOSED)
    # received and answered in 2022: not in the 2023 report
    answered(
        bureau,
        clerk,
        D(2022, 12, 1),
        D(2022, 12, 15),
        ReplyType.DISCLOSED,
        **org_fields(OrganizationKind.BUSINESS),
    )
    # received and answered in 2023
    answered(bureau, clerk, D(2023, 3, 1), D(2023, 3, 20), ReplyType.DISCLOSED)
    answered(
        office,
        clerk,
        D(2023, 4, 3),
        D(2023, 4, 20),
        ReplyType.REFUSED,
        ReplyReason.REFUSED_STATE_SECRET,
    )
    answered(
        bureau,
        clerk,
        D(2023, 5, 4),
        D(2023, 5, 25),
        ReplyType.PARTIAL,
        **org_fields(OrganizationKind.RESEARCH),
    )
    answered(
        bureau,
        clerk,
        D(2023, 6, 1),
        D(2023, 6, 20),
        ReplyType.UNABLE,
        ReplyReason.UNABLE_NOT_HELD,
        **org_fields(OrganizationKind.LEGAL),
    )
    answered(
        bureau,
        clerk,
        D(2023, 7, 3),
        D(2023, 7, 10),
        ReplyType.NOT_PROCESSED,
        ReplyReason.NOT_PROCESSED_REPEAT,
        **org_fields(OrganizationKind.NONPROFIT),
    )
    overdue = make_request(
        organization=bureau,
        received_on=D(2023, 8, 1),
        actor=clerk,
        **org_fields(OrganizationKind.OTHER),
    )
    request_correction(
        request=overdue,
        actor=clerk,
        notice="请补充",
        today=D(2023, 8, 2),
        correction_due_on=D(2023, 8, 20),
    )
    close_overdue_corrections(now=timezone.make_aware(datetime.datetime(2023, 8, 25, 9)))
    # received in 2023, still open or answered only in 2024: carried over to 2024
    make_request(
        organization=bureau,
        received_on=D(2023, 12, 20),
        actor=clerk,
        **org_fields(OrganizationKind.BUSINESS),
    )
    answered(bureau, clerk, D(2023, 12, 25), D(2024, 1, 5), ReplyType.DISCLOSED)
    # another organization's request never counts
    answered(make_organization(), clerk, D(2023, 3, 1), D(2023, 3, 2), ReplyType.DISCLOSED)
    return bureau
