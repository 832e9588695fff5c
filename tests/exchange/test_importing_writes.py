"""Chunk writes: what lands in the database is exactly what the file says, chunk after chunk.

On PostgreSQL each chunk is COPY-ed by a second thread while the next is validated; these tests
use chunks of four rows so that every import here crosses several of them.
"""

import io
import json

import pytest
from django.db import connection

from disclosure.models import AuditAction, AuditEntry, DisclosureRecord, RecordKeyword
from exchange.importing import service as import_service
from exchange.importing import writes as import_writes
from tests.exchange.test_importing import root
from tests.factories import LONG_BODY, body_compressions, require_lz4_bodies


def import_records(**options):
    """As a superuser publishing: what is written, not who may (test_importing_rules.py)."""
    return import_service.import_records(actor=root(), publish=True, **options)


AWKWARD = {
    "标题": "反斜杠\\N 不是空值,制表\t符",
    "内容概述": "第一行\r\n第二行\n\\t 原样",
    "正文": "<p>C:\\目录\\文件</p>",
    "文件编号": "\\",
}


def jsonl(rows: list[dict]) -> io.BytesIO:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return io.BytesIO(text.encode("utf-8"))


def row(n: int, **changes) -> dict:
    values = {
        "信息索引号": f"014006470/2021-{n:05d}",
        "标题": f"第{n}号文件",
        "发文日期": "2021-03-0" + str(1 + n % 9),
        "发布机构": "无锡市教育局",
        "关键词": f"学校,第{n}号,机关",
        "目录": "政府信息公开 / 信息公开目录 / 规划计划",
    }
    values.update(changes)
    return values


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(import_service, "CHUNK_SIZE", 4)


@pytest.mark.django_db
def test_many_chunks_with_new_vocabulary_midway_land_exactly(vocabulary, small_chunks):
    """New organizations appear in later chunks: created while the last chunk is being written."""
    rows = [row(n) for n in range(1, 18)]
    rows[9] = row(10, 发布机构="新设的第一个机构", **AWKWARD)
    rows[14] = row(15, 发布机构="新设的第二个机构")
    report = import_records(
        source=jsonl(rows), filename="r.jsonl", commit=True, create_missing=True
    )
    assert report.ok and report.created == 17, [str(p) for p in report.problems]
    assert set(report.created_vocabulary["organization"]) == {
        "新设的第一个机构",
        "新设的第二个机构",
    }
    awkward = DisclosureRecord.objects.get(index_number="014006470/2021-00010")
    assert awkward.title == AWKWARD["标题"] and awkward.summary == AWKWARD["内容概述"]
    assert awkward.body == AWKWARD["正文"] and awkward.document_number == "\\"
    assert awkward.organization.name == "新设的第一个机构"
    for record in DisclosureRecord.objects.all():
        n = int(record.index_number[-5:])
        assert record.title == (AWKWARD["标题"] if n == 10 else f"第{n}号文件")
        assert [k.keyword.name for k in record.keyword_links.order_by("position")] == [
            "学校",
            f"第{n}号",
            "机关",
        ]
    assert set(report.record_ids) == set(DisclosureRecord.objects.values_list("pk", flat=True))
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert (entry.details["rows"], entry.details["created"]) == (17, 17)


@pytest.mark.django_db
def test_several_updating_imports_in_one_transaction(vocabulary, small_chunks):
    """Each re-import stages its rows in the same temporary table, which lives until commit."""
    rows = [row(n) for n in range(1, 7)]
    assert import_records(source=jsonl(rows), filename="r.jsonl", commit=True).ok
    for version in ("二", "三"):
        changed = [row(n, 标题=f"第{n}号文件(第{version}版)") for n in range(1, 7)]
        report = import_records(source=jsonl(changed), filename="r.jsonl", commit=True)
        assert report.ok and report.updated == 6, [str(p) for p in report.problems]
    assert set(DisclosureRecord.objects.values_list("title", flat=True)) == {
        f"第{n}号文件(第三版)" for n in range(1, 7)
    }


@pytest.fixture(params=["copy", "orm"])
def write_path(request, monkeypatch):
    """Both ways of writing a chunk; "orm" is what PostgreSQL gets without psycopg2."""
    if request.param == "orm":
        monkeypatch.setattr(import_writes, "copy_available", lambda real: False)
    return request.param


@pytest.mark.django_db
def test_reimport_across_chunks_updates_every_record_and_its_keywords(
    vocabulary, small_chunks, write_path
):
    rows = [row(n) for n in range(1, 11)]
    assert import_records(source=jsonl(rows), filename="r.jsonl", commit=True).ok
    ids = dict(DisclosureRecord.objects.values_list("index_number", "pk"))
    changed = [row(n, 标题=f"第{n}号文件(修订)", 关键词="修订") for n in range(1, 11)]
    report = import_records(source=jsonl(changed), filename="r.jsonl", commit=True)
    assert report.ok and (report.created, report.updated) == (0, 10)
    assert dict(DisclosureRecord.objects.values_list("index_number", "pk")) == ids
    for record in DisclosureRecord.objects.all():
        assert record.title.endswith("(修订)")
        assert [k.keyword.name for k in record.keyword_links.all()] == ["修订"]


