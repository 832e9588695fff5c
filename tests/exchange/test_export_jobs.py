import datetime
import io
import os
import threading
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone
from openpyxl import load_workbook

from disclosure.choices import RecordStatus
from disclosure.models import AuditEntry
from exchange import export_jobs
from exchange.export_filters import ExportFilterError, export_queryset
from exchange.export_jobs import (
    STALE_MESSAGE,
    ExportJobRefused,
    ExportNotAllowed,
    describe_filters,
    export_file_path,
    request_export,
    run_export_job,
)
from exchange.exports import stream_audit_log, stream_records
from exchange.models import ExportJob, ExportJobStatus
from tests.factories import make_published_record, make_record, make_user


def exporter(username: str = "auditor", *codenames: str):
    user = make_user(username=username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=codenames or ("export_records",))
    )
    return user


def queue(user, *, fmt: str = "csv", what: str = "records", english: bool = False, **query):
    return request_export(
        user=user, what=what, fmt=fmt, english=english, query_data=query, ip="10.0.0.7"
    )


def streamed(fmt: str, *, english: bool = False, **query) -> bytes:
    data = QueryDict(mutable=True)
    for name, value in query.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    queryset, used = export_queryset(data=data)
    return b"".join(stream_records(queryset=queryset, fmt=fmt, english=english, filters=used))


def some_records():
    make_published_record(title="=1+1 已发布", keywords=("学校", "总结"))
    make_published_record(title="已发布二", issued_on=datetime.date(2021, 3, 1))
    make_record(title="草稿不在已发布筛选中")
    make_record(title="已撤回", status=RecordStatus.WITHDRAWN, withdrawal_reason="@理由")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_job_file_is_byte_identical_to_the_streamed_export(fmt):
    some_records()
    job = run_export_job(job=queue(exporter(), fmt=fmt, status=["published", "withdrawn"]))
    assert job.status == ExportJobStatus.DONE
    data = export_file_path(job).read_bytes()
    assert data == streamed(fmt, status=["published", "withdrawn"])
    assert "草稿".encode() not in data  # drafts: filtered out
    assert job.rows_done == job.rows_total == 3
    assert job.file_size == len(data)
    assert job.file_name.startswith("records-") and job.file_name.endswith(f".{fmt}")


@pytest.mark.django_db
def test_english_headers_and_year_filter_carry_over_to_the_job():
    some_records()
    job = run_export_job(job=queue(exporter(), english=True, year="2021"))
    data = export_file_path(job).read_bytes()
    assert data == streamed("csv", english=True, year="2021")
    assert data.decode("utf-8-sig").startswith("index_number,title,")
    assert job.rows_done == 1 and job.filters == {"year": "2021"}


@pytest.mark.django_db
def test_xlsx_job_holds_the_same_sheet_as_the_streamed_workbook():
    some_records()
    job = run_export_job(job=queue(exporter(), fmt="xlsx"))

    def sheet(data: bytes) -> list[tuple]:
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        return list(workbook.worksheets[0].iter_rows(values_only=True))

    rows = sheet(export_file_path(job).read_bytes())
    assert rows == sheet(streamed("xlsx"))
    assert len(rows) == 5 and rows[0][0] == "信息索引号"
    assert "'=1+1 已发布" in {row[1] for row in rows}


@pytest.mark.django_db
def test_progress_is_recorded_chunk_by_chunk_and_reaches_the_total(monkeypatch):
    for n in range(7):
        make_record(title=f"记录{n}")
    job = queue(exporter())
    seen: list[tuple[int | None, int]] = []
    real_stream = export_jobs.stream_records

    def watched(**kwargs):
        for block in real_stream(**kwargs):
            row = ExportJob.objects.values_list("rows_total", "rows_done").get(pk=job.pk)
            seen.append(row)
            yield block

    monkeypatch.setattr(export_jobs, "stream_records", watched)
    job = run_export_job(job=job, chunk_size=2)
    assert job.status == ExportJobStatus.DONE and job.rows_done == job.rows_total == 7
    assert {total for total, _done in seen} == {7}  # counted before the first row
    intermediate = {done for _total, done in seen if 0 < done < 7}
    assert len(intermediate) >= 2  # several chunks recorded on the way
    assert [done for _t, done in seen] == sorted(done for _t, done in seen)
    assert job.started_at <= job.heartbeat_at <= job.finished_at


