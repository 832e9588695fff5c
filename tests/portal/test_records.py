"""The record page (portal/views/records.py), held against the seed page of the real site."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from disclosure.changes import announce_public_change
from disclosure.choices import RecordStatus
from disclosure.convert import to_traditional
from disclosure.models import Attachment, DisclosureRecord
from disclosure.services.view_counts import flush_view_counts
from tests.disclosure.test_fixtures import (
    seed_body_paragraphs,
    seed_metadata,
    seed_page_lines,
)
from tests.factories import make_published_record, make_record
from tests.portal.pages import page_text, row_headers

SEED_INDEX = "014006470/2020-00120"


def path(record: DisclosureRecord) -> str:
    """The Simplified path, whatever language an earlier request in this thread activated."""
    return f"/records/{record.pk}/"


def seed_record() -> DisclosureRecord:
    return DisclosureRecord.objects.get(index_number=SEED_INDEX)


@pytest.mark.django_db
def test_seed_record_page_shows_every_value_of_the_seed_page(client, seed_data):
    record = seed_record()
    markup = client.get(path(record)).content.decode()
    assert row_headers(markup) == seed_metadata()
    text = page_text(markup)
    lines = seed_page_lines()
    crumb = next(line for line in lines if line.startswith("当前位置:"))
    assert crumb.replace(" ", "") in text.replace(" ", "")
    assert "2020年全市教育工作上半年总结和下半年计划" in text
    time_line = next(line for line in lines if line.startswith("时间:"))
    assert "时间:2020-07-28 11:05" in text and time_line.startswith("时间:2020-07-28 11:05")
    assert "来源: 无锡市教育局" in text
    assert "浏览次数:" in text
    assert "显示全部表格信息" in text
    for paragraph in seed_body_paragraphs():
        assert paragraph in text
    for chrome in ("欢迎访问无锡市教育局网站", "本站支持IPv6", "繁体版", "返回顶部"):
        assert chrome in text
    for size in ("默认", "大", "特大"):
        assert f">{size}</a>" in markup


@pytest.mark.django_db
def test_seed_record_page_in_traditional_script_shows_every_value_converted(client, seed_data):
    record = seed_record()
    markup = client.get("/zh-hant" + path(record)).content.decode()
    expected = {to_traditional(k): to_traditional(v) for k, v in seed_metadata().items()}
    assert row_headers(markup) == expected
    text = page_text(markup)
    assert "2020年全市教育工作上半年總結和下半年計劃" in text
    assert "顯示全部表格信息" in text
    for paragraph in seed_body_paragraphs():
        assert to_traditional(paragraph) in text
    assert '<html lang="zh-Hant-TW">' in markup


@pytest.mark.django_db
def test_metadata_table_expands_without_javascript(client, seed_data):
    markup = client.get(path(seed_record())).content.decode()
    details = markup[markup.index('<details class="meta-more"') : markup.index("</details>")]
    assert "<summary>" in details and "显示全部表格信息" in details and "收起表格信息" in details
    assert "内容概述" in details


@pytest.mark.django_db
def test_every_read_counts_once(client):
    record = make_published_record()
    for _ in range(3):
        client.get(path(record))
    flush_view_counts()  # with Redis the views reach the database in batches
    record.refresh_from_db()
    assert record.view_count == 3
    assert "浏览次数:4" in page_text(client.get(path(record)).content.decode())


@pytest.mark.django_db
def test_reading_does_not_change_last_modified(client):
    record = make_published_record()
    first = client.get(path(record))
    second = client.get(path(record))
    assert first["Last-Modified"] == second["Last-Modified"]
    assert first["ETag"] == second["ETag"]


@pytest.mark.django_db
def test_conditional_request_answers_304(client):
    record = make_published_record()
    first = client.get(path(record))
    again = client.get(path(record), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(path(record), headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.django_db
def test_edit_changes_the_etag(client):
    record = make_published_record(title="原标题")
    first = client.get(path(record))
    DisclosureRecord.objects.filter(pk=record.pk).update(
        title="新标题", version=2, updated_at=timezone.now() + datetime.timedelta(seconds=2)
    )
    announce_public_change(record_ids=[record.pk])  # update() sends no signal of its own
    again = client.get(path(record), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert "新标题" in again.content.decode()


@pytest.mark.django_db
def test_scripts_have_different_etags(client):
    record = make_published_record()
    hans = client.get(path(record))
    hant = client.get("/zh-hant" + path(record), headers={"if-none-match": hans["ETag"]})
    assert hant.status_code == 200
    assert hant["ETag"] != hans["ETag"]


@pytest.mark.django_db
def test_expired_record_stays_readable_with_status_under_title(client):
    record = make_published_record(
        title="过期的通知",
        issued_on=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    )
    response = client.get(path(record))
    markup = response.content.decode()
    assert response.status_code == 200
    title_at = markup.index("过期的通知</h1>")
    assert title_at < markup.index('class="validity-badge">失效</strong>') < markup.index("时间:")


@pytest.mark.django_db
def test_repealed_record_shows_repealed_with_the_repealing_document(client):
    newer = make_published_record(title="新的规定")
    record = make_published_record(
        title="旧的规定",
        issued_on=datetime.date(2020, 1, 1),
        repealed_on=datetime.date(2022, 1, 1),
        repealed_by=newer,
    )
    markup = client.get(path(record)).content.decode()
    assert 'class="validity-badge">废止</strong>' in markup
    assert path(newer) in markup
    hant = client.get("/zh-hant" + path(record)).content.decode()
    assert 'class="validity-badge">廢止</strong>' in hant


@pytest.mark.django_db
@pytest.mark.parametrize("status", [RecordStatus.DRAFT, RecordStatus.WITHDRAWN])
def test_repealing_document_the_public_may_not_see_is_neither_named_nor_linked(client, status):
    hidden = make_record(title="未公开的废止依据", status=status)
    record = make_published_record(
        title="旧的规定",
        issued_on=datetime.date(2020, 1, 1),
        repealed_on=datetime.date(2022, 1, 1),
        repealed_by=hidden,
    )
    for url in (path(record), f"/records/{record.pk}/print/"):
        markup = client.get(url).content.decode()
        assert 'class="validity-badge">废止</strong>' in markup
        assert "未公开的废止依据" not in markup
        assert path(hidden) not in markup


@pytest.mark.django_db
def test_valid_record_shows_no_status_banner(client):
    markup = client.get(make_published_record().get_absolute_url()).content.decode()
    assert "validity-badge" not in markup


@pytest.mark.django_db
def test_withdrawn_record_is_410_in_both_scripts_with_neutral_notice(client):
    record = make_record(status=RecordStatus.WITHDRAWN, title="撤回的标题", summary="撤回概述")
    for prefix in ("", "/zh-hant"):
        response = client.get(prefix + path(record))
        assert response.status_code == 410
        body = response.content.decode()
        assert "撤回的标题" not in body and "撤回概述" not in body
        assert "ETag" not in response
    assert "不再公開" in client.get("/zh-hant" + path(record)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [RecordStatus.DRAFT, RecordStatus.SUBMITTED])
def test_unpublished_record_is_404_in_traditional_too(client, status):
    record = make_record(status=status, title="内部草稿")
    response = client.get("/zh-hant" + path(record))
    assert response.status_code == 404
    assert "內部草稿" not in response.content.decode()
    assert "頁面不存在" in response.content.decode()


@pytest.mark.django_db
def test_record_scheduled_for_later_is_404(client):
    record = make_record(
        status=RecordStatus.PUBLISHED, published_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert client.get(path(record)).status_code == 404


@pytest.mark.django_db
def test_draft_reads_are_not_counted(client):
    record = make_record(status=RecordStatus.DRAFT)
    client.get(path(record))
    record.refresh_from_db()
    assert record.view_count == 0


@pytest.mark.django_db
def test_print_view_shows_full_table_and_body_without_site_chrome(client, seed_data):
    record = seed_record()
    response = client.get(f"/records/{record.pk}/print/")
    markup = response.content.decode()
    assert response.status_code == 200
    assert row_headers(markup) == seed_metadata()
    assert "<details" not in markup
    assert "主导航" not in markup
    assert seed_body_paragraphs()[0] in markup
    assert path(record) in markup


@pytest.mark.django_db
def test_print_view_of_a_draft_is_404(client):
    record = make_record()
    assert client.get(f"/records/{record.pk}/print/").status_code == 404


@pytest.mark.django_db
def test_attachments_are_download_links_named_as_uploaded(client):
    record = make_published_record()
    attachment = Attachment.objects.create(
        record=record,
        title="附件一:实施方案",
        original_name="实施方案.pdf",
        file=ContentFile(b"%PDF-1.4", name="x.pdf"),
        size=8,
        content_type="application/pdf",
    )
    markup = client.get(path(record)).content.decode()
    assert f'href="/attachments/{attachment.pk}/"' in markup
    assert row_headers(markup)["文件下载"] == "附件一:实施方案"
    hant = client.get("/zh-hant" + path(record)).content.decode()
    assert f'href="/zh-hant/attachments/{attachment.pk}/"' in hant
    assert "附件一:實施方案" in hant


@pytest.mark.django_db
def test_escaped_title_stays_escaped_in_both_scripts(client):
    record = make_published_record(title="<script>alert('发')</script>关于通知")
    for prefix in ("", "/zh-hant"):
        markup = client.get(prefix + path(record)).content.decode()
        assert "<script>alert" not in markup
        assert "&lt;script&gt;alert" in markup


@pytest.mark.django_db
def test_traditional_record_page_differs_between_reads_only_in_the_count(client):
    record = make_published_record(title="关于发展规划的通知")
    first = client.get(f"/zh-hant/records/{record.pk}/").content.decode()
    second = client.get(f"/zh-hant/records/{record.pk}/").content.decode()
    assert "瀏覽次數:1</span>" in first and "瀏覽次數:2</span>" in second
    assert first.replace("瀏覽次數:1<", "瀏覽次數:2<") == second
    assert "關於發展規劃的通知" in first
    assert "<!--view-count-->" not in first


@pytest.mark.django_db
def test_title_or_body_quoting_the_count_slot_cannot_move_the_count(client):
    record = make_published_record(
        title="<!--view-count-->标题", body="<p>正文<!--view-count--></p>"
    )
    markup = client.get(f"/records/{record.pk}/").content.decode()
    assert "浏览次数:1</span>" in markup
    assert "&lt;!--view-count--&gt;标题" in markup


@pytest.mark.django_db
def test_record_page_queries_do_not_grow_with_keywords_or_attachments(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(record) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path(record)).status_code == 200
        return len(captured)

    plain = make_published_record(keywords=("学校",))
    rich = make_published_record(keywords=("学校", "机关", "总结", "计划", "教育"))
    for n in range(4):
        Attachment.objects.create(
            record=rich,
            title=f"附件{n}",
            original_name=f"{n}.pdf",
            file=ContentFile(b"x", name="a.pdf"),
        )
    assert queries(rich) == queries(plain)


@pytest.mark.django_db
def test_a_normative_document_shows_its_registration_number(client):
    from disclosure.choices import NormativeKind

    normative = make_published_record(
        normative_kind=NormativeKind.NORMATIVE, registration_number="WXJY-2020-001"
    )
    page = client.get(normative.get_absolute_url()).content.decode()
    assert "行政规范性文件登记号" in page and "WXJY-2020-001" in page
    other = client.get(make_published_record().get_absolute_url()).content.decode()
    assert "登记号" not in other
