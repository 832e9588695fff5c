"""The search index: one row per published record, holding its tokens (see search/).

The token columns are `tsvector` on PostgreSQL (GIN-indexed) and plain text on SQLite, where an
FTS5 table over them does the matching; the migration creates the vendor-specific parts.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Lookup


class TermsField(models.TextField):
    """Space-separated index tokens; stored as `to_tsvector('simple', …)` on PostgreSQL."""

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection) -> str:
        return "to_tsvector('simple', %s)" if connection.vendor == "postgresql" else "%s"

    def select_format(self, compiler, sql, params):
        if compiler.connection.vendor == "postgresql":
            return f"({sql})::text", params
        return sql, params


FTS_TABLE = "disclosure_search_fts"
#: SQLite: an FTS rowid is (publication time << 31) | record id (disclosure migration 0025),
#: so rowid order is publication order; the record id is its low bits.
FTS_ID_MASK = 2**31 - 1


@TermsField.register_lookup
class Matches(Lookup):
    """`search_entry__terms__matches=ParsedQuery`: the index match, written for each backend."""

    lookup_name = "matches"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        query = self.rhs
        if connection.vendor == "postgresql":
            return f"{lhs} @@ %s::tsquery", [*lhs_params, query.to_tsquery()]
        alias, column = self.lhs.alias, self.lhs.target.column
        qn = compiler.quote_name_unless_alias
        fts_match = f"SELECT rowid & {FTS_ID_MASK} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        return (
            f"{qn(alias)}.{qn('record_id')} IN ({fts_match})",
            [query.to_fts5(column=column)],
        )


def fts_match_ids(query) -> list[int]:
    """SQLite only: ids of all indexed records matching, straight from the FTS5 doclists."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid & {FTS_ID_MASK} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [query.to_fts5()],
        )
        return [row[0] for row in cursor.fetchall()]


class SearchEntry(models.Model):
    record = models.OneToOneField(
        "disclosure.DisclosureRecord",
        verbose_name="公开信息",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    title_terms = TermsField("标题词元")
    terms = TermsField("全文词元")
    indexed_at = models.DateTimeField("索引时间", auto_now=True)

    class Meta:
        db_table = "disclosure_searchentry"
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"

    def __str__(self) -> str:
        return f"检索索引 {self.record_id}"