@pytest.mark.django_db
def test_the_job_writes_the_one_export_audit_entry_of_a_streamed_export():
    some_records()
    user = exporter()
    job = run_export_job(job=queue(user, status=["published"]))
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == user and entry.ip == "10.0.0.7"
    assert entry.details == {
        "what": "records",
        "format": "csv",
        "filters": {"status": ["published"]},
        "rows": 2,
        "complete": True,
    }
    assert job.filters == {"status": ["published"]}


@pytest.mark.django_db
def test_audit_log_job_carries_the_hash_chain():
    make_record(title="写入几条审计日志")
    user = exporter("log_auditor", "export_audit_log")
    before = AuditEntry.objects.count()
    job = run_export_job(job=queue(user, what="audit_log", english=True))
    text = export_file_path(job).read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].endswith("prev_hash,entry_hash,hash_ok")
    assert len(lines) == 1 + before and job.rows_done == before
    assert job.file_name.startswith("audit-log-")
    # the streamed export (now with the job's own entry) begins with the same rows
    assert b"".join(stream_audit_log(fmt="csv", english=True)).decode("utf-8-sig").startswith(text)
    entry = AuditEntry.objects.get(action="export", actor=user)
    assert entry.details["what"] == "audit_log" and entry.details["rows"] == before


@pytest.mark.django_db
def test_a_job_whose_stream_breaks_midway_is_failed_with_the_error_and_leaves_no_file(
    monkeypatch,
):
    for n in range(6):
        make_record(title=f"记录{n}")
    real_stream = export_jobs.stream_records
    written: list[bytes] = []

    def breaks_after_two_blocks(**kwargs):
        stream = real_stream(**kwargs)
        try:
            for _ in range(2):
                written.append(next(stream))
                yield written[-1]
            raise ConnectionError("server closed the connection unexpectedly")
        finally:
            stream.close()

    monkeypatch.setattr(export_jobs, "stream_records", breaks_after_two_blocks)
    job = run_export_job(job=queue(exporter()), chunk_size=2)
    assert len(written) == 2  # the file had begun
    assert job.status == ExportJobStatus.FAILED
    assert "server closed the connection unexpectedly" in job.error
    assert "请重新申请导出" in job.error
    assert job.file_path == "" and job.file_name == "" and job.finished_at is not None
    assert list(export_jobs.export_root().iterdir()) == []
    assert AuditEntry.objects.get(action="export").details["complete"] is False


class FullDisk:
    """A file that accepts two writes, then fails as a full disk does."""

    def __init__(self, handle):
        self.handle, self.writes = handle, 0

    def write(self, block: bytes) -> int:
        self.writes += 1
        if self.writes > 2:
            raise OSError(28, "No space left on device")
        return self.handle.write(block)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.handle.close()


@pytest.mark.django_db
def test_a_full_disk_midway_fails_the_job_removes_the_partial_file_and_audits_it(monkeypatch):
    for n in range(6):
        make_record(title=f"记录{n}")
    real_open = export_jobs._open_private
    partials = []

    def opens_a_full_disk(path):
        partials.append(path)
        return FullDisk(real_open(path))

    monkeypatch.setattr(export_jobs, "_open_private", opens_a_full_disk)
    job = run_export_job(job=queue(exporter()), chunk_size=2)
    assert job.status == ExportJobStatus.FAILED and "No space left on device" in job.error
    assert partials and not partials[0].exists()
    assert list(export_jobs.export_root().iterdir()) == []
    entry = AuditEntry.objects.get(action="export")
    assert entry.details["complete"] is False and entry.details["rows"] < 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "fmt", "message"),
    [
        ({"issued_from": "2020-13-45"}, "csv", "筛选条件无效"),
        ({"status": ["published", "nonsense"]}, "csv", "筛选条件无效"),
        ({}, "pdf", "导出格式无效"),
    ],
)
def test_bad_filters_or_format_create_no_job(query, fmt, message):
    with pytest.raises(ExportFilterError, match=message):
        queue(exporter(), fmt=fmt, **query)
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_only_holders_of_the_permission_may_request_each_kind():
    records_only = exporter()
    with pytest.raises(ExportNotAllowed):
        queue(records_only, what="audit_log")
    with pytest.raises(ExportNotAllowed):
        queue(make_user(username="editor", is_staff=True))
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_user_has_at_most_three_jobs_waiting():
    user = exporter()
    for _ in range(3):
        queue(user)
    with pytest.raises(ExportJobRefused, match="3 个后台导出"):
        queue(user)
    assert ExportJob.objects.count() == 3
    queue(exporter("other"))  # another person is not held up


