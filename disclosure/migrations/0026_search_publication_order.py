"""SQLite: the full-text index's rowids in publication order (issue 12).

FTS5 returns matches in rowid order and can walk them backwards, stopping after a page:
`ORDER BY rowid DESC LIMIT 20` over the newest records first. The rowid was the record id,
which is not publication order, so a common term materialized and sorted every match. Now
the rowid is (published_at in epoch seconds) << 31 | record id: newest publication first,
the record id in its low 31 bits (search.models.FTS_ID_MASK). The entry keeps the rowid it
was indexed under (`fts_rowid`, a column of SQLite's table only), so removing an entry
always removes what was inserted even if the record's publication time changed since.
PostgreSQL (GIN) is unchanged.
"""

from django.db import migrations

FTS = "disclosure_search_fts"
ENTRY = "disclosure_searchentry"
KEY = (
    "COALESCE((SELECT (CAST(strftime('%s', r.published_at) AS INTEGER) << 31) | r.id"
    " FROM disclosure_disclosurerecord r WHERE r.id = {id}), {id})"
)
TRIGGERS = [
    f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON {ENTRY} BEGIN
        UPDATE {ENTRY} SET fts_rowid = {KEY.format(id="new.record_id")}
        WHERE record_id = new.record_id;
        INSERT INTO {FTS}(rowid, title_terms, terms)
        SELECT fts_rowid, title_terms, terms FROM {ENTRY} WHERE record_id = new.record_id; END""",
    f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON {ENTRY} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_terms, terms)
        VALUES ('delete', old.fts_rowid, old.title_terms, old.terms); END""",
    f"""CREATE TRIGGER {FTS}_au AFTER UPDATE OF title_terms, terms ON {ENTRY} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_terms, terms)
        VALUES ('delete', old.fts_rowid, old.title_terms, old.terms);
        INSERT INTO {FTS}(rowid, title_terms, terms)
        VALUES (new.fts_rowid, new.title_terms, new.terms); END""",
]
DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]
FORWARD = [
    *DROP,
    f"ALTER TABLE {ENTRY} ADD COLUMN fts_rowid INTEGER",
    f"UPDATE {ENTRY} SET fts_rowid = {KEY.format(id='record_id')}",
    f"CREATE UNIQUE INDEX {ENTRY}_fts_rowid ON {ENTRY} (fts_rowid)",
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        title_terms, terms, content='{ENTRY}', content_rowid='fts_rowid',
        tokenize='unicode61 remove_diacritics 0')""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
    *TRIGGERS,
]
BACKWARD = [
    *DROP,
    f"DROP INDEX IF EXISTS {ENTRY}_fts_rowid",
    f"ALTER TABLE {ENTRY} DROP COLUMN fts_rowid",
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        title_terms, terms, content='{ENTRY}', content_rowid='record_id',
        tokenize='unicode61 remove_diacritics 0')""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
    f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON {ENTRY} BEGIN
        INSERT INTO {FTS}(rowid, title_terms, terms)
        VALUES (new.record_id, new.title_terms, new.terms); END""",
    f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON {ENTRY} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_terms, terms)
        VALUES ('delete', old.record_id, old.title_terms, old.terms); END""",
    f"""CREATE TRIGGER {FTS}_au AFTER UPDATE ON {ENTRY} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_terms, terms)
        VALUES ('delete', old.record_id, old.title_terms, old.terms);
        INSERT INTO {FTS}(rowid, title_terms, terms)
        VALUES (new.record_id, new.title_terms, new.terms); END""",
]


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            # raw, without parameters: strftime's '%s' is no placeholder here
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0025_public_filter_indexes"),
        ("search", "0001_initial"),
    ]

    operations = [migrations.RunPython(_sqlite(FORWARD), _sqlite(BACKWARD))]
