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


@pytest.mark.django_db
def test_admin_shows_the_summary_and_hands_back_problem_rows_as_safe_csv(client, vocabulary):
    """Issue 15, item 6: the office fixes the bad rows in Excel and imports them again."""
    import csv
    import io

    client.force_login(importer())
    data = csv_file(
        row(),
        row(
            信息索引号="014006470/2020-00121",
            标题='=HYPERLINK("http://x")',
            发文日期="2020年2月30日",
        ),
        row(信息索引号="014006470/2020-00122", 发布机构="無錫市教育局", 有效期="明年"),
    ).getvalue()
    page = client.post(IMPORT_URL, {"file": upload(data)}).content.decode()
    assert "可导入的行:1 / 3" in page
    assert "无錫市教育局" not in page and "無錫市教育局 → 无锡市教育局" in page
    link = page.split('href="/admin/disclosure/recorddataexchange/import/problems/')[1]
    url = "/admin/disclosure/recorddataexchange/import/problems/" + link.split('"')[0]
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [*HEADER, "问题"]
    assert [r[1] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', GOOD[1]]
    assert "日期不存在" in rows[1][-1] and "有效期" in rows[2][-1]
    # nobody else gets them: another importer, or a staff member without the permission
    client.force_login(make_staff(REVIEWER, organization=Organization.objects.get(pk=1),
                                  username="other_importer"))  # fmt: skip
    assert client.get(url).status_code == 404
    client.force_login(make_user(username="plain_staff", is_staff=True))
    assert client.get(url).status_code == 403
