"""The database's own refusal to change the audit log, below the application.

PostgreSQL refuses UPDATE and DELETE of an audit row (migration 0005) and TRUNCATE of the audit
tables (migration 0014). SQLite has no TRUNCATE; the closest is refusing UPDATE (0005) and
DELETE (0014), which also covers its "truncate optimisation" (DELETE without WHERE).

Whoever owns the tables can still drop a trigger: that is what the keyed hash chain and the
anchors kept outside the database (disclosure.audit_verify) are for.
"""

from __future__ import annotations

from typing import Any

AUDIT_TABLES = ("disclosure_auditentry", "disclosure_auditchainhead")

PG_TRUNCATE_TRIGGERS = [
    f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION disclosure_audit_append_only();"""
    for table in AUDIT_TABLES
]
PG_TRUNCATE_TRIGGERS_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};" for table in AUDIT_TABLES
]
SQLITE_NO_UPDATE = """CREATE TRIGGER IF NOT EXISTS disclosure_audit_no_update
BEFORE UPDATE ON disclosure_auditentry
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加,不能修改。');
END;"""
SQLITE_NO_DELETE = """CREATE TRIGGER IF NOT EXISTS disclosure_audit_no_delete
BEFORE DELETE ON disclosure_auditentry
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加,不能删除。');
END;"""
SQLITE_NO_DELETE_DROP = "DROP TRIGGER IF EXISTS disclosure_audit_no_delete;"


def add_guards(connection: Any) -> None:
    """Create the TRUNCATE (PostgreSQL) or DELETE (SQLite) guards; idempotent."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for drop, create in zip(PG_TRUNCATE_TRIGGERS_DROP, PG_TRUNCATE_TRIGGERS, strict=True):
                cursor.execute(drop)
                cursor.execute(create)
        elif connection.vendor == "sqlite":
            # A table rebuilt by a SQLite migration loses its triggers: restore 0005's too.
            cursor.execute(SQLITE_NO_UPDATE)
            cursor.execute(SQLITE_NO_DELETE)


def drop_guards(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for drop in PG_TRUNCATE_TRIGGERS_DROP:
                cursor.execute(drop)
        elif connection.vendor == "sqlite":
            cursor.execute(SQLITE_NO_DELETE_DROP)


def lift_for_test_flush(connection: Any) -> None:
    """Tests only: Django's flush after a transactional test empties every table (TRUNCATE on
    PostgreSQL, DELETE on SQLite); the guards are lifted for that flush and restored after."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_truncate")
        elif connection.vendor == "sqlite":
            cursor.execute(SQLITE_NO_DELETE_DROP)


def restore_after_test_flush(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_truncate")
        elif connection.vendor == "sqlite":
            cursor.execute(SQLITE_NO_DELETE)
