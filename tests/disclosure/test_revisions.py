"""Live + draft: a published record's pending revision (disclosure/services/revisions.py)."""

import pytest

from disclosure.choices import RecordStatus
from disclosure.models import AuditAction, AuditEntry, DisclosureRecord, PendingRevision
from disclosure.roles import EDITOR, PUBLISHER, REVIEWER
from disclosure.selectors import public_records
from disclosure.services.revisions import (
    approve_revision,
    discard_revision,
    publish_revision,
    reject_revision,
    save_revision,
    submit_revision,
)
from disclosure.workflow import ActionPermissionDenied, FourEyesViolation, TransitionNotAllowed
from tests.factories import make_organization, make_record, make_staff


@pytest.fixture
def office():
    org = make_organization()
    return {
        "org": org,
        "editor": make_staff(EDITOR, organization=org, username="editor"),
        "reviewer": make_staff(REVIEWER, organization=org, username="reviewer"),
        "publisher": make_staff(PUBLISHER, organization=org, username="publisher"),
    }


def published(office, **fields):
    return make_record(
        organization=office["org"], status=RecordStatus.PUBLISHED,
        title="关于做好秋季开学工做的通知", body="<p>各学校:请做好准备。</p>",
        keywords=("开学",), **fields,
    )  # fmt: skip


def edit(record, **values):
    copy = DisclosureRecord.objects.get(pk=record.pk)
    for name, value in values.items():
        setattr(copy, name, value)
    return copy


@pytest.mark.django_db
def test_fixing_a_typo_keeps_the_live_version_public_until_the_revision_is_published(office):
    record = published(office)
    save_revision(
        record=edit(record, title="关于做好秋季开学工作的通知"), actor=office["editor"],
        keywords=["开学", "秋季"],
    )  # fmt: skip
    live = public_records().get(pk=record.pk)
    assert live.title == "关于做好秋季开学工做的通知" and live.keyword_names() == ["开学"]

    submit_revision(record=record, actor=office["editor"])
    approve_revision(record=record, actor=office["reviewer"], confidentiality_reviewed=True)
    assert public_records().get(pk=record.pk).title == "关于做好秋季开学工做的通知"
    publish_revision(record=record, actor=office["publisher"])

    live = public_records().get(pk=record.pk)
    assert live.title == "关于做好秋季开学工作的通知"
    assert live.keyword_names() == ["开学", "秋季"] and live.status == RecordStatus.PUBLISHED
    assert live.version == record.version + 1 and not PendingRevision.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_id=str(record.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        AuditAction.EDIT,
        AuditAction.SUBMIT,
        AuditAction.APPROVE,
        AuditAction.PUBLISH,
    ]
    publication = AuditEntry.objects.filter(action=AuditAction.PUBLISH).latest("id")
    assert publication.details["fields"] == ["title"]
    newest = DisclosureRecord.history.filter(id=record.pk).latest("history_id")
    assert newest.title == "关于做好秋季开学工作的通知"
    assert newest.history_change_reason == "发布修订"
    assert PendingRevision.history.filter(record_id=record.pk).count() >= 4


@pytest.mark.django_db
def test_the_editor_of_a_revision_cannot_approve_it(office):
    record = published(office)
    save_revision(record=edit(record, summary="补充说明"), actor=office["reviewer"])
    submit_revision(record=record, actor=office["reviewer"])
    with pytest.raises(FourEyesViolation):
        approve_revision(record=record, actor=office["reviewer"], confidentiality_reviewed=True)
    assert PendingRevision.objects.get().status == "submitted"
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()


@pytest.mark.django_db
def test_a_revision_under_review_cannot_be_edited_and_a_rejected_one_can(office):
    record = published(office)
    save_revision(record=edit(record, summary="一"), actor=office["editor"])
    submit_revision(record=record, actor=office["editor"])
    with pytest.raises(TransitionNotAllowed, match="退回"):
        save_revision(record=edit(record, summary="二"), actor=office["editor"])
    reject_revision(record=record, actor=office["reviewer"], reason="请补充依据")
    save_revision(record=edit(record, summary="二"), actor=office["editor"])
    assert PendingRevision.objects.get().content["summary"] == "二"


@pytest.mark.django_db
def test_publishing_or_editing_a_revision_is_refused_to_other_roles_and_bureaus(office):
    record = published(office)
    outsider = make_staff(EDITOR, organization=make_organization(), username="outsider")
    with pytest.raises(ActionPermissionDenied):
        save_revision(record=edit(record, title="别人的修改"), actor=outsider)
    save_revision(record=edit(record, title="修改"), actor=office["editor"])
    with pytest.raises(ActionPermissionDenied):
        save_revision(record=edit(record, title="发布人不编制"), actor=office["publisher"])
    submit_revision(record=record, actor=office["editor"])
    approve_revision(record=record, actor=office["reviewer"], confidentiality_reviewed=True)
    with pytest.raises(ActionPermissionDenied):
        publish_revision(record=record, actor=office["reviewer"])
    assert DisclosureRecord.objects.get(pk=record.pk).title == "关于做好秋季开学工做的通知"


@pytest.mark.django_db
def test_discarding_a_draft_revision_leaves_the_record_as_published(office):
    record = published(office)
    save_revision(record=edit(record, title="作废的修改"), actor=office["editor"])
    discard_revision(record=record, actor=office["editor"])
    assert not PendingRevision.objects.exists()
    assert DisclosureRecord.objects.get(pk=record.pk).title == record.title
