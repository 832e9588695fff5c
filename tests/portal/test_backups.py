"""The restore drill: back up a database with records, requests, plans, audit entries and
attachments; restore it into a new database and media root; the counts, the attachments'
checksums and the audit chain must all hold (and a damaged backup is refused)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from applications.models import InformationRequest
from applications.services import submit_online_request
from disclosure.audit import record_event
from disclosure.models import Attachment, AuditAction, AuditChainHead, AuditEntry
from tests.deploy.databases import drop_postgres_database
from tests.factories import applicant_fields, make_organization, make_published_record, tiny_pdf

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
MODELS = [
    "disclosure.disclosurerecord",
    "applications.informationrequest",
    "plans.planitem",
    "disclosure.auditentry",
    "disclosure.attachment",
    "auth.user",
]


@pytest.fixture
def new_database(tmp_path):
    """(url, connect) of a database that does not exist yet; dropped after the test."""
    if connection.vendor == "postgresql":
        base = os.environ["DATABASE_URL"]
        params = dj_database_url.parse(base)
        name = f"test_{params['NAME']}_restore_{uuid.uuid4().hex[:8]}"
        url = base.rsplit("/", 1)[0] + "/" + name

        def connect():
            import psycopg2

            return psycopg2.connect(
                dbname=name, user=params["USER"], host=params["HOST"], port=params["PORT"]
            )

        yield url, connect, lambda: _postgres_exists(name)
        drop_postgres_database(name)
    else:
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path), path.exists


def _postgres_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def table_count(raw, label: str) -> int:
    table = apps.get_model(label)._meta.db_table
    cursor = raw.cursor()
    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
    return cursor.fetchone()[0]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def portal_data(seed_data):
    """The seed record and its plan, more records, an application with its scan, attachments."""
    record = make_published_record(title="关于2021年招生工作的通知")
    files = {}
    for n in range(3):
        data = b"%PDF-1.4\n" + os.urandom(20_000 + n)
        attachment = Attachment.objects.create(
            record=record,
            title=f"附件{n}",
            original_name=f"附件{n}.pdf",
            file=ContentFile(data, name="stored.pdf"),
            size=len(data),
            content_type="application/pdf",
        )
        files[attachment.file.name] = sha(data)
    scan = tiny_pdf(30_000)
    submitted = submit_online_request(
        organization=make_organization(),
        fields=applicant_fields(),
        attachment=SimpleUploadedFile("身份证.pdf", scan, content_type="application/pdf"),
        ip="203.0.113.5",
    )
    files[submitted.attachment.name] = sha(scan)
    for action in (AuditAction.EDIT, AuditAction.PUBLISH, AuditAction.EXPORT):
        record_event(action=action, obj=record, reason="演练", ip="203.0.113.5")
    assert InformationRequest.objects.count() == 1 and AuditEntry.objects.count() == 4
    return files


def run_manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_restore_drill(portal_data, new_database, tmp_path, settings, capsys):
    url, connect, _ = new_database
    originals = {label: apps.get_model(label).objects.count() for label in MODELS}
    head = AuditChainHead.objects.get(pk=1).last_hash

    call_command("backup", "--output", str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert {k: manifest["counts"][k] for k in MODELS} == originals
    assert manifest["audit_chain_head"] == head
    assert manifest["media_files"] == portal_data
    for name, digest in manifest["files"].items():
        assert sha((backup / name).read_bytes()) == digest

    media, exports = tmp_path / "restored-media", tmp_path / "restored-exports"
    capsys.readouterr()
    call_command(
        "restore",
        str(backup),
        "--database-url",
        url,
        "--media-root",
        str(media),
        "--export-root",
        str(exports),
    )
    output = capsys.readouterr().out
    assert "恢复完成" in output and "审计日志完整" in output

    raw = connect()
    try:
        assert {label: table_count(raw, label) for label in MODELS} == originals
    finally:
        raw.close()
    restored = {
        p.relative_to(media).as_posix(): sha(p.read_bytes())
        for p in media.rglob("*")
        if p.is_file()
    }
    assert restored == portal_data

    verified = run_manage("verify_audit_log", database_url=url)
    assert verified.returncode == 0, verified.stderr
    assert f"{originals['disclosure.auditentry']} 条记录" in verified.stdout

    # the check bites: a chain head rewound in the restored database no longer verifies
    raw = connect()
    try:
        cursor = raw.cursor()
        table = AuditChainHead._meta.db_table
        zeros = "0" * 64
        cursor.execute(f"UPDATE \"{table}\" SET last_hash = '{zeros}'")  # noqa: S608
        raw.commit()
    finally:
        raw.close()
    assert run_manage("verify_audit_log", database_url=url).returncode != 0


def test_a_damaged_backup_is_refused_and_nothing_is_created(portal_data, new_database, tmp_path):
    url, _, exists = new_database
    call_command("backup", "--output", str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    archive = backup / "media.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    media = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="media.tar.gz does not match its checksum"):
        call_command(
            "restore",
            str(backup),
            "--database-url",
            url,
            "--media-root",
            str(media),
            "--export-root",
            str(tmp_path / "restored-exports"),
        )
    assert not exists() and not media.exists()


def test_restore_refuses_a_media_root_in_use(portal_data, new_database, tmp_path):
    url, _, exists = new_database
    call_command("backup", "--output", str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    live = tmp_path / "live-media"
    live.mkdir()
    (live / "keep.pdf").write_bytes(b"live file")
    with pytest.raises(CommandError, match="is not empty"):
        call_command(
            "restore",
            str(backup),
            "--database-url",
            url,
            "--media-root",
            str(live),
            "--export-root",
            str(tmp_path / "restored-exports"),
        )
    assert (live / "keep.pdf").read_bytes() == b"live file" and not exists()


def test_backup_keeps_only_the_newest(tmp_path):
    for _ in range(3):
        call_command("backup", "--output", str(tmp_path), "--keep", "2")
    assert len([p for p in tmp_path.iterdir() if (p / "manifest.json").exists()]) == 2
