"""浏览次数: counted with one atomic UPDATE, so concurrent readers never lose an increment."""

from __future__ import annotations

from django.db.models import F

from disclosure.models import DisclosureRecord


def count_record_view(*, record_id: int) -> None:
    """`view_count = view_count + 1` in the database, not a read-modify-write in Python.

    A queryset update leaves `updated_at` alone, so reading a record never changes its
    Last-Modified date or the feeds and sitemaps that show it.
    """
    DisclosureRecord.objects.filter(pk=record_id).update(view_count=F("view_count") + 1)
