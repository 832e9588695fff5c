"""What the public sees changed: one announcement per transaction, sent after commit.

The core's write services (the workflow, editing, imports, bulk generation) call
`announce_public_change`; the portal's page cache listens to `public_content_changed` (the core
never imports the portal). The ids of one transaction are gathered and sent once when it
commits: one save of a record touches many rows (the record, its keywords, its attachments),
and a rolled-back transaction announces nothing.

After commit, not before: a reader whose request starts between an invalidation sent inside
the transaction and the commit would render the old rows and cache them under the new
generation, and that stale page would then live until the next change. Sent after commit, the
new generation can only be filled from the committed rows.

`added=True` says a change only adds to what the public sees (a publication: nothing shown
before is changed or taken away), so a cache may go on serving the pages from before it for
the moment a new one takes to render. A transaction is sent as an addition only if every
record it announced was announced so (a publication's own save, which the safety net announces
plainly, is covered by the publication's announcement of the same record).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Min
from django.dispatch import Signal

from disclosure.choices import RecordStatus
from disclosure.models import DisclosureRecord

#: Sent after commit with `record_ids`: a frozenset of the records whose public pages changed,
#: or None when anything may have changed (a vocabulary rename, the site settings, a bulk load);
#: `named_ids`: the records the transaction named, even when it announced everything too
#: (what the search index re-reads: a record published with its new vocabulary is both); and
#: `added`: True when the change only adds to what the public sees (see above).
public_content_changed = Signal()


def announce_public_change(
    *, record_ids: Iterable[int] | None = None, using: str | None = None, added: bool = False
):
    """Announce, once when the current transaction commits (at once outside one), that the
    public pages of `record_ids` (None: every page) changed; `added`: only by additions."""
    connection = transaction.get_connection(using)
    ids = None if record_ids is None else {int(pk) for pk in record_ids}
    if not connection.in_atomic_block:
        _send(ids, named=ids or set(), added=added and ids is not None)
        return
    pending = getattr(connection, "_public_change_pending", None)
    if pending is None or pending.sent or not pending.queued_on(connection):
        pending = connection._public_change_pending = _PendingChange()
        transaction.on_commit(pending.send, using=using)
    pending.add(ids, added=added)


def _send(ids: set[int] | None, *, named: set[int], added: bool) -> None:
    public_content_changed.send(
        sender=announce_public_change,
        record_ids=None if ids is None else frozenset(ids),
        named_ids=frozenset(named),
        added=added,
    )


class _PendingChange:
    """The announcement of one transaction: the ids of one save of a record (its row, keywords,
    attachments) gathered into one send, queued only while its transaction is live."""

    def __init__(self) -> None:
        self.named: set[int] = set()
        self.everything = False
        self.added: set[int] = set()
        self.changed: set[int] = set()
        self.sent = False

    def add(self, ids: set[int] | None, *, added: bool) -> None:
        if ids is None:
            self.everything = True
            return
        self.named |= ids
        (self.added if added else self.changed).update(ids)

    def queued_on(self, connection) -> bool:
        return any(entry[1] == self.send for entry in connection.run_on_commit)

    def send(self) -> None:
        self.sent = True
        only_added = not self.everything and self.changed <= self.added
        _send(None if self.everything else self.named, named=self.named, added=only_added)


def next_scheduled_publication(*, now: datetime.datetime) -> datetime.datetime | None:
    """When the next scheduled record goes live on its own (the public selectors show it from
    `published_at` on, before run_due_tasks clears the schedule): caches must not outlive it."""
    return DisclosureRecord.objects.filter(
        status=RecordStatus.PUBLISHED, scheduled_publish_at__gt=now
    ).aggregate(first=Min("scheduled_publish_at"))["first"]
