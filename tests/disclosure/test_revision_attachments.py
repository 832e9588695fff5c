"""A published record's pending revision carries its 附件 (disclosure/services/revisions.py):
replaced, added, removed and reordered files stay out of every public surface until the
revision is published, and files nobody will publish leave storage."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.choices import RecordStatus
from disclosure.models import (
    Attachment,
    AuditAction,
    AuditEntry,
    DisclosureRecord,
    PendingAttachment,
    PendingRevision,
)
from disclosure.roles import EDITOR, PUBLISHER, REVIEWER
from disclosure.services.revisions import (
    AttachmentRefused,
    RevisionAttachment,
    approve_revision,
    discard_revision,
    publish_revision,
    save_revision,
    submit_revision,
)
from disclosure.workflow import ActionPermissionDenied
from tests.factories import make_organization, make_record, make_staff, tiny_pdf

OLD_PDF, NEW_PDF = tiny_pdf(), tiny_pdf(padding=64)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
NUMBER = "000014349/2026-00042"


@pytest.fixture
def office(django_capture_on_commit_callbacks):
    """An organization and its staff, announced as if committed before the test: the core
    sends one announcement per transaction, so one left pending here would also carry, never
    sent, every change the test makes later in the same (test) transaction."""
    with django_capture_on_commit_callbacks(execute=True):
        org = make_organization()
    return {
        "org": org,
        "editor": make_staff(EDITOR, organization=org, username="editor"),
        "reviewer": make_staff(REVIEWER, organization=org, username="reviewer"),
        "publisher": make_staff(PUBLISHER, organization=org, username="publisher"),
    }


def published_with_attachments(office, *titles):
    record = make_record(organization=office["org"], status=RecordStatus.PUBLISHED, title="通知")
    DisclosureRecord.objects.filter(pk=record.pk).update(index_number=NUMBER)
    record.refresh_from_db()
    for position, title in enumerate(titles):
        Attachment.objects.create(
            record=record, title=title, position=position, original_name=f"{title}.pdf",
            size=len(OLD_PDF), content_type="application/pdf",
            file=SimpleUploadedFile(f"{title}.pdf", OLD_PDF),
        )  # fmt: skip
    return record


def upload(name="新.pdf", content=NEW_PDF):
    return SimpleUploadedFile(name, content)


def all_files() -> set[str]:
    """The names of every file in the attachments' storage."""
    storage = Attachment._meta.get_field("file").storage
    names: set[str] = set()

    def walk(path):
        folders, files = storage.listdir(path)
        names.update(files)
        for folder in folders:
            walk(f"{path}/{folder}")

    if storage.exists("attachments"):
        walk("attachments")
    return names


def review_and_publish(record, office):
    submit_revision(record=record, actor=office["editor"])
    approve_revision(record=record, actor=office["reviewer"], confidentiality_reviewed=True)
    publish_revision(record=record, actor=office["publisher"])


def found(client, query) -> str:
    return client.get("/search/", {"q": query}).content.decode()


