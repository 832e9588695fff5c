"""Search benchmark: first-page latency through the search service versus a plain icontains scan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_search_bench \
        PORTAL_INSECURE_DEMO=1 python bench/search.py --count 1000000      # PostgreSQL, 1M
    DATABASE_URL=sqlite:///var/bench_search.sqlite3 \
        PORTAL_INSECURE_DEMO=1 python bench/search.py --count 100000       # SQLite, 100k

Migrates the database, loads the vocabularies, tops the records up to --count with the generator
(`generate_records`; an existing database is reused), rebuilds the search index (timed), then
for each query prints the median and p95 of the first result page (bounded count + top 20 +
facets, as the search page asks for it) and of the same page by `icontains` scan, and their
ratio. A timing here is the machine's at that moment: rerun before comparing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

QUERIES = [
    # (class, query)
    ("2字 常见", "教育"),
    ("2字 常见", "工作"),
    ("2字", "招生"),
    ("2字", "疫情"),
    ("2字", "近视"),
    ("4字", "学生资助"),
    ("4字", "冷链食品"),
    ("4字", "特殊教育"),
    ("多词", "冷链 疫情防控"),
    ("多词", "教师 名家培养"),
    ("多词", "近视 2021"),
    ("繁体", "教育現代化"),
    ("繁体", "學生資助"),
    ("繁体", "總結"),
    ("罕见", "锡教发〔2020〕12号"),
    ("罕见", "上半年总结"),
    ("罕见", "近视综合防控 工作总结"),
    ("罕见", "IPv6 冷链"),
]


def _timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, result


def _index_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_table_size('disclosure_searchentry'), "
                "pg_indexes_size('disclosure_searchentry')"
            )
            table, indexes = cursor.fetchone()
            mib = 2**20
            return f"table {table / mib:.0f} MiB (tsvectors, TOAST) + GIN {indexes / mib:.0f} MiB"
        try:
            cursor.execute(
                "SELECT name, SUM(pgsize) FROM dbstat "
                "WHERE name LIKE 'disclosure_search%' GROUP BY name"
            )
            sizes = cursor.fetchall()
            return ", ".join(f"{n} {s / 2**20:.0f} MiB" for n, s in sizes)
        except Exception:  # noqa: BLE001 - dbstat is an optional SQLite module
            return "n/a (SQLite without dbstat)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--scan-repeat", type=int, default=3)
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="index build processes (PostgreSQL)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from disclosure.generator import generate_records
    from disclosure.models import DisclosureRecord
    from disclosure.selectors import public_records
    from search import rebuild_index, search_records
    from search.models import SearchEntry

    call_command("migrate", interactive=False, verbosity=0)
    call_command("loaddata", "vocabulary", verbosity=0)
    existing = DisclosureRecord.objects.count()
    if existing < args.count:
        started = time.perf_counter()
        generate_records(count=args.count - existing, seed=existing + 1)
        seconds = time.perf_counter() - started
        print(f"generated {args.count - existing} records in {seconds:.0f} s", flush=True)
    total = DisclosureRecord.objects.count()
    public = public_records().count()
    if not args.skip_rebuild or not SearchEntry.objects.exists():
        started = time.perf_counter()

        def progress(done: int) -> None:
            if done % 100_000 < 2000:
                print(f"  indexed {done} in {time.perf_counter() - started:.0f} s", flush=True)

        indexed = rebuild_index(progress=progress, workers=args.workers)
        build = time.perf_counter() - started
        print(f"index build: {indexed} published records in {build:.0f} s ({args.workers} workers)")
    print(f"backend: {connection.vendor}; records {total}, public {public}")
    print(f"index size: {_index_size()}")

    def scan(query: str):
        """The reference: the same page by a plain icontains scan (count + newest 20)."""
        words = query.split()
        condition = Q()
        for word in words:
            condition &= (
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
            )
        matches = public_records().filter(condition)
        return matches.count(), list(matches.order_by("-published_at", "-id")[:20])

    print()
    print("| class | query | results | share | search median ms | search p95 ms "
          "| scan median ms | scan ÷ search |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, query in QUERIES:
        median, p95, results = _timed(lambda q=query: search_records(query=q), args.repeat)
        scan_median, _, _ = _timed(lambda q=query: scan(q), args.scan_repeat)
        shown = f"约 {results.total}" if results.total_is_estimate else str(results.total)
        share = results.total / public * 100 if public else 0
        print(
            f"| {label} | {query} | {shown} | {share:.2f}% | {median:.1f} | {p95:.1f} "
            f"| {scan_median:.0f} | {scan_median / median:.0f}× |"
        )


if __name__ == "__main__":
    main()
