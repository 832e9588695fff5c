"""Whether PostgreSQL's COPY can be used on a connection: the one test both bulk paths share.

The records CSV (`exchange.csv_by_copy`) and the import (`exchange.importing.writes`) stream
through psycopg2's `copy_expert`; on SQLite, or on PostgreSQL through psycopg 3 (which Django
prefers when both are installed), they fall back to their Python and ORM paths.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def copy_available(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"
