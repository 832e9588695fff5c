"""A read replica for the public pages (portal/db_router.py), on real server processes.

The replica is a copy of the served database taken before a change made on the primary only,
so it stands for a replica that lags: an anonymous reader is answered from it, while staff (and
a citizen with a session, who has just submitted a request) read the primary and see their own
writes; writes go to the primary."""

from __future__ import annotations

import sqlite3

from tests.deploy.databases import create_postgres_database, drop_postgres_database
from tests.deploy.servers import gunicorn, manage
from tests.deploy.test_two_servers import (
    Browser,
    application_form,
    create_superuser,
    staff_login,
)

SEED_TITLE = "2020年全市教育工作上半年总结和下半年计划"
CHANGED = "主库上刚改的标题"


def copy_database(served_database, root):
    """(url, cleanup) of a copy of the served database as it is now."""
    if served_database.vendor == "sqlite":
        path = root / "replica.sqlite3"
        source, target = sqlite3.connect(served_database.name), sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return f"sqlite:///{path}", lambda: None
    url, name = create_postgres_database("replica")
    raw = served_database.connect()
    try:
        raw.cursor().execute(f'DROP DATABASE "{name}"')
        raw.cursor().execute(f'CREATE DATABASE "{name}" TEMPLATE "{served_database.name}"')
    finally:
        raw.close()
    return url, lambda: drop_postgres_database(name)


def test_anonymous_reads_come_from_the_replica_and_staff_read_their_own_writes(
    served_database, tmp_path
):
    create_superuser(served_database, "replica-editor")
    replica_url, drop = copy_database(served_database, tmp_path)
    try:
        changed = manage(
            "shell",
            "-c",
            "from disclosure.models import DisclosureRecord as R; "
            f"r = R.objects.get(title='{SEED_TITLE}'); print(r.pk); "
            f"R.objects.filter(pk=r.pk).update(title='{CHANGED}')",
            env=served_database.env(),
        )
        assert changed.returncode == 0, changed.stderr
        pk = int(changed.stdout.strip().splitlines()[-1])
        env = served_database.env(
            DATABASE_REPLICA_URL=replica_url, PORTAL_STAFF_2FA="0", EXPORT_JOBS_IN_PROCESS="0"
        )
        with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as (port, _):
            base = f"http://127.0.0.1:{port}"
            status, page, _ = Browser().open(f"{base}/records/{pk}/")
            assert status == 200
            assert SEED_TITLE in page and CHANGED not in page  # the (lagging) replica

            staff = staff_login(base, "replica-editor")
            status, page, _ = staff.open(f"{base}/records/{pk}/")
            assert status == 200 and CHANGED in page  # staff read the primary
            status, page, _ = staff.open(f"{base}/admin/disclosure/disclosurerecord/{pk}/change/")
            assert status == 200 and CHANGED in page

            citizen = Browser()
            status, _, headers = citizen.open(
                f"{base}/requests/apply/", application_form(citizen, base)
            )
            assert status == 302, headers  # written to the primary
            status, page, _ = citizen.open(f"{base}/requests/receipt/")
            assert status == 200 and "申请编号" in page  # their session reads the primary
    finally:
        drop()