def download(client, attachment_pk) -> bytes:
    response = client.get(reverse("portal:attachment_download", args=[attachment_pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_replaced_and_an_added_attachment_stay_unpublished_until_the_revision_is(
    office, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # indexed as published
        record = published_with_attachments(office, "实施方案")
    old = record.attachments.get()
    with django_capture_on_commit_callbacks(execute=True):
        save_revision(
            record=DisclosureRecord.objects.get(pk=record.pk), actor=office["editor"],
            attachments=[
                RevisionAttachment(title="实施方案(更正)", published=old.pk, upload=upload()),
                RevisionAttachment(title="补充附件甲乙丙", upload=upload("补充.pdf")),
            ],
        )  # fmt: skip
    new_rows = list(PendingAttachment.objects.order_by("position"))
    assert [r.title for r in new_rows] == ["实施方案(更正)", "补充附件甲乙丙"]

    # the public: the old file, only it, on every surface; the new ones nowhere
    assert download(client, old.pk) == OLD_PDF
    page = client.get(record.get_absolute_url()).content.decode()
    assert "实施方案" in page and "更正" not in page and "补充附件甲乙丙" not in page
    api = client.get(f"/api/records/{NUMBER}").content.decode()
    assert "实施方案" in api and "补充附件甲乙丙" not in api
    assert record.get_absolute_url() not in found(client, "补充附件甲乙丙")
    for row in new_rows:  # a pending file has no public URL, and the preview's is staff-only
        preview = reverse("portal:record_preview_attachment", args=[record.pk, "revision", row.pk])
        assert client.get(preview).status_code == 404
    assert Attachment.objects.filter(record=record).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        review_and_publish(record, office)
    attachments = list(record.attachments.all())
    assert [a.title for a in attachments] == ["实施方案(更正)", "补充附件甲乙丙"]
    assert attachments[0].pk == old.pk  # the download link readers kept still works
    assert download(client, old.pk) == NEW_PDF
    assert attachments[0].original_name == "新.pdf"
    assert not PendingAttachment.objects.exists() and not PendingRevision.objects.exists()
    assert old.file.name.rsplit("/", 1)[-1] not in all_files()  # the replaced file is gone
    assert len(all_files()) == 2
    page = client.get(record.get_absolute_url()).content.decode()
    assert "实施方案(更正)" in page and "补充附件甲乙丙" in page
    assert record.get_absolute_url() in found(client, "补充附件甲乙丙")
    publication = AuditEntry.objects.filter(action=AuditAction.PUBLISH).latest("id")
    assert publication.details["attachments"] == [
        "替换「实施方案」的文件:实施方案.pdf → 新.pdf",
        "重命名「实施方案」→「实施方案(更正)」",
        "新增 「补充附件甲乙丙」(补充.pdf)",
    ]
    newest = DisclosureRecord.history.filter(id=record.pk).latest("history_id")
    assert newest.history_change_reason == "发布修订"


@pytest.mark.django_db
def test_removing_and_reordering_attachments_in_a_revision(
    office, django_capture_on_commit_callbacks
):
    record = published_with_attachments(office, "甲", "乙", "丙")
    first, second, third = record.attachments.all()
    save_revision(record=DisclosureRecord.objects.get(pk=record.pk), actor=office["editor"])
    rows = {r.published_id: r.pk for r in PendingAttachment.objects.all()}
    assert len(rows) == 3  # a new revision starts from the published attachments
    save_revision(
        record=DisclosureRecord.objects.get(pk=record.pk), actor=office["editor"],
        attachments=[RevisionAttachment(title="丙", row=rows[third.pk]),
                     RevisionAttachment(title="甲", row=rows[first.pk])],
    )  # fmt: skip
    assert [a.title for a in record.attachments.all()] == ["甲", "乙", "丙"]
    with django_capture_on_commit_callbacks(execute=True):
        review_and_publish(record, office)
    assert [a.title for a in record.attachments.all()] == ["丙", "甲"]
    assert not Attachment.objects.filter(pk=second.pk).exists()
    assert second.file.name.rsplit("/", 1)[-1] not in all_files() and len(all_files()) == 2
    details = AuditEntry.objects.filter(action=AuditAction.PUBLISH).latest("id").details
    assert details["attachments"] == ["删除 「乙」(乙.pdf)", "调整附件顺序:「丙」、「甲」"]


@pytest.mark.django_db
def test_discarding_a_revision_deletes_the_files_uploaded_for_it(
    office, django_capture_on_commit_callbacks
):
    record = published_with_attachments(office, "实施方案")
    before = all_files()
    with django_capture_on_commit_callbacks(execute=True):
        save_revision(
            record=DisclosureRecord.objects.get(pk=record.pk), actor=office["editor"],
            attachments=[RevisionAttachment(title="新增", upload=upload())],
        )  # fmt: skip
        # an upload replaced before publication leaves storage at once
        save_revision(
            record=DisclosureRecord.objects.get(pk=record.pk), actor=office["editor"],
            attachments=[RevisionAttachment(
                title="新增", row=PendingAttachment.objects.get().pk, upload=upload("再改.pdf"),
            )],
        )  # fmt: skip
    assert len(all_files()) == len(before) + 1
    with django_capture_on_commit_callbacks(execute=True):
        discard_revision(record=record, actor=office["editor"])
    assert all_files() == before
    assert [a.title for a in record.attachments.all()] == ["实施方案"]
    assert AuditEntry.objects.latest("id").details["deleted_files"] == ["再改.pdf"]


@pytest.mark.django_db
def test_an_upload_for_a_revision_goes_through_the_upload_checks(office):
    record = published_with_attachments(office, "实施方案")
    before = all_files()
    with pytest.raises(AttachmentRefused, match="可执行程序"):
        save_revision(
            record=DisclosureRecord.objects.get(pk=record.pk), actor=office["editor"],
            attachments=[RevisionAttachment(title="通知", upload=upload("通知.pdf", EXE))],
        )  # fmt: skip
    assert all_files() == before and not PendingRevision.objects.exists()
    refusal = AuditEntry.objects.latest("id")
    assert refusal.action == AuditAction.PERMISSION_DENIED and "可执行程序" in refusal.reason


@pytest.mark.django_db
def test_an_editor_outside_the_records_organization_cannot_add_attachments_to_its_revision(
    office,
):
    record = published_with_attachments(office, "实施方案")
    outsider = make_staff(EDITOR, organization=make_organization(), username="outsider")
    before = all_files()
    with pytest.raises(ActionPermissionDenied):
        save_revision(
            record=DisclosureRecord.objects.get(pk=record.pk), actor=outsider,
            attachments=[RevisionAttachment(title="外来附件", upload=upload())],
        )  # fmt: skip
    assert all_files() == before and not PendingAttachment.objects.exists()
    assert AuditEntry.objects.latest("id").action == AuditAction.PERMISSION_DENIED


@pytest.mark.django_db
def test_a_revision_cannot_take_another_records_attachment(office, client):
    record = published_with_attachments(office, "实施方案")
    other = make_record(organization=make_organization(), status=RecordStatus.PUBLISHED)
    foreign = Attachment.objects.create(
        record=other, title="别处的附件", original_name="x.pdf", size=len(OLD_PDF),
        file=SimpleUploadedFile("x.pdf", OLD_PDF),
    )  # fmt: skip
    with pytest.raises(ActionPermissionDenied):
        save_revision(
            record=DisclosureRecord.objects.get(pk=record.pk), actor=office["editor"],
            attachments=[RevisionAttachment(title="借用", published=foreign.pk)],
        )  # fmt: skip
    assert not PendingAttachment.objects.exists()
