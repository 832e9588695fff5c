"""Background exports: large exports are written to a private file while the admin shows progress.

Streaming (exchange.exports) starts a download at once, but a million-row export then ties up
a browser tab and a web worker for minutes and is lost if the connection drops. Above
EXPORT_STREAM_MAX_ROWS rows, or when the staff member asks for it, the admin instead requests a
job: `request_export` validates the filters exactly as the streamed export does and queues the
job; `run_export_job` writes the same bytes (the same `stream_records` / `stream_audit_log`, which
also write the one EXPORT audit entry) to a temporary file under EXPORT_ROOT, records progress
after every chunk, and renames the file into place only when it is complete.

Jobs run in a daemon thread of the web process once the request is committed
(EXPORT_JOBS_IN_PROCESS), or in `python manage.py run_export_jobs` for deployments with a
worker. A process that dies mid-export stops beating; `fail_stale_export_jobs` marks its job
failed. Finished files are deleted after EXPORT_RETENTION_DAYS (`delete_expired_export_files`,
run by `run_due_tasks` and `run_export_jobs`).

The files hold drafts and the audit log: only the requester (or a superuser) may download them,
only while holding the export permission, and every download is audited.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from disclosure.audit import record_event
from disclosure.models import AuditAction, AuditEntry
from exchange.export_filters import ExportFilterError, RecordExportFilter, export_queryset
from exchange.export_storage import delete_kept, keep, open_kept
from exchange.exports import (
    DEFAULT_CHUNK_SIZE,
    export_filename,
    stream_audit_log,
    stream_records,
)
from exchange.models import ExportFormat, ExportJob, ExportJobStatus, ExportSubject

logger = logging.getLogger(__name__)

#: The permission each kind of export needs, to request it and to download it later.
PERMISSIONS = {
    ExportSubject.RECORDS: "disclosure.export_records",
    ExportSubject.AUDIT_LOG: "disclosure.export_audit_log",
}
#: Download names as the streamed exports name them.
FILE_STEMS = {ExportSubject.RECORDS: "records", ExportSubject.AUDIT_LOG: "audit-log"}
#: A running job that has recorded no progress for this long belongs to a process that died.
STALE_AFTER = datetime.timedelta(minutes=10)
#: Each job is a thread (or a worker's turn): one person cannot queue up the whole machine.
MAX_ACTIVE_PER_USER = 3
STALE_MESSAGE = "生成导出文件的进程已中断(超过 10 分钟没有进展),文件未生成。请重新申请导出。"
_OUR_FILE = re.compile(r"^job-\d+\.(csv|xlsx|jsonl)(\.part)?$")


class ExportNotAllowed(PermissionDenied):
    """The user lacks the export permission (or the job is not theirs); the admin answers 403."""


class ExportJobRefused(Exception):
    """A job cannot be requested now (too many of the user's jobs still running)."""


class ExportFileGone(Exception):
    """The job has no file to download (not finished, failed, or past its retention)."""


def export_root() -> Path:
    return Path(settings.EXPORT_ROOT)


def export_file_path(job: ExportJob) -> Path:
    return export_root() / f"job-{job.pk}.{job.format}"


def _partial_path(job: ExportJob) -> Path:
    final = export_file_path(job)
    return final.with_name(final.name + ".part")


def exceeds_stream_limit(*, queryset: QuerySet) -> bool:
    """More rows than EXPORT_STREAM_MAX_ROWS? Counts at most one row past the limit."""
    limit = settings.EXPORT_STREAM_MAX_ROWS
    return queryset.order_by()[: limit + 1].count() > limit


def _filter_data(query_data: Any) -> QueryDict:
    """Only the export filters of `query_data` (a QueryDict or a plain mapping)."""
    data = QueryDict(mutable=True)
    if not query_data:
        return data
    for name in RecordExportFilter.base_filters:
        if isinstance(query_data, QueryDict):
            values = query_data.getlist(name)
        elif isinstance(query_data, Mapping) and name in query_data:
            value = query_data[name]
            values = list(value) if isinstance(value, list | tuple) else [value]
        else:
            values = []
        values = [str(v) for v in values if v not in (None, "")]
        if values:
            data.setlist(name, values)
    return data


def request_export(
    *,
    user: Any,
    what: str,
    fmt: str,
    english: bool = False,
    query_data: Any = None,
    ip: str | None = None,
) -> ExportJob:
    """Queue an export; bad filters or format raise ExportFilterError and create nothing.

    The job runs after the commit, in a thread of this process when EXPORT_JOBS_IN_PROCESS is
    set, otherwise when a worker runs `run_export_jobs`.
    """
    if what not in PERMISSIONS:
        raise ExportFilterError(f"未知的导出内容:{what}。")
    if fmt not in ExportFormat.values:
        raise ExportFilterError("导出格式无效。")
    if not (user.is_active and user.has_perm(PERMISSIONS[what])):
        raise ExportNotAllowed(f"您没有导出{ExportSubject(what).label}的权限。")
    data = _filter_data(query_data) if what == ExportSubject.RECORDS else QueryDict()
    used: dict[str, Any] = {}
    if what == ExportSubject.RECORDS:
        _queryset, used = export_queryset(data=data)  # raises ExportFilterError
    with transaction.atomic():
        active = ExportJob.objects.filter(
            requested_by=user, status__in=[ExportJobStatus.QUEUED, ExportJobStatus.RUNNING]
        ).count()
        if active >= MAX_ACTIVE_PER_USER:
            raise ExportJobRefused(f"您已有 {active} 个后台导出正在排队或生成,请等其完成后再申请。")
        job = ExportJob.objects.create(
            requested_by=user,
            what=what,
            format=fmt,
            english=bool(english),
            filters=used,
            query_string=data.urlencode(),
            ip=ip or None,
        )
        if settings.EXPORT_JOBS_IN_PROCESS:
            transaction.on_commit(partial(start_export_thread, job_id=job.pk))
    return job


def start_export_thread(*, job_id: int) -> threading.Thread:
    """Run the job in a daemon thread of this process, with its own database connection."""
    thread = threading.Thread(
        target=_run_in_thread, args=(job_id,), name=f"export-job-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _run_in_thread(job_id: int) -> None:
    try:
        job = ExportJob.objects.filter(pk=job_id).first()
        if job is not None:
            run_export_job(job=job)
    except Exception:
        logger.exception("Background export %s could not be run", job_id)
    finally:
        connection.close()


def run_export_job(*, job: ExportJob, chunk_size: int = DEFAULT_CHUNK_SIZE) -> ExportJob:
    """Write the job's file if the job is still queued; return the job as it then stands."""
    _run(job, chunk_size=chunk_size)
    job.refresh_from_db()
    return job


def _claim(job: ExportJob) -> bool:
    """queued → running in one conditional UPDATE, so two runners never write the same job."""
    now = timezone.now()
    return bool(
        ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.QUEUED).update(
            status=ExportJobStatus.RUNNING, started_at=now, heartbeat_at=now
        )
    )


def _run(job: ExportJob, *, chunk_size: int) -> bool:
    """True if this call ran the job (to done or failed), False if it was not queued."""
    if not _claim(job):
        return False
    job.refresh_from_db()
    final, part = export_file_path(job), _partial_path(job)
    done = {"rows": 0}

    def progress(rows: int) -> None:
        done["rows"] = rows
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows, heartbeat_at=timezone.now())

    chunks = None
    try:
        chunks = _open_stream(job, chunk_size=chunk_size, progress=progress)
        export_root().mkdir(mode=0o700, parents=True, exist_ok=True)
        with _open_private(part) as handle:
            for block in chunks:
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, final)
        size = final.stat().st_size
        keep(final)  # into the bucket, when the uploads are there (several web servers)
        now = timezone.now()
        finished = ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.RUNNING).update(
            status=ExportJobStatus.DONE,
            rows_done=done["rows"],
            rows_total=done["rows"],  # the rows actually written, if the data moved meanwhile
            file_name=export_filename(what=FILE_STEMS[job.what], fmt=job.format),
            file_path=final.name,
            file_size=size,
            finished_at=now,
            heartbeat_at=now,
        )
        if not finished:  # declared dead by fail_stale_export_jobs meanwhile: keep it failed
            delete_kept(final)
    except Exception as exc:
        logger.exception("Background export %s failed", job.pk)
        _close_quietly(chunks)
        part.unlink(missing_ok=True)
        delete_kept(final)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJobStatus.FAILED,
            error=_describe(exc),
            file_path="",
            finished_at=timezone.now(),
        )
    return True


