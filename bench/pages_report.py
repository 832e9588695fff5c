"""What bench/pages.py prints: Markdown tables (paste into docs/benchmarks.md) and the targets
of issue 12 next to the numbers, each marked met or gap."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass, field

from pages_load import Result

#: warm: these groups' req/s ≥ 70% of the bare view's, same run
WARM_GROUPS = ("home", "record", "record-hant", "catalogue", "catalogue-filter", "listing",
               "listing-deep")  # fmt: skip
WARM_RATIO = 0.70
#: cold (every cache empty) p95 in ms, single requests; sitemap files: < 1 s (issue item 4)
COLD_P95 = {
    "record": 20, "record-hant": 20, "home": 50, "catalogue": 50, "catalogue-filter": 50,
    "listing": 50, "listing-deep": 50, "api": 50, "search": 150, "sitemap": 1000,
}  # fmt: skip
#: SQLite demo: every page ≤ 200 ms (sitemap files keep their 1 s)
SQLITE_P95 = 200
CROWD_DELAY = 1.0


@dataclass
class Report:
    args: argparse.Namespace
    rows: dict[str, list[tuple[str, Result, Result | None]]] = field(default_factory=dict)
    checks: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def line(self, text: str) -> None:
        print(text, flush=True)

    def single(self, name: str, result: Result) -> None:
        self.rows.setdefault("single", []).append((name, result, None))
        limit = COLD_P95.get(name)
        if self.args.sqlite and limit is not None:
            limit = max(limit, SQLITE_P95)
        if limit is not None:
            where = "SQLite" if self.args.sqlite else "cold"
            self.checks.append(
                (
                    f"{where} p95 {name}",
                    f"≤ {limit} ms",
                    f"{result.p95:.0f} ms",
                    result.p95 <= limit,
                )
            )

    def run(self, phase: str, name: str, result: Result, bare: Result) -> None:
        self.rows.setdefault(phase, []).append((name, result, bare))
        if phase == "warm" and name in WARM_GROUPS:
            ratio = result.rate / bare.rate if bare.rate else 0.0
            self.checks.append(
                (f"warm req/s {name}", f"≥ {WARM_RATIO:.0%} of bare", f"{ratio:.0%}",
                 ratio >= WARM_RATIO and not result.error_count)
            )  # fmt: skip

    def table(self, phase: str) -> None:
        a = self.args
        if phase == "single":
            print(f"\n{phase}: {a.samples} requests per group, one at a time\n")
            print("| group | requests | p50 ms | p95 ms | max ms | errors |")
            print("|---|---:|---:|---:|---:|---|")
            for name, r, _ in self.rows.get(phase, []):
                print(f"| {name} | {r.requests} | {r.p50:.1f} | {r.p95:.1f} | {r.max:.1f} "
                      f"| {_errors(r)} |")  # fmt: skip
            print(flush=True)
            return
        print(f"\n{phase}: wrk 1 thread, {a.connections} connections, {a.duration} s per group, "
              f"gunicorn {a.workers} sync workers\n")  # fmt: skip
        print("| group | req/s | p50 ms | p95 ms | p99 ms | ratio to bare | errors |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for name, r, bare in self.rows.get(phase, []):
            ratio = r.rate / bare.rate if bare and bare.rate else 0.0
            print(f"| {name} | {r.rate:,.1f} | {_ms(r.p50)} | {_ms(r.p95)} | {_ms(r.p99)} "
                  f"| {ratio:.1%} | {_errors(r)} |")  # fmt: skip
        print(flush=True)

    def crowd(self, result: Result, editor: dict) -> None:
        a = self.args
        delays = editor.get("delays", [])
        seen = sorted(d for d in delays if d is not None)
        missing = len(delays) - len(seen)
        print(f"\ncrowd: wrk {a.crowd_connections} connections, {a.crowd_seconds} s, URL mix; "
              f"an editor publishing a record a second (time-out {a.timeout} s)\n")  # fmt: skip
        print("| req/s | p50 ms | p95 ms | p99 ms | requests | errors |")
        print("|---:|---:|---:|---:|---:|---|")
        print(f"| {result.rate:,.1f} | {result.p50:.0f} | {result.p95:.0f} | {result.p99:.0f} "
              f"| {result.requests} | {_errors(result)} |")  # fmt: skip
        if result.cache:
            print("\nX-Page-Cache of the responses: "
                  + ", ".join(f"{k} {v}" for k, v in result.cache.items()))  # fmt: skip
        publish = editor.get("publish_seconds", [])
        print(f"\npublished {editor.get('published', 0)} records "
              f"(publish call median {statistics.median(publish) * 1000 if publish else 0:.0f} ms),"
              f" failures {len(editor.get('failures', []))}"
              f"{': ' + editor['failures'][0] if editor.get('failures') else ''}")  # fmt: skip
        if seen:
            late = sum(d > CROWD_DELAY for d in seen)
            print(
                f"on home after: median {statistics.median(seen):.2f} s, max {seen[-1]:.2f} s, "
                f"{late} later than {CROWD_DELAY:.0f} s, {missing} not seen in 30 s\n"
            )
        else:
            print(f"on home after: no record seen ({missing} not seen in 30 s)\n")
        self.checks.append(("crowd errors", "0", str(result.error_count), not result.error_count))
        worst = "never" if missing or not seen else f"{seen[-1]:.2f} s"
        ok = bool(seen) and not missing and seen[-1] <= CROWD_DELAY and not editor.get("failures")
        self.checks.append(("crowd: new record on home", f"≤ {CROWD_DELAY:.0f} s", worst, ok))

    def targets(self) -> None:
        if not self.checks:
            return
        print("\ntargets (issue 12)\n")
        print("| target | wanted | measured | |")
        print("|---|---|---|---|")
        for what, wanted, measured, ok in self.checks:
            print(f"| {what} | {wanted} | {measured} | {'met' if ok else 'gap'} |")
        print(flush=True)


def _ms(value: float) -> str:
    """wrk keeps no latency of a timed-out request: a group that only timed out has none."""
    return f"{value:.1f}" if value else "—"


def _errors(result: Result) -> str:
    if not result.requests:
        return "no response within the run"
    return ", ".join(f"{k} {v}" for k, v in result.errors.items()) or "0"
