from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from disclosure.audit import record_event
from disclosure.models import AuditEntry, DisclosureRecord
from exchange.export_jobs import export_file_path, run_export_job
from exchange.exports import stream_audit_log, stream_records
from exchange.models import ExportJob, ExportJobStatus
from tests.factories import make_published_record, make_record, make_user

PAGE = "/admin/disclosure/recorddataexchange/"
EXPORT_URL = PAGE + "export/"
AUDIT_URL = PAGE + "audit-log/"


def staff(username: str = "auditor", *codenames: str):
    user = make_user(username=username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=codenames or ("export_records",))
    )
    return user


def job_url(job: ExportJob, suffix: str = "") -> str:
    return f"{PAGE}jobs/{job.pk}/{suffix}"


@pytest.fixture
def small_threshold(settings):
    settings.EXPORT_STREAM_MAX_ROWS = 2
    settings.EXPORT_JOBS_IN_PROCESS = False  # the tests run the job themselves


@pytest.mark.django_db
def test_an_export_over_the_threshold_becomes_a_job_with_a_progress_page(client, small_threshold):
    for n in range(3):
        make_published_record(title=f"已发布{n}")
    make_record(title="草稿")
    client.force_login(staff())

    response = client.get(EXPORT_URL, {"format": "csv", "status": "published"}, follow=True)

    job = ExportJob.objects.get()
    assert response.redirect_chain[-1][0] == job_url(job)
    page = response.content.decode()
    assert "已转为后台生成" in page and "排队中" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "状态:已发布" in page  # the filters used
    assert job.query_string == "status=published" and job.filters == {"status": ["published"]}
    assert not AuditEntry.objects.filter(action="export").exists()  # nothing exported yet

    run_export_job(job=job)
    page = client.get(job_url(job)).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert '<progress id="export-progress" max="3" value="3"' in page
    assert "已导出 3 / 3 行 (100%)" in page
    assert f'href="{job_url(job, "download/")}"' in page

    download = client.get(job_url(job, "download/"))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="records-')
    assert "no-store" in download["Cache-Control"]
    body = b"".join(download.streaming_content)
    published = DisclosureRecord.objects.filter(status="published")
    assert body == b"".join(stream_records(queryset=published, fmt="csv"))
    taken = AuditEntry.objects.get(action="export", object_id=str(job.pk))
    assert taken.actor_name == "auditor" and taken.details["download"] == job.file_name


@pytest.mark.django_db
def test_a_running_job_shows_its_progress_and_refreshes(client, small_threshold):
    user = staff()
    client.force_login(user)
    client.get(EXPORT_URL, {"format": "jsonl", "background": "on"})
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.RUNNING,
        started_at=job.created_at,
        heartbeat_at=job.created_at,
        rows_total=200000,
        rows_done=50000,
    )
    page = client.get(job_url(job)).content.decode()
    assert "已导出 50000 / 200000 行 (25%)" in page
    assert 'value="50000"' in page and 'max="200000"' in page
    assert '<label for="export-progress">进度</label>' in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "?refresh=off" in page  # the refresh can be turned off (WCAG 2.2.1)
    calm = client.get(job_url(job), {"refresh": "off"}).content.decode()
    assert 'http-equiv="refresh"' not in calm and "已导出 50000 / 200000 行 (25%)" in calm
    assert "恢复自动刷新" in calm
    assert client.get(job_url(job, "download/")).status_code == 404