def _open_private(path: Path) -> BinaryIO:
    """Readable by the portal's account only: the file holds drafts or the audit log."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def _open_stream(job: ExportJob, *, chunk_size: int, progress):
    """The same stream (and, when it ends, the same EXPORT audit entry) as the page's export."""
    actor = job.requested_by
    if not (actor.is_active and actor.has_perm(PERMISSIONS[job.what])):
        raise ExportNotAllowed("申请人已没有导出权限,导出未进行。")
    if job.what == ExportSubject.RECORDS:
        queryset, _used = export_queryset(data=QueryDict(job.query_string))
        stream = stream_records
    else:
        queryset, stream = AuditEntry.objects.all(), stream_audit_log
    ExportJob.objects.filter(pk=job.pk).update(rows_total=queryset.count())
    return stream(
        queryset=queryset,
        fmt=job.format,
        actor=actor,
        english=job.english,
        filters=job.filters,
        ip=job.ip,
        chunk_size=chunk_size,
        progress=progress,
    )


def _close_quietly(chunks) -> None:
    """Closing an unfinished stream writes its audit entry (complete: false)."""
    if chunks is None:
        return
    try:
        chunks.close()
    except Exception:
        logger.exception("Closing a failed export stream failed")


def _describe(exc: Exception) -> str:
    if isinstance(exc, ExportFilterError | PermissionDenied):
        return str(exc)
    return (
        f"生成导出文件时出错:{type(exc).__name__}: {exc}。"
        "请重新申请导出;如仍失败,请联系系统管理员。"
    )


