"""The CSV that PostgreSQL writes must be byte for byte the CSV the Python writer writes."""

import datetime
import threading
import time
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from disclosure.choices import RecordStatus
from disclosure.generator import generate_records
from disclosure.models import Attachment, DisclosureRecord
from exchange import csv_by_copy
from exchange.export_writers import _csv_text_chunks
from exchange.exports import stream_records
from exchange.record_columns import RECORD_COLUMNS
from exchange.record_rows import _record_text_chunks
from tests.factories import (
    make_category,
    make_organization,
    make_published_record,
    make_record,
    make_topic,
    make_user,
)

pytestmark = pytest.mark.postgres
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HEADERS = [c.label for c in RECORD_COLUMNS]


def python_csv(queryset, chunk_size: int = 5) -> bytes:
    chunks = _record_text_chunks(queryset, chunk_size=chunk_size)
    return "".join(_csv_text_chunks(chunks, HEADERS)).encode("utf-8")


def copy_csv(queryset, chunk_size: int = 5, workers: int = 2) -> bytes:
    header = "".join(_csv_text_chunks([], HEADERS)).encode("utf-8")
    return header + b"".join(
        data
        for _, data in csv_by_copy.record_csv_chunks(
            queryset, chunk_size=chunk_size, workers=workers
        )
    )


def awkward_records() -> None:
    """Every kind of cell the two writers could spell differently."""
    users = [make_user(username=name) for name in ("=创建", "审核,人", '发"布', "撤回")]
    parent = make_topic(name="测试、主题")
    child = make_topic(name="子主题", parent=parent)
    root = make_category(name="政府信息公开")
    branch = make_category(name="规划,计划", parent=root)
    leaf = make_category(name='"年度"', parent=branch)
    department = make_organization(name="+办公室")
    repealer = make_published_record(title="废止依据", index_number="014006470/2020-00999")
    record = make_record(
        title='=HYPERLINK("http://evil.example","点我")',
        summary="第一行\r\n第二行\n第三行\r末行",
        body='<p>含逗号,和"引号"</p>\n<p>@第二段</p>',
        document_number="",
        source="-来源",
        procedure="\t部门编制",
        keywords=("@关键词", "学校", "机关,单位"),
        topic=child,
        category=leaf,
        department=department,
        valid_until=datetime.date(2030, 12, 31),
        effective_on=datetime.date(999, 1, 2),
        created_by=users[0],
    )
    DisclosureRecord.objects.filter(pk=record.pk).update(
        status=RecordStatus.WITHDRAWN,
        repealed_on=datetime.date(2021, 1, 1),
        repealed_by=repealer,
        submitted_by=users[1],
        submitted_at=datetime.datetime(1988, 7, 1, 12, 0, tzinfo=datetime.UTC),  # summer time
        approved_by=users[1],
        approved_at=datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.UTC),  # local mean time
        published_by=users[2],
        published_at=datetime.datetime(2020, 7, 28, 8, 0, 0, 123456, tzinfo=SHANGHAI),
        withdrawn_by=users[3],
        withdrawn_at=datetime.datetime(2020, 7, 29, 0, 0, tzinfo=SHANGHAI),
        withdrawal_reason='"撤回",理由\n',
        non_disclosure_reason=" ",
        disclosure_forms=[],
    )
    for position, title in enumerate(["附件二,表", "=附件一"]):
        Attachment.objects.create(
            record=record,
            title=title,
            position=1 - position,
            file=ContentFile(b"x", name="a.pdf"),
            original_name="a.pdf",
        )
    unknown = make_record(title="未知的公开形式")
    DisclosureRecord.objects.filter(pk=unknown.pk).update(
        disclosure_forms=["website", "未知形式", "document"]
    )


@pytest.mark.django_db
def test_copy_writes_the_same_bytes_as_the_python_writer(seed_data):
    awkward_records()
    generate_records(count=40, seed=11)
    queryset = DisclosureRecord.objects.all()
    expected = python_csv(queryset)
    assert b'"=HYPERLINK' not in expected and b"'=HYPERLINK" in expected
    assert b"+08:05:43" in expected and b"+09:00" in expected  # both moments' offsets
    assert copy_csv(queryset) == expected
    assert b"".join(stream_records(queryset=queryset, fmt="csv")) == expected


