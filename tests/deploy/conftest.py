"""A real database that server processes (gunicorn, the export worker) can open.

pytest-django's test database is in memory on SQLite and inside the test's transaction on
PostgreSQL, which no other process can see. `served_database` is a file SQLite database, or a
PostgreSQL database created under a unique name on the server of DATABASE_URL, migrated and
loaded with the seed data by manage.py as an operator would, and dropped at the end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest

from tests.deploy.databases import create_postgres_database, drop_postgres_database, on_postgres
from tests.deploy.servers import manage, server_env


@dataclasses.dataclass
class ServedDatabase:
    url: str
    vendor: str
    name: str
    root: Path

    def env(self, **values: str) -> dict[str, str]:
        return server_env(
            DATABASE_URL=self.url,
            MEDIA_ROOT=str(self.root / "media"),
            STATIC_ROOT=str(self.root / "static"),
            EXPORT_ROOT=str(self.root / "exports"),
            PORTAL_VAR_DIR=str(self.root / "var"),
            **values,
        )

    def connect(self):
        """A DB-API connection of the test's own (to read what the servers wrote)."""
        if self.vendor == "sqlite":
            import sqlite3

            return sqlite3.connect(self.name)
        import psycopg2

        params = dj_database_url.parse(self.url)
        connection = psycopg2.connect(
            dbname=self.name,
            user=params["USER"],
            password=params["PASSWORD"],
            host=params["HOST"],
            port=params["PORT"] or 5432,
        )
        connection.autocommit = True
        return connection


@pytest.fixture(scope="session")
def served_database(tmp_path_factory) -> Iterator[ServedDatabase]:
    root = tmp_path_factory.mktemp("served")
    if on_postgres():
        url, name = create_postgres_database("srv")
        database = ServedDatabase(url=url, vendor="postgresql", name=name, root=root)
    else:
        path = root / "db.sqlite3"
        database = ServedDatabase(
            url=f"sqlite:///{path}", vendor="sqlite", name=str(path), root=root
        )
    try:
        env = database.env()
        for command in (
            ["migrate", "--noinput"],
            ["loaddata", "vocabulary", "seed_record"],
            ["collectstatic", "--noinput"],
        ):
            done = manage(*command, env=env)
            assert done.returncode == 0, done.stderr
        yield database
    finally:
        if database.vendor == "postgresql":
            drop_postgres_database(database.name)
