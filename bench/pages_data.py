"""The data of bench/pages.py: a database of N records, built fast and reused.

PostgreSQL: `BASE` records come from the generator (`generate_records`: realistic titles, bodies
of 3–8 paragraphs, keywords, a tenth in Traditional script, dates over ten years, 95% published)
and are indexed by the search service (`rebuild_index`); the rest are copies of that block made
in SQL, each copy with organization, column, topic and genre drawn again at random (so the
distribution over them is the generator's), the publication time moved within its day, the
keyword links and the search entries copied with it (the copy's text is the original's, so its
terms are too). Copies' index numbers get a `~k` suffix and no serial (unique constraints hold).
The GIN indexes of the search table are dropped while copying and built once at the end; then
VACUUM ANALYZE (autovacuum is off on the development server). SQLite: all N are generated.

Writes by SQL bypass Model.save(): run it before any server starts (no cache to invalidate).
"""

from __future__ import annotations

import time

BASE = 20_000
GIN_INDEXES = {"search_title_terms_gin": "title_terms", "search_terms_gin": "terms"}
TABLES = [
    "disclosure_disclosurerecord",
    "disclosure_recordkeyword",
    "disclosure_searchentry",
    "disclosure_indexserialcounter",
]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def prepare(records: int) -> tuple[int, int, int]:
    """Migrate with the code under test, then top up to `records`: (count, min id, max id)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min

    from disclosure.models import DisclosureRecord, Organization

    say("migrate …")
    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        call_command("loaddata", "vocabulary", verbosity=0)
    have = DisclosureRecord.objects.count()
    if have < records:
        base = records if connection.vendor != "postgresql" else min(records, BASE)
        if have < base:
            _generate(base - have, seed=have + 1)
        if DisclosureRecord.objects.count() < records:
            _copy_up_to(records)
        _finish()
    bounds = DisclosureRecord.objects.aggregate(low=Min("id"), high=Max("id"))
    return DisclosureRecord.objects.count(), bounds["low"] or 0, bounds["high"] or 0


def _generate(count: int, *, seed: int) -> None:
    from disclosure.generator import generate_records
    from search import rebuild_index

    started = time.monotonic()
    say(f"generating {count} records …")
    generate_records(count=count, seed=seed, batch_size=2000)
    say(f"generated in {time.monotonic() - started:.0f} s; indexing for search …")
    rebuild_index(batch_size=2000)


def _vocabulary_ids() -> dict[str, list[int]]:
    from disclosure.models import Category, Genre, Organization, Topic

    return {
        "orgs": list(Organization.objects.values_list("id", flat=True)),
        "cats": list(Category.objects.filter(children__isnull=True).values_list("id", flat=True)),
        "topics": list(Topic.objects.exclude(parent=None).values_list("id", flat=True)),
        "genres": list(Genre.objects.values_list("id", flat=True)),
    }


def _pick(name: str) -> str:
    return f"(%({name})s::int[])[1 + floor(random() * cardinality(%({name})s::int[]))::int]"


def _copy_up_to(records: int) -> None:
    """Copy the first BASE rows (by id) block by block until the table holds `records`."""
    from django.db import connection, transaction

    from disclosure.models import DisclosureRecord

    table = DisclosureRecord._meta.db_table
    columns = [f.column for f in DisclosureRecord._meta.concrete_fields if f.column != "id"]
    drawn = {
        "organization_id": _pick("orgs"),
        "source": "(SELECT name FROM disclosure_organization WHERE id = organization_id)",
        "category_id": _pick("cats"),
        "topic_id": _pick("topics"),
        "genre_id": _pick("genres"),
        "index_number": "index_number || '~' || %(k)s",
        "index_serial": "NULL::integer",
        "published_at": "published_at + floor(random() * 3600) * interval '1 second'",
        "repealed_by_id": "NULL::bigint",
    }
    # the organization is drawn in a subquery first so that `source` can name it
    inner = ", ".join(f"{drawn[c] if c in drawn and c != 'source' else c} AS {c}" for c in columns)
    outer = ", ".join(
        "(SELECT name FROM disclosure_organization o WHERE o.id = b.organization_id)"
        if c == "source" else f"b.{c}"
        for c in columns
    )  # fmt: skip
    params = _vocabulary_ids()
    with connection.cursor() as cursor:
        for name in GIN_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    ids = DisclosureRecord.objects.order_by("id").values_list("id", flat=True)
    low = ids.first()
    high = ids[min(BASE, DisclosureRecord.objects.count()) - 1]
    k = 0
    started = time.monotonic()
    while (have := DisclosureRecord.objects.count()) < records:
        k += 1
        top = DisclosureRecord.objects.order_by("-id").values_list("id", flat=True).first()
        offset = top - low + 1
        last = min(high, low + (records - have) - 1)
        args = {**params, "k": k, "off": offset, "low": low, "last": last}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (id, {', '.join(columns)}) "
                f"SELECT b.id, {outer} FROM (SELECT id + %(off)s AS id, {inner} FROM {table} "
                f"WHERE id BETWEEN %(low)s AND %(last)s) b",
                args,
            )
            cursor.execute(
                "INSERT INTO disclosure_recordkeyword (record_id, keyword_id, position) "
                "SELECT record_id + %(off)s, keyword_id, position FROM disclosure_recordkeyword "
                "WHERE record_id BETWEEN %(low)s AND %(last)s",
                args,
            )
            cursor.execute(
                "INSERT INTO disclosure_searchentry (record_id, title_terms, terms, indexed_at) "
                "SELECT record_id + %(off)s, title_terms, terms, indexed_at "
                "FROM disclosure_searchentry WHERE record_id BETWEEN %(low)s AND %(last)s",
                args,
            )
        rate = (have - BASE + last - low + 1) / (time.monotonic() - started)
        say(f"copy {k}: {have + last - low + 1} records ({rate:.0f} records/s)")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
        )


def _finish() -> None:
    """Search GIN indexes back (PostgreSQL), then statistics and visibility maps."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, column in GIN_INDEXES.items():
                say(f"building {name} …")
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON disclosure_searchentry "
                    f"USING gin ({column})"
                )
            for table in TABLES:
                say(f"VACUUM ANALYZE {table} …")
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    say(f"indexes and statistics in {time.monotonic() - started:.0f} s")


