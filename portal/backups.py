"""Backups of the whole portal, and restoring one into a new database and media root.

A backup is a directory holding the database (PostgreSQL: `pg_dump` custom format; SQLite: a
copy made with SQLite's online backup API), `media.tar.gz` (attachments, applicants' files),
`exports.tar.gz` (background export files) and `manifest.json`: the row count of every table,
the audit chain's head and the SHA-256 of every file, in and outside the archives. On
PostgreSQL the counts and the dump read one snapshot (`pg_export_snapshot`), so they agree
with each other whatever is written meanwhile.

A restore checks every checksum before it touches anything, restores into a database and a
media root that must be new, then compares the counts, the head and the files with the
manifest and verifies the audit chain (`verify_audit_log` run against the new database). If
any step fails, what it created is removed again.

Models are found through django.apps, never imported, so the backup follows the apps as they
move and grow.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

MANIFEST = "manifest.json"
FORMAT = 1
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
ARCHIVES = {"media": "media.tar.gz", "exports": "exports.tar.gz"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what to do."""


@dataclass
class RestoreReport:
    directory: Path
    counts: dict[str, int]
    files: int
    audit_output: str = ""
    problems: list[str] = field(default_factory=list)


def counted_tables() -> dict[str, str]:
    """Model label → table, for every concrete table the project's apps own."""
    tables: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            tables.setdefault(meta.label_lower, meta.db_table)
    return dict(sorted(tables.items()))


def _audit_head_table() -> str:
    return apps.get_model("disclosure", "AuditChainHead")._meta.db_table


def read_counts(cursor: Any, quote: Any) -> dict[str, int]:
    counts = {}
    for label, table in counted_tables().items():
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (model tables)
        counts[label] = cursor.fetchone()[0]
    return counts