@pytest.mark.django_db
def test_a_job_runs_once_even_if_two_runners_pick_it_up():
    make_record(title="一条")
    job = queue(exporter())
    run_export_job(job=job)
    again = run_export_job(job=ExportJob.objects.get(pk=job.pk))
    assert again.status == ExportJobStatus.DONE
    assert AuditEntry.objects.filter(action="export").count() == 1


@pytest.mark.django_db
def test_a_job_whose_requester_lost_the_permission_fails_without_exporting():
    make_record(title="一条")
    user = exporter()
    job = queue(user)
    user.user_permissions.clear()
    job = run_export_job(job=job)
    assert job.status == ExportJobStatus.FAILED and "没有导出权限" in job.error
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.django_db
def test_job_filters_are_described_with_the_form_labels():
    assert describe_filters({"status": ["published", "draft"], "year": "2020"}) == [
        ("状态", "已发布、草稿"),
        ("年份", "2020"),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_web_process_runs_a_requested_job_in_a_thread_after_commit(settings):
    settings.EXPORT_JOBS_IN_PROCESS = True
    for n in range(3):
        make_record(title=f"线程导出{n}")
    job = queue(exporter())  # commits; the thread starts on commit
    for thread in threading.enumerate():
        if thread.name == f"export-job-{job.pk}":
            thread.join(timeout=60)
            assert not thread.is_alive(), "the export thread did not finish within 60 s"
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE, job.error
    assert job.rows_done == 3
    assert export_file_path(job).read_bytes() == streamed("csv")


@pytest.mark.django_db
def test_without_in_process_jobs_the_worker_command_runs_them(settings):
    settings.EXPORT_JOBS_IN_PROCESS = False
    make_record(title="一条")
    user = exporter()
    first, second = queue(user), queue(user, fmt="jsonl")
    out = StringIO()
    call_command("run_export_jobs", stdout=out)
    assert "运行 2 个" in out.getvalue()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == ExportJobStatus.DONE
    assert export_file_path(second).read_bytes() == streamed("jsonl")


@pytest.mark.django_db
def test_stale_running_jobs_are_failed_by_the_command_and_their_partial_file_removed():
    user = exporter()
    stale, alive = queue(user), queue(user)
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    ExportJob.objects.filter(pk=stale.pk).update(
        status=ExportJobStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago, rows_total=9
    )
    ExportJob.objects.filter(pk=alive.pk).update(
        status=ExportJobStatus.RUNNING, started_at=long_ago, heartbeat_at=timezone.now()
    )
    root = export_jobs.export_root()
    root.mkdir(parents=True)
    partial = root / f"job-{stale.pk}.csv.part"
    partial.write_bytes(b"half")
    out = StringIO()
    call_command("run_export_jobs", stdout=out)
    assert "中断标记失败 1 个" in out.getvalue()
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == ExportJobStatus.FAILED and stale.error == STALE_MESSAGE
    assert "请重新申请导出" in stale.error
    assert not partial.exists()
    assert alive.status == ExportJobStatus.RUNNING


@pytest.mark.django_db
def test_retention_deletes_old_files_in_run_due_tasks_and_keeps_recent_ones(settings):
    settings.EXPORT_RETENTION_DAYS = 7
    make_record(title="一条")
    user = exporter()
    old, recent = (run_export_job(job=queue(user)) for _ in range(2))
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    ExportJob.objects.filter(pk=old.pk).update(finished_at=eight_days_ago)
    root = export_jobs.export_root()
    orphan, foreign = root / "job-99999.xlsx", root / "README.txt"
    for path in (orphan, foreign):
        path.write_bytes(b"x")
        os.utime(path, (eight_days_ago.timestamp(), eight_days_ago.timestamp()))
    out = StringIO()
    call_command("run_due_tasks", stdout=out)
    assert "过期导出文件删除 2 个" in out.getvalue()
    old.refresh_from_db()
    assert old.status == ExportJobStatus.DONE and old.file_path == ""
    assert not old.file_available and not export_file_path(old).exists()
    assert recent.file_available and export_file_path(recent).exists()
    assert not orphan.exists() and foreign.exists()  # only our own file names are touched
