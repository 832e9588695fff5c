"""PostgreSQL databases a test creates under unique names on DATABASE_URL's server and drops."""

from __future__ import annotations

import os
import uuid

import dj_database_url


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))


def postgres_admin(url: str):
    import psycopg2

    params = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
    )
    connection.autocommit = True
    return connection


def create_postgres_database(prefix: str) -> tuple[str, str]:
    """A new, empty database on DATABASE_URL's server: (url, name)."""
    base = os.environ["DATABASE_URL"]
    params = dj_database_url.parse(base)
    name = f"test_{params['NAME']}_{prefix}_{uuid.uuid4().hex[:8]}"[:63]
    admin = postgres_admin(base)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return base.rsplit("/", 1)[0] + "/" + name, name


def drop_postgres_database(name: str) -> None:
    """Drop one database this test run created (its own connections only: by its name)."""
    admin = postgres_admin(os.environ["DATABASE_URL"])
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        admin.close()
