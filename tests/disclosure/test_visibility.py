"""One visibility rule (DisclosureRecordQuerySet.publishable), used by the public selectors and
by the search index alike."""

import datetime

import pytest
from django.utils import timezone

from disclosure.choices import DisclosureMethod, RecordStatus
from disclosure.models import DisclosureRecord
from disclosure.selectors import public_records
from search import index_records
from search.indexing import indexable_records
from search.models import SearchEntry
from tests.factories import make_record


@pytest.mark.django_db
def test_the_row_rule_the_query_rule_and_the_index_agree():
    records = [
        make_record(status=status, disclosure_method=method, non_disclosure_reason=reason)
        for status in RecordStatus.values
        for method in DisclosureMethod.values
        for reason in ["第十四条:危及国家安全" if method == DisclosureMethod.NOT_DISCLOSED else ""]
        if not (status == RecordStatus.PUBLISHED and method == DisclosureMethod.NOT_DISCLOSED)
    ]
    # A 不予公开 record published by mistake (as an import could leave it) is still hidden.
    hidden = make_record(status=RecordStatus.PUBLISHED)
    DisclosureRecord.objects.filter(pk=hidden.pk).update(
        disclosure_method=DisclosureMethod.NOT_DISCLOSED
    )
    hidden.refresh_from_db()
    records.append(hidden)
    index_records([r.pk for r in records])

    publishable = set(DisclosureRecord.objects.publishable().values_list("pk", flat=True))
    assert publishable == {r.pk for r in records if r.is_publishable}
    assert set(indexable_records().values_list("pk", flat=True)) == publishable
    assert set(SearchEntry.objects.values_list("record_id", flat=True)) == publishable
    assert set(public_records().values_list("pk", flat=True)) == publishable
    assert hidden.pk not in publishable


@pytest.mark.django_db
def test_a_record_scheduled_for_later_is_publishable_but_not_public_yet():
    later = timezone.now() + datetime.timedelta(days=1)
    record = make_record(status=RecordStatus.PUBLISHED, published_at=later)
    assert record.is_publishable
    assert DisclosureRecord.objects.publishable().filter(pk=record.pk).exists()
    assert not public_records().filter(pk=record.pk).exists()
    assert public_records(now=later).filter(pk=record.pk).exists()
