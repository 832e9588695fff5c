"""Export speed and memory: CSV and XLSX of every record, rows/second and peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_data_bench \
        python bench/export.py --records 1000000

Makes sure the database holds at least N generated records (migrating and generating as
needed), then runs `manage.py export_records` once per format under `/usr/bin/time -v`, writing
to /dev/null, and prints rows/s and the peak resident set size. Run it with 100,000 and with
1,000,000 records (two databases) to see that memory stays flat as rows grow. On a busy
machine `--fill-by-copy` tops a partly generated database up to N by copying its rows in SQL.
`--baseline DIR` runs another checkout's command first, on the same data, so old and new code
are compared in one run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_INSECURE_DEMO", "1")


def fill_by_copy(records: int) -> None:
    """Top up to N rows by copying the generated ones in SQL (seconds, not the generator's hour).

    Copies keep every column and keyword link; their index numbers get a `~k` suffix and no
    serial, so the unique constraints hold. Row sizes and shapes stay those of the generator.
    """
    from django.db import connection, transaction

    from disclosure.models import DisclosureRecord

    table = DisclosureRecord._meta.db_table
    columns = [f.column for f in DisclosureRecord._meta.concrete_fields if f.column != "id"]
    copied = [
        "index_number || '~' || %(k)s" if c == "index_number" else "NULL" if c == "index_serial"
        else c
        for c in columns
    ]  # fmt: skip
    k = 0
    while (have := DisclosureRecord.objects.count()) < records:
        k += 1
        top = DisclosureRecord.objects.order_by("-id").values_list("id", flat=True).first()
        base = min(have, records - have)
        # the first `base` rows by id (ids need not start at 1: an import bench empties the table)
        bound = DisclosureRecord.objects.order_by("id").values_list("id", flat=True)[base - 1]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (id, {', '.join(columns)}) "
                f"SELECT id + %(off)s, {', '.join(copied)} FROM {table} "
                f"WHERE id <= %(bound)s",
                {"off": top, "k": k, "bound": bound},
            )
            cursor.execute(
                "INSERT INTO disclosure_recordkeyword (record_id, keyword_id, position) "
                "SELECT record_id + %(off)s, keyword_id, position FROM disclosure_recordkeyword "
                "WHERE record_id <= %(bound)s",
                {"off": top, "bound": bound},
            )
        print(f"copied {base} records", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
        )


def prepare(records: int, *, copy: bool = False) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from disclosure.generator import generate_records
    from disclosure.models import DisclosureRecord, Organization

    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        call_command("loaddata", "vocabulary", verbosity=0)
    have = DisclosureRecord.objects.count()
    if have < records and copy:
        fill_by_copy(records)
    elif have < records:
        print(f"generating {records - have} records …", flush=True)
        generate_records(count=records - have, seed=have + 1, batch_size=5000)
    return DisclosureRecord.objects.count()


def measure(command: list[str], *, cwd: Path = ROOT) -> tuple[float, int, str, str]:
    """Wall seconds, peak RSS in kB, stdout and stderr of a command run under /usr/bin/time -v.

    The stderr also holds the command's user and system CPU seconds (see `cpu_seconds`). `cwd`
    is the checkout whose manage.py runs (another one for a baseline).
    """
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        # the command's own report (an import names its problem rows there) and its error
        raise SystemExit(
            f"failed: {' '.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
        )
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1])
    return elapsed, peak, result.stdout, result.stderr


def checkouts(baseline: str | None) -> list[tuple[str, Path]]:
    """(label, directory) of the code to measure: the baseline first, when one is given.

    A baseline is another checkout of this project (say `git worktree add /tmp/base <commit>`),
    run against the same database and Python environment, so both are measured in one run.
    """
    runs = [("this", ROOT)]
    if baseline:
        runs.insert(0, ("baseline", Path(baseline).resolve()))
    return runs


def cpu_seconds(time_output: str) -> float:
    """User + system CPU of the measured process: what it costs on a machine shared with others."""
    user = float(re.search(r"User time \(seconds\): ([0-9.]+)", time_output)[1])
    system = float(re.search(r"System time \(seconds\): ([0-9.]+)", time_output)[1])
    return user + system


def load_average() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument(
        "--fill-by-copy", action="store_true", help="PostgreSQL: top up by copying generated rows"
    )
    parser.add_argument("--baseline", help="another checkout to measure first, for comparison")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each format and checkout")
    args = parser.parse_args()
    rows = prepare(args.records, copy=args.fill_by_copy)
    database = os.environ.get("DATABASE_URL", "sqlite (default)").rsplit("@", 1)[-1]
    print(f"database: {database}; records: {rows}")
    for fmt in args.formats.split(","):
        for _ in range(args.repeat):
            for label, checkout in checkouts(args.baseline):
                command = [sys.executable, "manage.py", "export_records", "--format", fmt]
                elapsed, peak_kb, _, output = measure([*command, "-o", "/dev/null"], cwd=checkout)
                cpu = cpu_seconds(output)
                print(
                    f"{label:8} export {fmt:5} {rows:>9} rows  {elapsed:7.1f} s  "
                    f"{rows / elapsed:9.0f} rows/s  peak RSS {peak_kb / 1024:6.1f} MB  "
                    f"(exporter CPU {cpu:.1f} s; load average {load_average()})",
                    flush=True,
                )


if __name__ == "__main__":
    main()