COMMON_TERMS = ["教育", "工作", "学校", "招生", "疫情", "安全", "资助", "教师", "督导", "幼儿园"]


def sample_urls(*, low: int, high: int, per_group: int, seed: int = 12) -> dict[str, list[str]]:
    """Paths of each URL group, drawn from the real data: published record ids spread over the
    whole id range, every column (with and without filters), listing pages near the start and
    deep ones, common two-character search terms, API pages. Sitemaps are read from the index
    by bench/pages.py once the server runs."""
    import random
    from urllib.parse import quote

    from disclosure.models import Category, DisclosureRecord, Genre, Organization, Topic

    rng = random.Random(seed)
    ids: list[int] = []
    while len(ids) < per_group:
        candidates = [rng.randint(low, high) for _ in range(per_group * 2)]
        ids += sorted(
            DisclosureRecord.objects.published()
            .filter(pk__in=candidates)
            .values_list("pk", flat=True)
        )
    ids = ids[:per_group]
    rng.shuffle(ids)
    slugs = list(Category.objects.order_by("pk").values_list("slug", flat=True))
    topics = list(Topic.objects.exclude(parent=None).values_list("pk", flat=True))
    organizations = list(Organization.objects.values_list("pk", flat=True))
    genres = list(Genre.objects.values_list("pk", flat=True))
    years = sorted(
        {d.year for d in DisclosureRecord.objects.published().dates("issued_on", "year")}
    )
    pages = max(1, DisclosureRecord.objects.published().count() // 20)

    def filtered(slug: str) -> str:
        return rng.choice(
            [
                f"/catalogue/{slug}/?year={rng.choice(years)}",
                f"/catalogue/{slug}/?topic={rng.choice(topics)}",
                f"/catalogue/{slug}/?organization={rng.choice(organizations)}"
                f"&year={rng.choice(years)}",
                f"/catalogue/{slug}/?genre={rng.choice(genres)}&sort=-issued",
                f"/catalogue/{slug}/?validity=valid&page={rng.randint(2, 5)}",
            ]
        )

    sorts = ["", "&sort=-date", "&sort=-issued", "&sort=title"]
    n = range(per_group)
    return {
        "home": ["/", "/zh-hant/"],
        "record": [f"/records/{pk}/" for pk in ids],
        "record-hant": [f"/zh-hant/records/{pk}/" for pk in reversed(ids)],
        "catalogue": [f"/catalogue/{slug}/" for slug in slugs],
        "catalogue-filter": [filtered(rng.choice(slugs)) for _ in n],
        "listing": [f"/records/?page={rng.randint(1, 10)}{rng.choice(sorts)}" for _ in n],
        "listing-deep": [f"/records/?page={rng.randint(11, min(pages, 500))}" for _ in n],
        "search": [
            f"/search/?q={quote(rng.choice(COMMON_TERMS))}"
            + (f"&page={p}" if (p := rng.randint(1, 4)) > 1 else "")
            for _ in n
        ],
        "api": [f"/api/records?page_size=20&page={rng.randint(1, 50)}" for _ in n],
    }


if __name__ == "__main__":
    import argparse
    import json
    import os
    import sys

    sys.path.insert(0, os.getcwd())  # the checkout under test (bench/pages.py runs it there)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("PORTAL_INSECURE_DEMO", "1")
    parser = argparse.ArgumentParser(description="build or top up the bench/pages.py database")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--per-group", type=int, default=500, help="URLs drawn per group")
    parser.add_argument("--out", help="write {records, low, high, urls} as JSON here")
    args = parser.parse_args()
    count, low, high = prepare(args.records)
    if args.out:
        urls = sample_urls(low=low, high=high, per_group=args.per_group)
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump({"records": count, "low": low, "high": high, "urls": urls}, out)