def run_queued_export_jobs(*, chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
    """Run every job queued now, oldest first; the number this call ran."""
    queued = ExportJob.objects.filter(status=ExportJobStatus.QUEUED).order_by("created_at", "id")
    ran = 0
    for job in list(queued):
        ran += _run(job, chunk_size=chunk_size)
    return ran


def fail_stale_export_jobs(*, now: datetime.datetime | None = None) -> int:
    """Running jobs without progress for STALE_AFTER: their process died. Fail them, clean up."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    failed = 0
    for job in ExportJob.objects.filter(status=ExportJobStatus.RUNNING, heartbeat_at__lt=cutoff):
        if ExportJob.objects.filter(
            pk=job.pk, status=ExportJobStatus.RUNNING, heartbeat_at__lt=cutoff
        ).update(status=ExportJobStatus.FAILED, error=STALE_MESSAGE, finished_at=now):
            _partial_path(job).unlink(missing_ok=True)
            failed += 1
    return failed


def delete_expired_export_files(*, now: datetime.datetime | None = None) -> int:
    """Delete files finished more than EXPORT_RETENTION_DAYS ago (the job stays, as history),
    and leftovers of ours that no job owns any more (a deleted account, a crashed process)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.EXPORT_RETENTION_DAYS)
    deleted = 0
    expired = ExportJob.objects.filter(status=ExportJobStatus.DONE, finished_at__lt=cutoff)
    for job in expired.exclude(file_path=""):
        delete_kept(export_file_path(job))
        ExportJob.objects.filter(pk=job.pk).update(file_path="")
        deleted += 1
    root = export_root()
    if not root.is_dir():
        return deleted
    kept = set(ExportJob.objects.exclude(file_path="").values_list("file_path", flat=True))
    active = {
        _partial_path(job).name
        for job in ExportJob.objects.filter(status=ExportJobStatus.RUNNING).only("pk", "format")
    }
    for path in root.iterdir():
        if not _OUR_FILE.match(path.name) or path.name in kept or path.name in active:
            continue
        modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
        if modified < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def visible_export_jobs(*, user: Any) -> QuerySet:
    """The jobs a user may look at: their own; a superuser's, everyone's."""
    jobs = ExportJob.objects.select_related("requested_by")
    return jobs if user.is_superuser else jobs.filter(requested_by=user)


def can_access_export_job(*, user: Any, job: ExportJob) -> bool:
    """The requester (or a superuser), while still holding the permission for its kind."""
    return (
        user.is_active
        and (user.is_superuser or job.requested_by_id == user.pk)
        and user.has_perm(PERMISSIONS[job.what])
    )


def recent_export_jobs(*, user: Any, limit: int = 10) -> list[ExportJob]:
    """The user's latest jobs of the kinds they may still export, newest first."""
    kinds = [what for what, perm in PERMISSIONS.items() if user.has_perm(perm)]
    return list(ExportJob.objects.filter(requested_by=user, what__in=kinds)[:limit])


def open_export_file(*, job: ExportJob, user: Any, ip: str | None = None) -> BinaryIO:
    """The finished file, opened for the download; the download is recorded in the audit log.

    Recorded as an EXPORT entry on the job (as the admin records downloads of request
    attachments), so the audit log shows both who generated the file and who took it away.
    """
    if not can_access_export_job(user=user, job=job):
        raise ExportNotAllowed("您无权下载此导出文件。")
    if not job.file_available:
        raise ExportFileGone("导出文件不存在:尚未完成、已失败,或已超过保留期限被删除。")
    try:
        handle = open_kept(export_file_path(job))
    except FileNotFoundError as exc:
        raise ExportFileGone("导出文件已不存在,请重新申请导出。") from exc
    record_event(
        action=AuditAction.EXPORT,
        actor=user,
        obj=job,
        ip=ip,
        details={
            "download": job.file_name,
            "what": job.what,
            "format": job.format,
            "rows": job.rows_done,
            "filters": job.filters,
        },
    )
    return handle


def describe_filters(filters: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, shown value) of the filters a job used, as the export form names them."""
    rows = []
    for name, value in filters.items():
        spec = RecordExportFilter.base_filters.get(name)
        label = str(spec.label) if spec is not None else name
        choices = {str(k): str(v) for k, v in (spec.extra.get("choices") or ())} if spec else {}
        values = value if isinstance(value, list) else [value]
        rows.append((label, "、".join(choices.get(str(v), str(v)) for v in values)))
    return rows