@pytest.mark.django_db
def test_asking_for_the_background_runs_even_a_small_export_as_a_job(client, settings):
    settings.EXPORT_JOBS_IN_PROCESS = False
    make_published_record(title="一条")
    client.force_login(staff())
    response = client.get(EXPORT_URL, {"format": "xlsx", "background": "on", "english": "on"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert job.format == "xlsx" and job.english and job.status == ExportJobStatus.QUEUED


@pytest.mark.django_db
def test_small_exports_still_stream_at_once(client):
    make_published_record(title="一条")
    client.force_login(staff())
    response = client.get(EXPORT_URL, {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_bad_filters_over_the_threshold_show_the_error_and_create_no_job(client, small_threshold):
    for n in range(3):
        make_record(title=f"草稿{n}")
    client.force_login(staff())
    response = client.get(EXPORT_URL, {"format": "csv", "issued_from": "2020-02-30"})
    assert response.status_code == 200 and "筛选条件无效" in response.content.decode()
    response = client.get(EXPORT_URL, {"format": "csv", "background": "on", "year": "1000"})
    assert "筛选条件无效" in response.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_large_audit_log_export_becomes_a_job(client, small_threshold):
    for n in range(3):
        record_event(action="other", reason=f"第{n}条")
    user = staff("log_auditor", "export_audit_log")
    client.force_login(user)
    response = client.get(AUDIT_URL, {"format": "csv"})
    job = ExportJob.objects.get()
    assert response["Location"] == job_url(job) and job.what == "audit_log"
    rows = AuditEntry.objects.count()
    run_export_job(job=job)
    page = client.get(job_url(job)).content.decode()
    assert f"已导出 {rows} / {rows} 行 (100%)" in page and "审计日志导出" in page
    body = b"".join(client.get(job_url(job, "download/")).streaming_content)
    streamed = b"".join(stream_audit_log(fmt="csv")).decode("utf-8-sig")
    assert streamed.startswith(body.decode("utf-8-sig"))


@pytest.mark.django_db
def test_someone_elses_job_is_not_found_and_a_lost_permission_is_refused(client, small_threshold):
    make_record(title="草稿")
    owner = staff()
    client.force_login(owner)
    client.get(EXPORT_URL, {"format": "csv", "background": "on"})
    job = run_export_job(job=ExportJob.objects.get())

    client.force_login(staff("other_auditor"))
    assert client.get(job_url(job)).status_code == 404
    assert client.get(job_url(job, "download/")).status_code == 404
    assert job.file_name not in client.get(PAGE).content.decode()

    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(root)
    assert client.get(job_url(job)).status_code == 200

    owner.user_permissions.clear()
    owner = get_user_model().objects.get(pk=owner.pk)
    client.force_login(owner)
    assert client.get(job_url(job)).status_code == 403
    assert client.get(job_url(job, "download/")).status_code == 403
    downloads = AuditEntry.objects.filter(action="export", object_id=str(job.pk))
    assert not downloads.exists()

    client.logout()
    response = client.get(job_url(job, "download/"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_job_files_are_private_and_unreachable_from_the_public_site(client, small_threshold):
    from portal import settings as configured

    export_root = Path(configured.EXPORT_ROOT).resolve()
    for public in (configured.MEDIA_ROOT, configured.STATIC_ROOT, configured.BASE_DIR / "static"):
        assert not export_root.is_relative_to(Path(public).resolve())
    make_record(title="草稿")
    client.force_login(staff())
    client.get(EXPORT_URL, {"format": "csv", "background": "on"})
    job = run_export_job(job=ExportJob.objects.get())
    assert export_file_path(job).stat().st_mode & 0o077 == 0  # owner-only on disk
    client.logout()
    for url in (f"/media/{job.file_path}", f"/static/{job.file_path}", f"/exports/{job.file_path}"):
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_data_exchange_page_lists_my_recent_jobs_only(client, small_threshold):
    make_record(title="草稿")
    me, colleague = staff(), staff("colleague")
    client.force_login(colleague)
    client.get(EXPORT_URL, {"format": "jsonl", "background": "on"})
    client.force_login(me)
    client.get(EXPORT_URL, {"format": "csv", "background": "on"})
    mine = run_export_job(job=ExportJob.objects.get(requested_by=me))
    client.get(EXPORT_URL, {"format": "xlsx", "background": "on"})
    failed = ExportJob.objects.get(requested_by=me, format="xlsx")
    ExportJob.objects.filter(pk=failed.pk).update(
        status=ExportJobStatus.FAILED, error="生成导出文件时出错", finished_at=failed.created_at
    )

    page = client.get(PAGE).content.decode()
    assert "我的后台导出" in page and "后台生成(大批量时推荐)" in page
    assert f"查看导出 #{mine.pk}" in page and f"下载 {mine.file_name}" in page
    assert f"查看导出 #{failed.pk}" in page and "失败" in page
    theirs = ExportJob.objects.get(requested_by=colleague)
    assert f"查看导出 #{theirs.pk}" not in page
    failed_page = client.get(job_url(failed)).content.decode()
    assert "导出失败:生成导出文件时出错" in failed_page
    assert 'http-equiv="refresh"' not in failed_page
