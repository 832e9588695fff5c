"""Keywords as the office edits them in the admin."""

from __future__ import annotations

from django.db import transaction

from disclosure.changes import announce_public_change
from disclosure.models import Keyword, RecordKeyword


def save_keyword(*, keyword: Keyword) -> Keyword:
    """Save a keyword (a new one, or a rename) and announce the records that carry it.

    A keyword's name is on its records' pages and in their search entries: a rename must reach
    both, record by record, which an announcement of "every page" (all a model-level net can
    say) does not tell the search index.
    """
    with transaction.atomic():
        keyword.save()
        record_ids = list(
            RecordKeyword.objects.filter(keyword=keyword).values_list("record_id", flat=True)
        )
        if record_ids:
            announce_public_change(record_ids=record_ids)
    return keyword