@pytest.mark.django_db
def test_copy_of_a_filtered_set_with_gaps_in_the_ids(seed_data):
    generate_records(count=30, seed=5)
    ids = list(DisclosureRecord.objects.order_by("id").values_list("id", flat=True))
    DisclosureRecord.objects.filter(id__in=ids[3:9]).delete()
    queryset = DisclosureRecord.objects.filter(status=RecordStatus.PUBLISHED)
    expected = python_csv(queryset, chunk_size=4)
    assert expected.count(b"\r\n/records/") == 0  # rows are CRLF-terminated, not URL-led
    assert copy_csv(queryset, chunk_size=4) == expected


@pytest.mark.django_db
def test_no_records_is_the_header_alone(seed_data):
    queryset = DisclosureRecord.objects.none()
    assert copy_csv(queryset) == python_csv(queryset)


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_send_the_chunks_in_order_and_close_their_connections(vocabulary):
    awkward_records()
    generate_records(count=45, seed=2)
    queryset = DisclosureRecord.objects.all()
    assert not connection.in_atomic_block
    before, connected = threading.active_count(), backends()
    expected = python_csv(queryset, chunk_size=4)
    assert copy_csv(queryset, chunk_size=4, workers=3) == expected
    assert threading.active_count() == before
    assert new_connections_after_a_moment(connected) == set()


@pytest.mark.django_db(transaction=True)
def test_a_reader_that_stops_early_stops_the_workers(vocabulary):
    generate_records(count=30, seed=4)
    before, connected = threading.active_count(), backends()
    chunks = csv_by_copy.record_csv_chunks(DisclosureRecord.objects.all(), chunk_size=3)
    rows, data = next(chunks)
    assert rows == 3 and data.count(b"\r\n") >= 3
    chunks.close()  # the client hung up
    assert threading.active_count() == before
    assert new_connections_after_a_moment(connected) == set()


@pytest.mark.django_db(transaction=True)
def test_a_failing_chunk_is_raised_to_the_reader(vocabulary, monkeypatch):
    generate_records(count=12, seed=6)
    third = list(DisclosureRecord.objects.order_by("id").values_list("id", flat=True))[4]
    original = csv_by_copy._ChunkCopy.__call__

    def fail_on_third(self, ids):
        if ids[0] == third:
            raise RuntimeError("数据库连接中断")
        return original(self, ids)

    monkeypatch.setattr(csv_by_copy._ChunkCopy, "__call__", fail_on_third)
    received = []
    before, connected = threading.active_count(), backends()
    with pytest.raises(RuntimeError, match="数据库连接中断"):
        for rows, _ in csv_by_copy.record_csv_chunks(DisclosureRecord.objects.all(), chunk_size=2):
            received.append(rows)
    assert received == [2, 2]  # the chunks before the failed one, in order, then the error
    assert threading.active_count() == before
    assert new_connections_after_a_moment(connected) == set()


@pytest.mark.django_db
def test_an_export_inside_a_transaction_leaves_its_settings_as_they_were(seed_data):
    """The chunk's savepoint would keep SET LOCAL: Django would read moments 8 hours off."""
    record = make_record(title="导出之后再读")
    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        zone = cursor.fetchone()[0]
    assert b"".join(stream_records(queryset=DisclosureRecord.objects.all(), fmt="csv"))
    assert DisclosureRecord.objects.get(pk=record.pk).created_at == record.created_at
    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == zone
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.django_db
def test_a_record_deleted_while_its_chunk_is_read_is_left_out(seed_data, monkeypatch):
    generate_records(count=8, seed=9)
    ids = list(DisclosureRecord.objects.order_by("id").values_list("id", flat=True))
    original = csv_by_copy._ChunkCopy.__call__

    def deleted_meanwhile(self, chunk):
        if ids[2] in chunk:
            DisclosureRecord.objects.filter(pk=ids[2]).delete()
        return original(self, chunk)

    monkeypatch.setattr(csv_by_copy._ChunkCopy, "__call__", deleted_meanwhile)
    gone = DisclosureRecord.objects.get(pk=ids[2]).title.encode()
    chunks = list(csv_by_copy.record_csv_chunks(DisclosureRecord.objects.all(), chunk_size=4))
    assert sum(rows for rows, _ in chunks) == len(ids) - 1
    data = b"".join(data for _, data in chunks)
    assert gone not in data
    assert all(
        title.encode() in data for title in DisclosureRecord.objects.values_list("title", flat=True)
    )


def backends() -> set[int]:
    """Other server processes connected to the test database (say, a live test server's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


def new_connections_after_a_moment(before: set[int]) -> set[int]:
    """Connections opened since `before` and still open (a closed one takes a moment to go)."""
    for _ in range(50):
        opened = backends() - before
        if not opened:
            break
        time.sleep(0.05)
    return opened
