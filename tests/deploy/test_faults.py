"""Faults a production site survives, on real server processes: database connections killed
under load, and an export worker killed in the middle of a job."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.apps import apps

from tests.deploy.databases import postgres_admin
from tests.deploy.servers import REPO, gunicorn, manage


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def kill_connections(database_name: str) -> int:
    """pg_terminate_backend on the connections to this test's own database, and no other."""
    admin = postgres_admin(os.environ["DATABASE_URL"])
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [database_name],
            )
            return cursor.fetchone()[0]
    finally:
        admin.close()


@pytest.mark.postgres
def test_killed_database_connections_fail_at_most_the_requests_in_flight(served_database, tmp_path):
    # every request must reach the database: the page cache would answer these from Redis
    env = {**served_database.env(), "PAGE_CACHE_ENABLED": "0"}
    with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as (port, _):
        base = f"http://127.0.0.1:{port}"
        for _ in range(10):  # each worker now holds a persistent connection (CONN_MAX_AGE)
            assert status_of(base + "/records/") == 200

        statuses: list[int] = []
        threads = 3
        done = threading.Event()

        def load() -> None:
            # until the kills are done (fast pages would otherwise finish before the first)
            for n in range(2000):
                if done.is_set():
                    return
                statuses.append(status_of(base + ("/records/" if n % 2 else "/")))

        workers = [threading.Thread(target=load) for _ in range(threads)]
        for worker in workers:
            worker.start()
        kills = 0
        for _ in range(2):
            time.sleep(0.5)
            kill_connections(served_database.name)
            kills += 1
        time.sleep(0.5)
        done.set()
        for worker in workers:
            worker.join(120)
        failed = [s for s in statuses if s != 200]
        assert len(statuses) > 40
        assert len(failed) <= threads * kills, failed  # only requests in flight at a kill

        # idle workers whose connections were killed: not one request fails after
        for _ in range(10):
            assert status_of(base + "/records/") == 200
        assert kill_connections(served_database.name) >= 1
        assert [status_of(base + "/records/") for _ in range(12)] == [200] * 12


QUEUE_JOB = """
from django.contrib.auth import get_user_model
try:
    from exchange.export_jobs import request_export
except ImportError:
    from exchange.export_jobs import request_export
user = get_user_model().objects.create_superuser("export-fault-{tag}", "", "x")
print(request_export(user=user, what="records", fmt="csv").pk)
"""


def test_an_export_worker_killed_mid_job_leaves_it_failed_and_no_file(served_database, tmp_path):
    """The worker is held while opening its file (a FIFO nobody reads stands at the job's
    .part path), killed with SIGKILL, and the next worker pass after ten minutes without
    progress marks the job failed and removes the partial file."""
    env = served_database.env(EXPORT_JOBS_IN_PROCESS="0")
    queued = manage("shell", "-c", QUEUE_JOB.format(tag=os.getpid()), env=env)
    assert queued.returncode == 0, queued.stderr
    job_id = int(queued.stdout.strip().splitlines()[-1])
    export_root = served_database.root / "exports"
    export_root.mkdir(mode=0o700, exist_ok=True)
    part = export_root / f"job-{job_id}.csv.part"
    os.mkfifo(part)

    worker = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "run_export_jobs", "--loop", "--interval", "1"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    job_model = next(m for m in apps.get_models() if m.__name__ == "ExportJob")
    table = job_model._meta.db_table
    raw = served_database.connect()
    try:
        deadline = time.monotonic() + 60
        while job_status(raw, table, job_id) != "running":
            assert time.monotonic() < deadline, "the worker never took the job"
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert job_status(raw, table, job_id) == "running"  # the dead worker left it so

        eleven_minutes_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=11)
        if served_database.vendor == "sqlite":
            value = eleven_minutes_ago.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
            mark = "?"
        else:
            value, mark = eleven_minutes_ago, "%s"
        cursor = raw.cursor()
        cursor.execute(
            f'UPDATE "{table}" SET heartbeat_at = {mark} WHERE id = {mark}',  # noqa: S608
            [value, job_id],
        )
        raw.commit()

        swept = manage("run_export_jobs", env=env)
        assert swept.returncode == 0, swept.stderr
        assert "中断标记失败 1 个" in swept.stdout
        assert job_status(raw, table, job_id) == "failed"
        cursor = raw.cursor()
        cursor.execute(f'SELECT error, file_path FROM "{table}" WHERE id = {mark}', [job_id])  # noqa: S608
        error, file_path = cursor.fetchone()
        assert "请重新申请导出" in error and not file_path
    finally:
        raw.close()
        if worker.poll() is None:
            worker.kill()
    assert not part.exists() and not (export_root / f"job-{job_id}.csv").exists()


def job_status(raw, table: str, job_id: int) -> str:
    cursor = raw.cursor()
    cursor.execute(f'SELECT status FROM "{table}" WHERE id = {int(job_id)}')  # noqa: S608
    return cursor.fetchone()[0]
