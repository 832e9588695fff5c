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


@pytest.mark.django_db
def test_an_announced_change_retires_the_cached_listing_counts(django_capture_on_commit_callbacks):
    """Writes that bypass save() (imports, merges) announce the change; the counts follow it."""
    from disclosure.changes import announce_public_change
    from disclosure.selectors import listing_generation

    before = listing_generation()
    with django_capture_on_commit_callbacks(execute=True):
        announce_public_change()
    assert listing_generation() != before
