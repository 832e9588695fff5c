"""Keeping the index current on every save, whoever saves (admin, workflow service, imports).

A record that is no longer published is removed at once, inside the same transaction, so a
withdrawal can never be found afterwards; (re)indexing a published record is deferred to
`transaction.on_commit`, so a rolled-back edit indexes nothing. Bulk paths (`bulk_create`,
`update()`) send no signals: they call `index_records` or `rebuild_index` themselves.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from disclosure.models import Attachment, DisclosureRecord, RecordKeyword
from search.indexing import index_records, remove_records


def schedule_reindex(record_id: int) -> None:
    """Re-index `record_id` once when the current transaction commits.

    One save of a record touches many rows (the record, each keyword link deleted and re-added,
    attachments): the ids are gathered in one set per transaction and indexed by one callback,
    instead of one callback per row. The set is live only while its callback is still queued
    on the connection, so a rolled-back transaction (or savepoint) leaves nothing stale behind.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        index_records([record_id])
        return
    pending = getattr(connection, "_search_reindex_pending", None)
    if pending is None or pending.flushed or not pending.queued_on(connection):
        pending = connection._search_reindex_pending = _PendingReindex()
        transaction.on_commit(pending.flush)
    pending.ids.add(record_id)


class _PendingReindex:
    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.flushed = False

    def queued_on(self, connection) -> bool:
        return any(entry[1] == self.flush for entry in connection.run_on_commit)

    def flush(self) -> None:
        self.flushed = True
        index_records(sorted(self.ids))


@receiver(post_save, sender=DisclosureRecord, dispatch_uid="search_record_saved")
def record_saved(sender, instance: DisclosureRecord, raw: bool = False, **kwargs) -> None:
    if not instance.is_publishable:
        remove_records([instance.pk])
    else:
        schedule_reindex(instance.pk)


@receiver(post_save, sender=Attachment, dispatch_uid="search_attachment_saved")
@receiver(post_delete, sender=Attachment, dispatch_uid="search_attachment_deleted")
@receiver(post_save, sender=RecordKeyword, dispatch_uid="search_keyword_saved")
@receiver(post_delete, sender=RecordKeyword, dispatch_uid="search_keyword_deleted")
def part_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_reindex(instance.record_id)
