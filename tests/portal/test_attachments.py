"""Public attachment download (portal/views/attachments.py)."""

import pytest
from django.core.files.base import ContentFile

from disclosure.choices import RecordStatus
from disclosure.models import Attachment, DisclosureRecord
from tests.factories import make_published_record, make_record


def attach(record, name="2020年工作计划.pdf", data=b"%PDF-1.4 test"):
    return Attachment.objects.create(
        record=record,
        title="附件",
        original_name=name,
        file=ContentFile(data, name="stored.pdf"),
        size=len(data),
        content_type="application/pdf",
    )


@pytest.mark.django_db
def test_download_keeps_the_original_chinese_name(client):
    attachment = attach(make_published_record())
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''2020%E5%B9%B4%E5%B7%A5%E4%BD%9C%E8%AE%A1%E5%88%92.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.WITHDRAWN]
)
def test_attachment_of_a_record_not_public_is_404(client, status):
    attachment = attach(make_record(status=status))
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.django_db
def test_attachment_disappears_when_its_record_is_withdrawn(client):
    record = make_published_record()
    attachment = attach(record)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    DisclosureRecord.objects.filter(pk=record.pk).update(status=RecordStatus.WITHDRAWN)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.django_db
def test_missing_file_is_404_not_500(client):
    attachment = attach(make_published_record())
    attachment.file.delete(save=False)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.django_db
def test_unknown_attachment_is_404(client):
    assert client.get("/attachments/424242/").status_code == 404