@pytest.mark.django_db
def test_a_row_the_database_refuses_in_a_later_chunk_imports_nothing(vocabulary, small_chunks):
    """The serial of a record already there, spelled without zero padding: the database's unique
    constraint refuses it after an earlier chunk has been written."""
    first = import_records(source=jsonl([row(120)]), filename="old.jsonl", commit=True)
    assert first.ok and DisclosureRecord.objects.get().index_serial == 120
    before = DisclosureRecord.objects.count()
    rows = [row(n) for n in range(1, 10)]
    rows[6] = row(7, 信息索引号="014006470/2021-120")
    report = import_records(source=jsonl(rows), filename="r.jsonl", commit=True)
    assert not report.ok and not report.committed
    assert "数据库拒绝了导入" in str(report.problems[0])
    message = str(report.problems[0])  # the cause, not "current transaction is aborted"
    assert "record_unique_index_serial" in message or "index_serial" in message
    assert DisclosureRecord.objects.count() == before


@pytest.mark.django_db
def test_reimported_rows_equal_to_their_record_are_left_alone(vocabulary, small_chunks, write_path):
    """Importing a file twice is the same as once: a row its record already equals (content,
    status, keywords in order) gets no new version, revision, audit entry or re-index; rows that
    differ in a field, in a keyword's order, or in the awkward characters COPY escapes, do."""
    rows = [row(n) for n in range(1, 11)]
    rows[2] = row(3, **AWKWARD)
    assert import_records(source=jsonl(rows), filename="r.jsonl", commit=True).ok
    before = {r.pk: r for r in DisclosureRecord.objects.all()}
    history = DisclosureRecord.history.count()
    again = list(rows)
    again[0] = row(1, 标题="第1号文件(修订)")
    again[4] = row(5, 关键词="第5号,学校,机关")  # the same keywords in another order
    again[6] = row(7, 关键词="")  # no keywords any more
    first = RecordKeyword.objects.filter(record__index_number="014006470/2021-00001")
    first_links = sorted(first.values_list("pk", flat=True))
    again[8] = row(9, 正文="<p>新的正文</p>")
    report = import_records(source=jsonl(again), filename="r.jsonl", commit=True)
    assert report.ok, [str(p) for p in report.problems]
    assert (report.created, report.updated, report.unchanged) == (0, 4, 6)
    assert "6 条与现有信息相同、未改动" in report.summary()
    changed = {
        r.pk
        for r in DisclosureRecord.objects.filter(
            index_number__in=[f"014006470/2021-{n:05d}" for n in (1, 5, 7, 9)]
        )
    }
    assert set(report.record_ids) == changed
    for record in DisclosureRecord.objects.all():
        old = before[record.pk]
        if record.pk in changed:
            assert record.version == old.version + 1
        else:
            assert (record.version, record.updated_at) == (old.version, old.updated_at)
    assert DisclosureRecord.objects.get(index_number="014006470/2021-00005").keyword_names() == [
        "第5号",
        "学校",
        "机关",
    ]
    numbered = {n: f"014006470/2021-{n:05d}" for n in (1, 7)}
    assert DisclosureRecord.objects.get(index_number=numbered[1]).keyword_names() == [
        "学校",
        "第1号",
        "机关",
    ]  # a changed row with the same keywords keeps them, in order
    if import_writes.copy_available(connection):  # and its links as they were: none re-added
        assert sorted(first.values_list("pk", flat=True)) == first_links
    assert DisclosureRecord.objects.get(index_number=numbered[7]).keyword_names() == []
    # two revisions for each changed record (the state before, then the import's), none else
    assert DisclosureRecord.history.count() == history + 2 * len(changed)
    assert set(DisclosureRecord.history.values_list("id", flat=True)) == changed
    audited = AuditEntry.objects.filter(action=AuditAction.PUBLISH, details__created=False)
    assert {int(pk) for pk in audited.values_list("object_id", flat=True)} == changed
    entry = AuditEntry.objects.filter(action=AuditAction.IMPORT).latest("pk")
    assert (entry.details["updated"], entry.details["unchanged"]) == (4, 6)
    # the same file a third time changes nothing at all
    third = import_records(source=jsonl(again), filename="r.jsonl", commit=True)
    assert (third.updated, third.unchanged) == (0, 10) and third.record_ids == []
    assert DisclosureRecord.history.count() == history + 2 * len(changed)


