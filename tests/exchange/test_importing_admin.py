import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.choices import RecordStatus
from disclosure.models import DisclosureRecord, Organization
from disclosure.roles import REVIEWER
from tests.exchange.test_importing import GOOD, HEADER, csv_file, row
from tests.factories import make_staff, make_user

IMPORT_URL = "/admin/disclosure/recorddataexchange/import/"


def importer():
    """The office of 无锡市教育局 (审核): may import, not publish."""
    return make_staff(REVIEWER, organization=Organization.objects.get(pk=1), username="importer")


def upload(data: bytes, name: str = "old.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.django_db
def test_public_and_staff_without_permission_cannot_import(client, vocabulary):
    assert client.get(IMPORT_URL).status_code == 302
    client.force_login(make_user(username="editor", is_staff=True))
    response = client.post(IMPORT_URL, {"file": upload(csv_file(row()).getvalue()), "commit": "on"})
    assert response.status_code == 403
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_admin_upload_shows_the_report_and_imports_nothing_on_a_bad_row(client, vocabulary):
    client.force_login(importer())
    data = csv_file(
        row(), row(信息索引号="014006470/2020-00121", 发文日期="2020年2月30日")
    ).getvalue()
    response = client.post(IMPORT_URL, {"file": upload(data), "commit": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "未导入" in page and "日期不存在" in page and "<td>3</td>" in page
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_admin_upload_of_a_gbk_file_is_a_clear_message_not_a_500(client, vocabulary):
    client.force_login(importer())
    response = client.post(
        IMPORT_URL, {"file": upload(csv_file(row(), encoding="gbk").getvalue()), "commit": "on"}
    )
    assert response.status_code == 200 and "GBK" in response.content.decode()


@pytest.mark.django_db
def test_admin_dry_run_then_commit(client, vocabulary):
    client.force_login(importer())
    data = csv_file(row()).getvalue()
    response = client.post(IMPORT_URL, {"file": upload(data)})
    assert "校验通过" in response.content.decode() and not DisclosureRecord.objects.exists()
    response = client.post(IMPORT_URL, {"file": upload(data), "commit": "on"})
    assert "已导入" in response.content.decode() and "草稿" in response.content.decode()
    assert DisclosureRecord.objects.get().title == GOOD[1]
    assert DisclosureRecord.objects.get().status == RecordStatus.DRAFT
    assert HEADER[0] == "信息索引号"


@pytest.mark.django_db
def test_admin_index_links_the_data_exchange_page_for_a_superuser(client, vocabulary):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(admin)
    assert "数据导入导出" in client.get("/admin/").content.decode()
    page = client.get("/admin/disclosure/recorddataexchange/").content.decode()
    assert "导出公开信息" in page and "导出审计日志" in page and "导入公开信息" in page
