import datetime

import pytest
from django.utils import timezone

from disclosure.choices import RecordStatus
from disclosure.selectors import public_records
from tests.factories import make_published_record, make_record


@pytest.mark.django_db
def test_public_sees_only_published_and_due_records():
    visible = make_published_record()
    make_record()  # draft
    make_record(status=RecordStatus.SUBMITTED)
    make_record(status=RecordStatus.APPROVED)
    make_record(status=RecordStatus.WITHDRAWN)
    make_published_record(published_at=timezone.now() + datetime.timedelta(hours=1))
    make_published_record(disclosure_method="not_disclosed", non_disclosure_reason="属于国家秘密")
    assert list(public_records()) == [visible]