@pytest.mark.django_db
def test_publishing_an_equal_draft_is_a_change_and_republishing_keeps_its_publisher(
    vocabulary, small_chunks, write_path
):
    """Status is part of what a row says: a draft the file publishes is updated (published,
    by the importer); an already published record equal to its row keeps who published it."""
    from django.contrib.auth import get_user_model

    rows = [row(n) for n in range(1, 6)]
    drafts = import_service.import_records(
        source=jsonl(rows), filename="r.jsonl", commit=True, actor=root(), publish=False
    )
    assert drafts.ok and drafts.created == 5
    report = import_records(source=jsonl(rows), filename="r.jsonl", commit=True)
    assert (report.updated, report.unchanged) == (5, 0)
    assert set(DisclosureRecord.objects.values_list("status", flat=True)) == {"published"}
    other = get_user_model().objects.create_superuser("other_publisher", "", "pw-123456")
    again = import_service.import_records(
        source=jsonl(rows), filename="r.jsonl", commit=True, actor=other, publish=True
    )
    assert (again.updated, again.unchanged) == (0, 5)
    assert set(DisclosureRecord.objects.values_list("published_by__username", flat=True)) == {
        "import_root"
    }


@pytest.mark.django_db(transaction=True)
def test_a_file_that_changes_nothing_announces_no_change_to_the_pages(vocabulary):
    """Cached pages and the search index follow `public_content_changed`; an import whose every
    row equals its record must not empty every cached page, while one changed row must."""
    from disclosure.changes import public_content_changed

    heard = []

    def listen(**kwargs):
        heard.append(kwargs)

    rows = [row(n) for n in range(1, 4)]
    assert import_records(source=jsonl(rows), filename="r.jsonl", commit=True).ok
    public_content_changed.connect(listen)
    try:
        same = import_records(source=jsonl(rows), filename="r.jsonl", commit=True)
        assert same.ok and same.unchanged == 3 and heard == []
        rows[1] = row(2, 标题="第2号文件(修订)")
        changed = import_records(source=jsonl(rows), filename="r.jsonl", commit=True)
        assert changed.ok and changed.updated == 1 and len(heard) == 1
    finally:
        public_content_changed.disconnect(listen)


@pytest.mark.django_db
def test_an_equal_row_is_still_written_when_the_import_numbers_it_or_links_its_repeal(
    vocabulary, small_chunks, write_path
):
    """Two changes an import makes after the chunk is written: a published record without
    信息索引号 numbered at the end (its organization got a code since), and a 废止依据 naming
    another record. Each such record is updated, audited and re-indexed, not counted unchanged;
    the same file once more then changes nothing."""
    from disclosure.models import Organization

    wuxi = Organization.objects.get(name="无锡市教育局")
    code = wuxi.code
    Organization.objects.filter(pk=wuxi.pk).update(code="")
    rows = [row(1, 信息索引号=""), row(2), row(3)]
    first = import_records(source=jsonl(rows), filename="r.jsonl", commit=True)
    assert first.ok and first.created == 3 and first.numbered == 0
    unnumbered = DisclosureRecord.objects.get(index_number=None)
    Organization.objects.filter(pk=wuxi.pk).update(code=code)

    numbered = import_records(source=jsonl(rows), filename="r.jsonl", commit=True)
    assert (numbered.updated, numbered.unchanged, numbered.numbered) == (1, 2, 1)
    assert numbered.record_ids == [unnumbered.pk]
    unnumbered.refresh_from_db()
    assert unnumbered.index_number.startswith(code + "/")
    assert AuditEntry.objects.filter(
        action=AuditAction.PUBLISH, object_id=str(unnumbered.pk), details__created=False
    ).exists()

    rows = [
        row(1, 信息索引号=unnumbered.index_number),
        row(2, 废止依据文件="014006470/2021-00003"),
        row(3),
    ]
    repealing = import_records(source=jsonl(rows), filename="r.jsonl", commit=True)
    assert repealing.ok and (repealing.updated, repealing.unchanged) == (1, 2)
    second = DisclosureRecord.objects.get(index_number="014006470/2021-00002")
    assert second.repealed_by.index_number == "014006470/2021-00003"
    assert repealing.record_ids == [second.pk]

    again = import_records(source=jsonl(rows), filename="r.jsonl", commit=True)
    assert (again.updated, again.unchanged, again.record_ids) == (0, 3, [])


@pytest.mark.postgres
@pytest.mark.django_db
def test_bodies_an_import_updates_are_stored_lz4_compressed_like_the_records(vocabulary):
    """The updated rows pass through a staging table: their bodies keep the records' compression
    (LZ4, migration 0028) in the record and in the import's revision, and read back unchanged."""
    require_lz4_bodies()
    assert import_records(source=jsonl([row(1)]), filename="r.jsonl", commit=True).ok
    report = import_records(source=jsonl([row(1, 正文=LONG_BODY)]), filename="r.jsonl", commit=True)
    assert report.ok and report.updated == 1
    record = DisclosureRecord.objects.get()
    # the record, the state before the update (its empty body is not compressed), the update
    assert body_compressions(record.pk) == ["lz4", None, "lz4"]
    assert record.body == LONG_BODY
