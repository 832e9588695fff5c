import pytest

from disclosure.choices import DisclosureMethod, RecordStatus
from disclosure.models import AuditAction, AuditEntry, DisclosureRecord
from disclosure.roles import EDITOR, PUBLISHER, REVIEWER
from disclosure.services.editing import (
    EditConflict,
    changes_since_published,
    restore_revision,
    update_record,
)
from disclosure.workflow import (
    TransitionNotAllowed,
    approve_record,
    publish_record,
    redraft_record,
    submit_record,
    withdraw_record,
)
from tests.factories import make_organization, make_record, make_staff

HOSTILE = (
    '<h2>标题</h2><p onclick="steal()">正文<script>alert(1)</script></p>'
    '<a href="javascript:alert(2)">链接</a><img src="x" onerror="alert(3)">'
    "<table><tr><td>单元格</td></tr></table><ul><li>一</li></ul>"
)


@pytest.mark.django_db
def test_second_of_two_concurrent_edits_is_refused_showing_what_changed():
    org = make_organization()
    alice = make_staff(EDITOR, organization=org, username="alice")
    bob = make_staff(EDITOR, organization=org, username="bob")
    record = make_record(organization=org, created_by=alice, title="原标题")
    alice_copy = DisclosureRecord.objects.get(pk=record.pk)
    bob_copy = DisclosureRecord.objects.get(pk=record.pk)

    alice_copy.title = "爱丽丝的标题"
    update_record(record=alice_copy, actor=alice, expected_version=1)
    bob_copy.summary = "鲍勃的概述"
    with pytest.raises(EditConflict) as conflict:
        update_record(record=bob_copy, actor=bob, expected_version=1)

    message = str(conflict.value)
    assert "alice" in message and "标题" in message and "未保存" in message
    assert ("标题", "原标题", "爱丽丝的标题") in [
        (c.label, c.old, c.new) for c in conflict.value.changes
    ]
    stored = DisclosureRecord.objects.get(pk=record.pk)
    assert (stored.title, stored.summary, stored.version) == ("爱丽丝的标题", "", 2)
    refusal = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert refusal.actor_name == "bob" and refusal.details["attempted"] == "edit"
    edit = AuditEntry.objects.get(action=AuditAction.EDIT)
    assert edit.actor_name == "alice" and "title" in edit.details["fields"]


@pytest.mark.django_db
def test_edit_after_a_transition_is_a_conflict_too():
    org = make_organization()
    editor = make_staff(EDITOR, organization=org)
    record = make_record(organization=org, created_by=editor)
    stale = DisclosureRecord.objects.get(pk=record.pk)
    submit_record(record=record, actor=editor)
    stale.title = "改"
    with pytest.raises(EditConflict):
        update_record(record=stale, actor=editor, expected_version=1)
    assert DisclosureRecord.objects.get(pk=record.pk).status == RecordStatus.SUBMITTED


@pytest.mark.django_db
def test_published_record_cannot_be_edited_directly():
    org = make_organization()
    editor = make_staff(EDITOR, organization=org)
    record = make_record(organization=org, status=RecordStatus.PUBLISHED)
    record.title = "偷偷改"
    with pytest.raises(TransitionNotAllowed, match="不能直接修改"):
        update_record(record=record, actor=editor, expected_version=record.version)
    assert DisclosureRecord.objects.get(pk=record.pk).title != "偷偷改"


@pytest.mark.django_db
def test_hostile_html_is_sanitized_on_every_save_keeping_word_structure():
    org = make_organization()
    editor = make_staff(EDITOR, organization=org)
    created = make_record(organization=org, body=HOSTILE)
    record = DisclosureRecord.objects.get(pk=created.pk)
    record.body = HOSTILE
    update_record(record=record, actor=editor, expected_version=record.version)
    for body in (created.body, DisclosureRecord.objects.get(pk=record.pk).body):
        lowered = body.lower()
        assert "<script" not in lowered and "onclick" not in lowered
        assert "onerror" not in lowered and "javascript:" not in lowered
        for kept in ("<h2>标题</h2>", "<table>", "<td>单元格</td>", "<li>一</li>"):
            assert kept in body


@pytest.mark.django_db
def test_reviewer_sees_changes_since_the_published_version_and_can_restore_an_old_one():
    org = make_organization()
    editor = make_staff(EDITOR, organization=org)
    reviewer = make_staff(REVIEWER, organization=org)
    publisher = make_staff(PUBLISHER, organization=org)
    record = make_record(organization=org, created_by=editor, title="第一版")
    submit_record(record=record, actor=editor)
    approve_record(
        record=record,
        actor=reviewer,
        confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )
    publish_record(record=record, actor=publisher)
    published_version = record.history.get(status=RecordStatus.PUBLISHED)
    assert changes_since_published(record=record) == []

    withdraw_record(record=record, actor=publisher, reason="修改标题")
    redraft_record(record=record, actor=editor)
    current = DisclosureRecord.objects.get(pk=record.pk)
    current.title = "第二版"
    update_record(record=current, actor=editor, expected_version=current.version)
    assert [(c.label, c.old, c.new) for c in changes_since_published(record=record)] == [
        ("标题", "第一版", "第二版")
    ]

    restored = restore_revision(
        record=current, history_id=published_version.history_id, actor=editor
    )
    assert restored.title == "第一版" and restored.status == RecordStatus.DRAFT
    assert restored.index_number  # the number stays with the record
    assert AuditEntry.objects.filter(action=AuditAction.RESTORE).count() == 1
    assert record.history.latest("history_id").history_change_reason.startswith("恢复版本")


@pytest.mark.django_db
def test_first_edit_of_an_imported_record_keeps_its_original_as_a_revision(seed_data):
    seed = DisclosureRecord.objects.get()
    assert not seed.history.exists()  # loaded by loaddata
    reviewer = make_staff(REVIEWER, organization=seed.organization)
    DisclosureRecord.objects.filter(pk=seed.pk).update(status=RecordStatus.SUBMITTED)
    seed.refresh_from_db()
    original_title = seed.title
    seed.title = "改过的标题"
    update_record(record=seed, actor=reviewer, expected_version=seed.version)
    first, latest = seed.history.order_by("history_id")
    assert first.title == original_title and latest.title == "改过的标题"
