"""Reads. `public_records` is the one definition of what the public may see.

Every public view, feed, sitemap, search result and API response starts from it, so a draft,
a record under review, a withdrawn record, a 不予公开 record or one scheduled for later can
never leak through one of them.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from disclosure.choices import RecordStatus
from disclosure.models import DisclosureRecord, RecordKeyword
from disclosure.models.records import DisclosureRecordQuerySet


def public_records(*, now: datetime.datetime | None = None) -> DisclosureRecordQuerySet:
    return DisclosureRecord.objects.published(now=now or timezone.now())


def public_record_details(*, now: datetime.datetime | None = None) -> DisclosureRecordQuerySet:
    """Published records with everything a record page (or the API's detail) shows."""
    return (
        public_records(now=now)
        .select_related("organization", "department", "category__parent", "topic__parent", "genre")
        .prefetch_related(
            "attachments",
            Prefetch(
                "keyword_links",
                queryset=RecordKeyword.objects.select_related("keyword").order_by("position"),
            ),
            # The repealing document is named and linked only if the public may see it.
            Prefetch("repealed_by", queryset=public_records(now=now)),
        )
    )


def public_record_detail(*, pk: int, now: datetime.datetime | None = None) -> DisclosureRecord:
    """The published record with everything its page shows; DoesNotExist otherwise."""
    record: DisclosureRecord = public_record_details(now=now).get(pk=pk)
    return record


def was_withdrawn(*, pk: int) -> bool:
    """True for a record the public once saw and that was withdrawn (answered 410 Gone)."""
    return DisclosureRecord.objects.filter(
        pk=pk, status=RecordStatus.WITHDRAWN, published_at__isnull=False
    ).exists()
