"""The index follows the core's announcements (search/sync.py), not model signals: whatever a
write service changes is searchable once its transaction commits, a withdrawn record is never
found after its withdrawal commits, and a rolled-back change indexes nothing."""

import datetime

import pytest
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from disclosure.changes import announce_public_change
from disclosure.choices import DisclosureMethod
from disclosure.models import Attachment, DisclosureRecord, RecordKeyword
from disclosure.roles import EDITOR, PUBLISHER, REVIEWER
from disclosure.services.editing import AttachmentChanges, create_draft
from disclosure.services.records import set_record_keywords
from disclosure.services.revisions import (
    approve_revision,
    publish_revision,
    save_revision,
    submit_revision,
)
from disclosure.workflow import approve_record, publish_record, submit_record, withdraw_record
from search import index_records, search_records
from search.models import SearchEntry
from tests.factories import make_category, make_organization, make_record, make_staff


@pytest.fixture
def announcements_only():
    """Without the page cache's safety net (portal/page_cache_signals.py announces every saved
    record row too): the index can then follow only what the services announce themselves."""
    from portal import page_cache_signals

    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.disconnect(sender=DisclosureRecord, dispatch_uid=f"pc_record_{name}")
        for part in (RecordKeyword, Attachment):
            signal.disconnect(sender=part, dispatch_uid=f"pc_{part.__name__}_{name}")
    yield
    page_cache_signals.connect()


@pytest.fixture
def office(db, django_capture_on_commit_callbacks):
    """Made in a transaction of its own (as in production): its announcement is sent, and a
    test's writes start a new one."""
    with django_capture_on_commit_callbacks(execute=True):
        org = make_organization()
        return {
            "org": org,
            "editor": make_staff(EDITOR, organization=org, username="editor"),
            "reviewer": make_staff(REVIEWER, organization=org, username="reviewer"),
            "publisher": make_staff(PUBLISHER, organization=org, username="publisher"),
        }


def titles(query: str, **kwargs) -> list[str]:
    return [hit.record.title for hit in search_records(query=query, **kwargs).hits]


def publish(record, office, **kwargs):
    submit_record(record=record, actor=office["editor"])
    approve_record(
        record=record, actor=office["reviewer"], confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )  # fmt: skip
    return publish_record(record=record, actor=office["publisher"], **kwargs)


def live_record(office, capture, **fields):
    """A published, indexed record, its own announcement already sent (the transaction that
    made it is over, as in production)."""
    with capture(execute=True):
        record = make_record(organization=office["org"], **fields)
        record = publish(record, office)
    index_records([record.pk])
    return record


@pytest.mark.django_db
def test_a_draft_with_keywords_and_attachments_is_found_once_its_publication_commits(
    office, announcements_only, django_capture_on_commit_callbacks
):
    sheet = Attachment(title="冷链台账样表", file="a.pdf", original_name="a.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        draft = DisclosureRecord(
            title="关于学校食堂专项检查的通知", organization=office["org"],
            category=make_category(), issued_on=datetime.date(2020, 7, 28),
            body="<p>各学校开展自查。</p>",
        )  # fmt: skip
        create_draft(
            record=draft, actor=office["editor"], keywords=["督导"],
            attachments=AttachmentChanges(saved=[sheet]),
        )  # fmt: skip
    assert titles("督导") == []
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft, office)
    for query in ("食堂", "督导", "冷链台账", "自查"):
        assert titles(query) == ["关于学校食堂专项检查的通知"], query


@pytest.mark.django_db
def test_a_published_revision_replaces_the_indexed_text_and_keywords(
    office, announcements_only, django_capture_on_commit_callbacks
):
    record = live_record(office, django_capture_on_commit_callbacks, title="秋季开学工做通知")
    edited = DisclosureRecord.objects.get(pk=record.pk)
    edited.title = "秋季开学资助工作通知"
    save_revision(record=edited, actor=office["editor"], keywords=["助学金"])
    submit_revision(record=record, actor=office["editor"])
    approve_revision(record=record, actor=office["reviewer"], confidentiality_reviewed=True)
    assert titles("资助") == []  # the live version is still the one searched
    with django_capture_on_commit_callbacks(execute=True):
        publish_revision(record=record, actor=office["publisher"])
    assert titles("资助") == ["秋季开学资助工作通知"]
    assert titles("助学金") == ["秋季开学资助工作通知"]
    assert titles("工做") == []


@pytest.mark.django_db
def test_a_withdrawn_record_is_never_found_after_its_commit_even_before_the_reindex(
    office, client, django_capture_on_commit_callbacks
):
    record = live_record(office, django_capture_on_commit_callbacks, title="招生工作实施方案")
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        withdraw_record(record=record, actor=office["publisher"], reason="内容有误")
    # committed, the announcement not yet handled: the entry is still in the index ...
    assert SearchEntry.objects.filter(record_id=record.pk).exists()
    # ... and no search finds it, as every search starts from the public selector
    assert titles("招生") == []
    assert client.get("/api/records", {"q": "招生"}).json()["results"] == []
    assert "招生工作实施方案" not in client.get("/search/", {"q": "招生"}).content.decode()
    for callback in after_commit:
        callback()
    assert not SearchEntry.objects.filter(record_id=record.pk).exists()


@pytest.mark.django_db
def test_a_rolled_back_change_indexes_nothing(office, django_capture_on_commit_callbacks):
    record = live_record(office, django_capture_on_commit_callbacks, title="防汛工作通知")
    with (
        django_capture_on_commit_callbacks(execute=True) as after_commit,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        set_record_keywords(record=record, names=["督导"])
        withdraw_record(record=record, actor=office["publisher"], reason="内容有误")
        raise RuntimeError("the request failed after the writes")
    assert after_commit == []
    assert titles("防汛") == ["防汛工作通知"]
    assert titles("督导") == []


@pytest.mark.django_db
def test_a_write_that_bypasses_save_is_indexed_once_announced(
    office, announcements_only, django_capture_on_commit_callbacks
):
    record = live_record(office, django_capture_on_commit_callbacks, title="旧标题")
    with django_capture_on_commit_callbacks(execute=True):
        DisclosureRecord.objects.filter(pk=record.pk).update(title="新的资助公告")
        announce_public_change(record_ids=[record.pk])
    assert titles("资助") == ["新的资助公告"]


@pytest.mark.django_db
def test_one_transaction_of_many_writes_reindexes_its_record_once(
    office, django_capture_on_commit_callbacks
):
    record = live_record(office, django_capture_on_commit_callbacks, title="冷链食品检查")
    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        set_record_keywords(record=record, names=["冷链", "食品", "检查", "疫情"])
        record.save()
        set_record_keywords(record=record, names=["疫情", "防控"])
    assert len(after_commit) == 1
    assert titles("防控") == ["冷链食品检查"]


@pytest.mark.django_db
def test_a_scheduled_record_is_indexed_at_publication_and_found_once_due(
    office, django_capture_on_commit_callbacks
):
    moment = timezone.now() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        record = make_record(organization=office["org"], title="定时发布的招生简章")
        publish(record, office, at=moment)
    assert SearchEntry.objects.filter(record_id=record.pk).exists()
    assert titles("招生") == []
    assert titles("招生", now=moment + datetime.timedelta(minutes=1)) == ["定时发布的招生简章"]


@pytest.mark.django_db
def test_a_publication_in_a_transaction_that_changed_every_page_is_still_indexed(
    office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = make_record(organization=office["org"], title="新设机构的招生简章")
        announce_public_change()  # e.g. a vocabulary created in the same transaction
        publish(record, office)
    assert titles("招生") == ["新设机构的招生简章"]