def read_audit_head(cursor: Any, quote: Any) -> str:
    cursor.execute(f"SELECT last_hash FROM {quote(_audit_head_table())}")  # noqa: S608
    row = cursor.fetchone()
    return row[0] if row else ""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree_digests(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _archive(root: Path, target: Path) -> dict[str, str]:
    digests = _tree_digests(root)
    with tarfile.open(target, "w:gz") as archive:
        for name in digests:
            archive.add(root / name, arcname=name, recursive=False)
    return digests


def postgres_binary(name: str, server_version: int | None = None) -> str:
    """pg_dump/pg_restore of the server's major version: PG_BIN_DIR, Debian's versioned
    directory, or PATH."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    if server_version:
        candidates.append(Path(f"/usr/lib/postgresql/{server_version // 10000}/bin") / name)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install postgresql-client or set PG_BIN_DIR.")
    return found


def _postgres_args(params: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])  # never on the command line
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def create_backup(*, output: Path, using: str = DEFAULT_DB_ALIAS) -> Path:
    """Write one backup directory under `output` and return it."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("a backup must run outside a transaction")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    directory = Path(output) / f"portal-{stamp}"
    directory.mkdir(parents=True)
    try:
        if connection.vendor == "postgresql":
            counts, head = _dump_postgres(connection, directory / PG_DUMP)
            database_file = PG_DUMP
        elif connection.vendor == "sqlite":
            counts, head = _copy_sqlite(connection, directory / SQLITE_COPY)
            database_file = SQLITE_COPY
        else:
            raise BackupError(f"no backup for the {connection.vendor} database")
        trees = {
            "media": _archive(Path(settings.MEDIA_ROOT), directory / ARCHIVES["media"]),
            "exports": _archive(Path(settings.EXPORT_ROOT), directory / ARCHIVES["exports"]),
        }
        files = [database_file, *ARCHIVES.values()]
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "vendor": connection.vendor,
            "database_file": database_file,
            "counts": counts,
            "audit_chain_head": head,
            "files": {name: sha256_of(directory / name) for name in files},
            "media_files": trees["media"],
            "export_files": trees["exports"],
        }
        (directory / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return directory


def _dump_postgres(connection: Any, target: Path) -> tuple[dict[str, int], str]:
    params = connection.settings_dict
    args, env = _postgres_args(params)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = read_counts(cursor, connection.ops.quote_name)
        head = read_audit_head(cursor, connection.ops.quote_name)
        pg_dump = postgres_binary("pg_dump", connection.pg_version)
        _run(
            [
                pg_dump,
                *args,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                "--dbname",
                params["NAME"],
            ],
            env,
        )
    return counts, head


def _copy_sqlite(connection: Any, target: Path) -> tuple[dict[str, int], str]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return read_counts(cursor, _quote), read_audit_head(cursor, _quote)
    finally:
        copy.close()


def prune_backups(*, output: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `output`; the deleted ones."""
    backups = sorted(p for p in Path(output).glob("portal-*") if (p / MANIFEST).exists())
    doomed = backups[:-keep] if keep > 0 else []
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest, after checking every file of the backup against it."""
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} is not a backup: {MANIFEST} is missing")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    for name, expected in manifest["files"].items():
        file = Path(directory) / name
        if not file.exists():
            raise BackupError(f"{name} is missing from the backup")
        if sha256_of(file) != expected:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def _must_be_empty(path: Path, what: str) -> None:
    if path.exists() and any(path.iterdir()):
        raise BackupError(f"the {what} {path} is not empty: restore into a new one")


def restore_backup(
    *, source: Path, database_url: str, media_root: Path, exports_root: Path
) -> RestoreReport:
    manifest = read_manifest(source)
    params = dj_database_url.parse(database_url)
    vendor = "postgresql" if "postgresql" in params["ENGINE"] else "sqlite"
    if vendor != manifest["vendor"]:
        raise BackupError(f"this is a {manifest['vendor']} backup; it cannot go into {vendor}")
    media_root, exports_root = Path(media_root), Path(exports_root)
    _must_be_empty(media_root, "media root")
    _must_be_empty(exports_root, "export root")
    created: list[Path] = [p for p in (media_root, exports_root) if not p.exists()]
    database_created = False
    try:
        if vendor == "postgresql":
            _create_postgres_database(params)
            database_created = True
            args, env = _postgres_args(params)
            pg_restore = postgres_binary("pg_restore", _server_version(params))
            _run(
                [
                    pg_restore,
                    *args,
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                    params["NAME"],
                    str(source / PG_DUMP),
                ],
                env,
            )
        else:
            target = Path(params["NAME"])
            if target.exists():
                raise BackupError(f"{target} exists: restore into a new database file")
            target.parent.mkdir(parents=True, exist_ok=True)
            database_created = True
            backup = sqlite3.connect(source / SQLITE_COPY)
            copy = sqlite3.connect(target)
            try:
                backup.backup(copy)
            finally:
                copy.close()
                backup.close()
        for key, root in (("media", media_root), ("exports", exports_root)):
            root.mkdir(parents=True, exist_ok=True)
            with tarfile.open(source / ARCHIVES[key]) as archive:
                archive.extractall(root, filter="data")
        report = _check(manifest, params, vendor, media_root, exports_root, source)
        if report.problems:
            raise BackupError(
                "the restore does not match the backup: " + "; ".join(report.problems)
            )
        report.audit_output = _verify_audit_chain(database_url, media_root, exports_root)
        return report
    except BaseException:
        if database_created:
            _drop_database(params, vendor)
        for path in created:
            shutil.rmtree(path, ignore_errors=True)
        raise


def _connect(params: Mapping[str, Any], vendor: str, dbname: str | None = None):
    if vendor == "sqlite":
        return sqlite3.connect(params["NAME"])
    import psycopg2

    connection = psycopg2.connect(
        dbname=dbname or params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
    )
    connection.autocommit = True
    return connection


def _server_version(params: Mapping[str, Any]) -> int:
    connection = _connect(params, "postgresql", "postgres")
    try:
        return connection.server_version
    finally:
        connection.close()


def _create_postgres_database(params: Mapping[str, Any]) -> None:
    connection = _connect(params, "postgresql", "postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            if cursor.fetchone():
                raise BackupError(f"database {params['NAME']} exists: restore into a new one")
            cursor.execute(f"CREATE DATABASE {_quote(params['NAME'])}")
    finally:
        connection.close()


def _drop_database(params: Mapping[str, Any], vendor: str) -> None:
    if vendor == "sqlite":
        Path(params["NAME"]).unlink(missing_ok=True)
        return
    connection = _connect(params, "postgresql", "postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(params['NAME'])}")
    finally:
        connection.close()


def _check(
    manifest: dict[str, Any],
    params: Mapping[str, Any],
    vendor: str,
    media_root: Path,
    exports_root: Path,
    source: Path,
) -> RestoreReport:
    connection = _connect(params, vendor)
    try:
        cursor = connection.cursor()
        counts = read_counts(cursor, _quote)
        head = read_audit_head(cursor, _quote)
    finally:
        connection.close()
    problems = [
        f"{label}: {counts.get(label)} rows, the backup had {expected}"
        for label, expected in manifest["counts"].items()
        if counts.get(label) != expected
    ]
    if head != manifest["audit_chain_head"]:
        problems.append("the audit chain's head differs from the backup's")
    for key, root in (("media_files", media_root), ("export_files", exports_root)):
        if _tree_digests(root) != manifest[key]:
            problems.append(f"the restored files of {root} differ from the backup's")
    files = len(manifest["media_files"]) + len(manifest["export_files"])
    return RestoreReport(directory=source, counts=counts, files=files, problems=problems)


def _verify_audit_chain(database_url: str, media_root: Path, exports_root: Path) -> str:
    """verify_audit_log (disclosure.audit) run as the restored site would run it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "EXPORT_ROOT": str(exports_root),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings"),
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "verify_audit_log"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"the restored audit log does not verify: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
