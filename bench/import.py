"""Import speed: N generated records exported as JSON Lines, imported into an emptied database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_data_bench100k \
        python bench/import.py --records 100000

Generates N records if the database holds fewer, exports them all with `export_records
--format jsonl`, empties the record tables, and times `import_records FILE --commit` under
`/usr/bin/time -v` (one transaction, all rows), then times the same import again, which
updates every record by index number or stable key (the idempotent re-import). Prints rows/s
and peak RSS, and the two phases the command reports: writing up to the commit, then the
search re-index. A third run imports the file with every row's 内容概述 changed: every record
is updated, with its revisions and audit entries (the second run's rows equal their records,
which an import leaves alone).
`--baseline DIR` runs another checkout's import first, on the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export import checkouts, cpu_seconds, load_average, measure, prepare  # noqa: E402


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


BENCH_ACTOR = "bench_import"


def bench_actor() -> None:
    """The import runs as a named account (issue 13): a superuser, so rows are published."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if not users.filter(username=BENCH_ACTOR).exists():
        users.create_superuser(BENCH_ACTOR, "", None)


def phase(output: str, pattern: str) -> float | None:
    """Seconds of a phase the import command reports (older code reports none)."""
    found = re.search(pattern, output)
    return float(found[1]) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--baseline", help="another checkout to measure first, for comparison")
    args = parser.parse_args()
    rows = prepare(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.jsonl"
        export = [sys.executable, "manage.py", "export_records", "--format", "jsonl"]
        measure([*export, "-o", str(path)])
        changed = Path(tmp) / "changed.jsonl"
        change_every_row(path, changed)
        size_mb = path.stat().st_size / 1048576
        database = os.environ.get("DATABASE_URL", "sqlite (default)").rsplit("@", 1)[-1]
        print(f"database: {database}; file: {rows} rows, {size_mb:.0f} MB JSON Lines")
        bench_actor()
        options = [
            "--commit", "--publish", "--actor", BENCH_ACTOR,
            "--max-bytes", "0", "--max-rows", "0", "--max-seconds", "0",
        ]  # fmt: skip
        steps = [
            ("import (create)", path),
            ("re-import (same)", path),
            ("re-import (changed)", changed),
        ]
        for label, checkout in checkouts(args.baseline):
            empty_records()
            for step, source in steps:
                command = [sys.executable, "manage.py", "import_records", str(source), *options]
                elapsed, peak_kb, output, time_output = measure(command, cwd=checkout)
                cpu = cpu_seconds(time_output)
                written = phase(output, r"写入用时 ([0-9.]+) 秒")
                indexed = phase(output, r"检索索引已更新.*用时 ([0-9.]+) 秒")
                phases = (
                    f"to commit {written:.1f} s = {rows / written:.0f} rows/s, "
                    f"search re-index {indexed:.1f} s; "
                    if written is not None and indexed is not None
                    else ""
                )
                print(
                    f"{label:8} {step:19} {rows:>8} rows  {elapsed:7.1f} s  "
                    f"{rows / elapsed:6.0f} rows/s  peak RSS {peak_kb / 1024:6.1f} MB  "
                    f"({phases}importer CPU {cpu:.1f} s; load average {load_average()})",
                    flush=True,
                )
            check(label, rows)


def change_every_row(source: Path, target: Path) -> None:
    """The file with each row's 内容概述 changed: a re-import that updates every record."""
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            row = json.loads(line)
            row["内容概述"] = (row.get("内容概述") or "") + "(修订)"
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def check(label: str, rows: int) -> None:
    """After a create and a re-import: every row once, nothing lost or duplicated.

    Rows without an index number are matched by their stable key (organization, 文件编号,
    标题, 发文日期) and, imported as published, numbered (issue 18, item 9); a baseline from
    before that added its drafts again on the re-import.
    """
    from disclosure.models import DisclosureRecord

    numbered = DisclosureRecord.objects.exclude(index_number=None).count()
    drafts = DisclosureRecord.objects.filter(index_number=None).count()
    print(f"{label:8} after both runs: {numbered} numbered records, {drafts} without a number")
    old_rule = label == "baseline" and numbered + drafts // 2 == rows
    assert numbered + drafts == rows or old_rule, "import lost or duplicated records"


if __name__ == "__main__":
    main()
