"""Export speed and memory: CSV and XLSX of every record, rows/second and peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_data_bench \
        python bench/export.py --records 1000000

Makes sure the database holds at least N generated records (migrating and generating as
needed), then runs `manage.py export_records` once per format under `/usr/bin/time -v`, writing
to /dev/null, and prints rows/s and the peak resident set size. Run it with 100,000 and with
1,000,000 records (two databases) to see that memory stays flat as rows grow.
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


def prepare(records: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from disclosure.generator import generate_records
    from disclosure.models import DisclosureRecord, Organization

    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        call_command("loaddata", "vocabulary", verbosity=0)
    have = DisclosureRecord.objects.count()
    if have < records:
        print(f"generating {records - have} records …", flush=True)
        generate_records(count=records - have, seed=have + 1, batch_size=5000)
    return DisclosureRecord.objects.count()


def measure(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in kB and stderr of one command run under /usr/bin/time -v."""
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1])
    return elapsed, peak, result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    rows = prepare(args.records)
    database = os.environ.get("DATABASE_URL", "sqlite (default)").rsplit("@", 1)[-1]
    print(f"database: {database}; records: {rows}")
    for fmt in args.formats.split(","):
        command = [
            sys.executable,
            "manage.py",
            "export_records",
            "--format",
            fmt,
            "-o",
            "/dev/null",
        ]
        elapsed, peak_kb, _ = measure(command)
        print(
            f"export {fmt:5} {rows:>9} rows  {elapsed:7.1f} s  {rows / elapsed:9.0f} rows/s  "
            f"peak RSS {peak_kb / 1024:6.1f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
