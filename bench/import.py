"""Import speed: N generated records exported as JSON Lines, imported into an emptied database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_data_bench100k \
        python bench/import.py --records 100000

Generates N records if the database holds fewer, exports them all with `export_records
--format jsonl`, empties the record tables, and times `import_records FILE --commit` under
`/usr/bin/time -v` (one transaction, all rows), then times the same import again, which
updates every record by index number (the idempotent re-import). Prints rows/s and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export import cpu_seconds, load_average, measure, prepare  # noqa: E402


def empty_records() -> None:
    from django.db import connection

    from disclosure.models import DisclosureRecord

    tables = ["disclosure_recordkeyword", "disclosure_attachment"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE disclosure_disclosurerecord CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("UPDATE disclosure_disclosurerecord SET repealed_by_id = NULL")
            DisclosureRecord.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    rows = prepare(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.jsonl"
        export = [sys.executable, "manage.py", "export_records", "--format", "jsonl"]
        measure([*export, "-o", str(path)])
        size_mb = path.stat().st_size / 1048576
        empty_records()
        database = os.environ.get("DATABASE_URL", "sqlite (default)").rsplit("@", 1)[-1]
        print(f"database: {database}; file: {rows} rows, {size_mb:.0f} MB JSON Lines")
        command = [
            sys.executable, "manage.py", "import_records", str(path), "--commit", "--max-bytes", "0"
        ]  # fmt: skip
        for label in ("import (create)", "re-import (update)"):
            elapsed, peak_kb, output = measure(command)
            cpu = cpu_seconds(output)
            print(
                f"{label:18} {rows:>8} rows  {elapsed:7.1f} s  {rows / elapsed:7.0f} rows/s  "
                f"peak RSS {peak_kb / 1024:6.1f} MB  (importer CPU {cpu:.1f} s = "
                f"{rows / cpu:.0f} rows per CPU-second; load average {load_average()})",
                flush=True,
            )
    from disclosure.models import DisclosureRecord

    numbered = DisclosureRecord.objects.exclude(index_number=None)
    drafts = DisclosureRecord.objects.filter(index_number=None).count()
    # rows without an index number (drafts) cannot be matched, so the re-import adds them again
    print(f"after both runs: {numbered.count()} numbered records, {drafts} without a number")
    assert numbered.count() + drafts // 2 == rows, "import lost or duplicated numbered records"


if __name__ == "__main__":
    main()
