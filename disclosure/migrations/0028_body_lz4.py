"""PostgreSQL: record bodies are compressed with LZ4 instead of pglz (issue 15: the import's speed).

A body is a few kilobytes of HTML, compressed inline by PostgreSQL on every write. Measured on
20,000 bodies of the import benchmark (COPY into a table without indexes): pglz 1.04-1.09 s,
lz4 0.59-0.63 s, the stored size within 2% (1,190 and 1,205 bytes on average); LZ4 also
decompresses several times faster, which every record page and revision read does. A body is
copied into its revisions as it is stored, so the history table takes the same method.

Only values written from now on are compressed this way; older ones stay readable as they are.
A server built without LZ4 (`--with-lz4`) keeps pglz: the migration then changes nothing.
SQLite stores text uncompressed; nothing to do there.
"""

from django.db import migrations

COLUMNS = [
    ("disclosure_disclosurerecord", "body"),
    ("disclosure_historicaldisclosurerecord", "body"),
]


def compression(method: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in COLUMNS:
            schema_editor.execute(
                "DO $$ BEGIN "
                f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}; "
                "EXCEPTION WHEN feature_not_supported THEN NULL; END $$"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0027_revision_indexes")]

    operations = [migrations.RunPython(compression("lz4"), compression("pglz"))]
