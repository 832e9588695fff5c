import datetime

import pytest

from applications.choices import ReplyReason, ReplyType
from reports.statistics import compute_table_three
from tests.factories import make_organization, make_request_handler
from tests.reports.helpers import answered, org_fields

D = datetime.date

pytestmark = pytest.mark.django_db

COLUMNS = ["natural", "business", "research", "nonprofit", "legal", "other"]


def test_table_three_reproduces_hand_computed_totals(year_of_requests):
    table = compute_table_three(organization=year_of_requests, year=2023)
    #                      自然人 商业 科研 公益 法律 其他 总计
    assert table["new"] == [3, 1, 1, 1, 1, 1, 8]
    assert table["carried_in"] == [1, 0, 0, 0, 0, 0, 1]
    assert table["disclosed"] == [2, 0, 0, 0, 0, 0, 2]
    assert table["partial"] == [0, 0, 1, 0, 0, 0, 1]
    assert table["refused"] == [1, 0, 0, 0, 0, 0, 1]
    assert table["refused_state_secret"] == [1, 0, 0, 0, 0, 0, 1]
    assert table["unable"] == table["unable_not_held"] == [0, 0, 0, 0, 1, 0, 1]
    assert table["not_processed"] == table["not_processed_repeat"] == [0, 0, 0, 1, 0, 0, 1]
    assert table["other"] == table["other_no_correction"] == [0, 0, 0, 0, 0, 1, 1]
    assert table["refused_law"] == [0] * 7
    assert table["total"] == [3, 0, 1, 1, 1, 1, 7]
    assert table["carried_out"] == [1, 1, 0, 0, 0, 0, 2]
    # the next year starts from this year's carry-over
    assert compute_table_three(organization=year_of_requests, year=2024)["carried_in"] == [
        1,
        1,
        0,
        0,
        0,
        0,
        2,
    ]


@pytest.mark.parametrize(
    ("reply_type", "reason", "applicant"),
    [(t, "", k) for t in (ReplyType.DISCLOSED, ReplyType.PARTIAL) for k in ("natural", "legal")]
    + [
        (
            r.value.split("_")[0] if not r.value.startswith("not_processed") else "not_processed",
            r.value,
            "business",
        )
        for r in ReplyReason
    ],
)
def test_each_reply_type_lands_in_its_cell(reply_type, reason, applicant):
    org = make_organization()
    fields = {} if applicant == "natural" else org_fields(applicant)
    answered(
        org, make_request_handler(), D(2023, 3, 1), D(2023, 3, 10), reply_type, reason, **fields
    )
    table = compute_table_three(organization=org, year=2023)
    column = COLUMNS.index(applicant)
    expected = [0] * 7
    expected[column] = expected[6] = 1
    assert table[reason or reply_type] == expected
    assert table[reply_type] == expected
    assert table["total"] == expected
    nonzero = {key for key, values in table.items() if any(values)}
    assert nonzero == {"new", "total", reply_type, reason or reply_type}
