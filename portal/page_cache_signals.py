"""What replaces the page cache's generations (portal/page_cache.py), connected in
PortalConfig.ready.

`disclosure.changes.public_content_changed` (after commit) is the one place that invalidates.
The core's write services announce their changes; as a safety net, every save or delete of a
row the public sees announces it too, whoever saves it (the admin, a shell, a future service):
a record, its keywords and attachments announce that record; a vocabulary, the site settings,
a work plan or an annual report announce everything (they show on many pages, and change
rarely). Writes that send no signal (queryset.update, bulk_create, raw SQL) must call
`announce_public_change` themselves, as the import, `generate_records` and the demo builder do.

What the safety net announces about a record that was not public before its save and is not
after it (a draft, its keywords) is an addition (`added=True`): no page a reader sees changes,
so the listings' earlier pages stay servable while new ones render (portal/page_cache.py). A
record that is, or was until this save, published is announced plainly: whatever the save
did may take something out of public view.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from disclosure.changes import announce_public_change, public_content_changed
from disclosure.choices import RecordStatus
from disclosure.models import (
    Attachment,
    Category,
    DisclosureRecord,
    Genre,
    Keyword,
    Organization,
    RecordKeyword,
    Topic,
)
from plans.models import PlanItem, PlanProgressNote, PlanSection, WorkPlan
from portal.models import SiteSettings
from portal.page_cache import bump_generations
from reports.models import AnnualReport

RECORD_PARTS = (RecordKeyword, Attachment)
#: More changed records than this in one transaction (an expiry run, a bulk edit): replace the
#: site generation, one key, rather than thousands of record generations.
MANY_RECORDS = 500
SITE_WIDE = (
    Organization,
    Category,
    Topic,
    Genre,
    Keyword,
    SiteSettings,
    WorkPlan,
    PlanSection,
    PlanItem,
    PlanProgressNote,
    AnnualReport,
)


def public_content_changed_receiver(sender, record_ids=None, added=False, **kwargs) -> None:
    """Replace the generations of the changed records, of the records whose page names one of
    them (废止依据: a withdrawn record's title must not survive on another page) and of the
    listings; `None` (or very many): of the whole site. An addition of records none of which
    is published (a draft saved) leaves the listings alone: they cannot show it."""
    if record_ids is None or len(record_ids) > MANY_RECORDS:
        bump_generations(record_ids=None)
        return
    related = DisclosureRecord.objects.filter(repealed_by_id__in=record_ids).values_list(
        "pk", flat=True
    )
    listings = not added or _published(record_ids)
    bump_generations(record_ids=record_ids, related=list(related), listings=listings, added=added)


def _published(record_ids) -> bool:
    """Published, or scheduled to be (the listings' key holds the moment it appears)."""
    return DisclosureRecord.objects.filter(
        pk__in=record_ids, status=RecordStatus.PUBLISHED
    ).exists()


def _record_saving(sender, instance, raw: bool = False, **kwargs) -> None:
    """Whether the record was published before this save (one query, only for a save that
    leaves it unpublished: a published one is announced plainly anyway)."""
    if raw or instance.status == RecordStatus.PUBLISHED:
        return
    instance._page_cache_was_published = not instance._state.adding and (
        DisclosureRecord.objects.filter(pk=instance.pk, status=RecordStatus.PUBLISHED).exists()
    )


def _record_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    was_published = instance.__dict__.pop("_page_cache_was_published", True)
    unseen = instance.status != RecordStatus.PUBLISHED and not was_published
    announce_public_change(record_ids=[instance.pk], added=unseen)


def _record_deleted(sender, instance, **kwargs) -> None:
    announce_public_change(record_ids=[instance.pk])


def _part_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        unseen = not _published([instance.record_id])
        announce_public_change(record_ids=[instance.record_id], added=unseen)


def _site_wide_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        announce_public_change()


def _m2m_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        if isinstance(instance, DisclosureRecord):
            announce_public_change(record_ids=[instance.pk])
        else:
            announce_public_change()


def connect() -> None:
    public_content_changed.connect(
        public_content_changed_receiver, dispatch_uid="page_cache_generations"
    )
    pre_save.connect(_record_saving, sender=DisclosureRecord, dispatch_uid="pc_record_saving")
    post_save.connect(_record_saved, sender=DisclosureRecord, dispatch_uid="pc_record_saved")
    post_delete.connect(_record_deleted, sender=DisclosureRecord, dispatch_uid="pc_record_deleted")
    for signal in (post_save, post_delete):
        name = "saved" if signal is post_save else "deleted"
        for part in RECORD_PARTS:
            signal.connect(_part_saved, sender=part, dispatch_uid=f"pc_{part.__name__}_{name}")
        for shared in SITE_WIDE:
            signal.connect(
                _site_wide_saved, sender=shared, dispatch_uid=f"pc_{shared.__name__}_{name}"
            )
    for model in (DisclosureRecord, *SITE_WIDE):
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _m2m_changed, sender=field.remote_field.through, dispatch_uid=f"pc_m2m_{field}"
            )
