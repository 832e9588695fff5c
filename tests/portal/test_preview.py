"""「预览」 (portal/views/preview.py): staff see a draft or pending revision as the public will."""

import pytest

from disclosure.choices import RecordStatus
from disclosure.demo import ensure_demo_accounts
from disclosure.models import DisclosureRecord, Organization
from disclosure.services.revisions import save_revision
from tests.factories import make_organization, make_record, make_staff

PASSWORD = "demo-pass-2026"


@pytest.fixture
def bureau(vocabulary):
    ensure_demo_accounts(password=PASSWORD)
    return Organization.objects.get(name="无锡市教育局")


def draft_of(bureau, **fields):
    department = Organization.objects.get(name="无锡市教育局发展规划处")
    fields.setdefault("title", "关于开展学校体育工作检查的通知")
    return make_record(organization=bureau, department=department, **fields)


@pytest.mark.django_db
def test_staff_preview_a_draft_as_the_public_page_in_both_scripts_never_cached(client, bureau):
    record = draft_of(bureau, body="<p>各学校:请做好体育工作。</p>")
    assert client.login(username="demo-editor", password=PASSWORD)
    response = client.get(f"/preview/{record.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="record-title" class="record-title">关于开展学校体育工作检查的通知</h1>' in html
    assert "各学校:请做好体育工作。" in html
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    traditional = client.get(f"/zh-hant/preview/{record.pk}/")
    assert traditional.status_code == 200
    assert "關於開展學校體育工作檢查的通知" in traditional.content.decode()
    assert "no-store" in traditional["Cache-Control"]
    assert client.get(f"/records/{record.pk}/").status_code == 404


@pytest.mark.django_db
def test_preview_of_a_published_record_shows_its_pending_revision(client, bureau):
    record = draft_of(bureau, status=RecordStatus.PUBLISHED, title="秋季开学工做通知")
    editor = make_staff("编制", organization=bureau, username="bureau-editor")
    revised = DisclosureRecord.objects.get(pk=record.pk)
    revised.title = "秋季开学工作通知"
    save_revision(record=revised, actor=editor, keywords=["开学"])
    assert client.login(username="demo-reviewer", password=PASSWORD)
    preview = client.get(f"/preview/{record.pk}/").content.decode()
    assert "秋季开学工作通知" in preview and "开学" in preview
    assert "秋季开学工做通知" in client.get(f"/records/{record.pk}/").content.decode()


@pytest.mark.django_db
def test_readers_and_staff_of_another_bureau_cannot_preview(client, bureau):
    record = draft_of(bureau)
    anonymous = client.get(f"/preview/{record.pk}/")
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert "关于开展学校体育工作检查的通知" not in anonymous.content.decode()
    outsider = make_staff("编制", organization=make_organization(), username="outsider")
    client.force_login(outsider)
    assert client.get(f"/preview/{record.pk}/").status_code == 404
    assert client.get(f"/zh-hant/preview/{record.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_drafts_attachment_downloads_from_its_preview_for_staff_only(client, bureau):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disclosure.models import Attachment
    from tests.factories import tiny_pdf

    record = draft_of(bureau)
    attachment = Attachment.objects.create(
        record=record, title="检查表", original_name="检查表.pdf", size=10,
        content_type="application/pdf", file=SimpleUploadedFile("检查表.pdf", tiny_pdf()),
    )  # fmt: skip
    link = f"/preview/{record.pk}/attachments/record/{attachment.pk}/"
    assert client.get(link).status_code == 404  # a reader
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404  # not public
    assert client.login(username="demo-editor", password=PASSWORD)
    assert link in client.get(f"/preview/{record.pk}/").content.decode()
    response = client.get(link)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == tiny_pdf()
    assert client.get(f"/preview/{record.pk}/attachments/other/{attachment.pk}/").status_code == 404
    outsider = make_staff("编制", organization=make_organization(), username="outsider")
    client.force_login(outsider)
    assert client.get(link).status_code == 404
