"""Public pages under load at N records: req/s, p50/p95/p99 and the ratio to a bare Django view.

    # PostgreSQL, 1,000,000 records (database bench_pages is built once, then reused)
    .venv/bin/python bench/pages.py --records 1000000
    # a quick look: warm only, 10 s per URL group
    .venv/bin/python bench/pages.py --records 1000000 --only warm --duration 10
    # the SQLite demo at 20,000 records: single-request timings of every page
    .venv/bin/python bench/pages.py --sqlite --records 20000
    # another checkout (say the merged main), with this script
    .venv/bin/python bench/pages.py --records 1000000 --checkout /work/main

Steps (each printed with the load average, the machine is shared):
1. data: `migrate` with the code under test, then top up to N records (bench/pages_data.py:
   generated rows copied in SQL, search entries included, VACUUM ANALYZE); URL paths are drawn
   from the real data (published ids over the whole id range, columns, filters, pages, terms);
2. gunicorn as deploy/ runs it (deploy/gunicorn.conf.py, 2 sync workers, DEBUG off, Redis cache
   at --redis) for the portal, and the same gunicorn for bench/bare_app.py, the reference;
3. `single`: each URL group's requests one at a time, FLUSHDB of the bench's Redis db before
   each (a miss of every cache): p50/p95 against the issue's cold targets (each worker first
   serves every group a few times, so no timing includes its start-up; not with --sqlite);
4. `cold`: FLUSHDB, then wrk (1 thread, --connections) per group over its many URLs;
   `warm`: the same after every URL of the (smaller) warm set was requested once;
5. `crowd`: --crowd-connections readers for --crowd-seconds on the whole mix while
   bench/pages_editor.py publishes a record a second through the workflow services: errors
   and the delay until each new record is on the home page. From an empty cache over every
   path (default), or with `--crowd-set warm` over the warm set requested once before (the
   readers of an announcement read a few pages: what publications do to a warm cache).
Only the bench's Redis db (default 3) is ever flushed (FLUSHDB, never FLUSHALL).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pages_load import get, timed, wait_ready, wrk  # noqa: E402
from pages_report import Report  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/bench_pages"
REDIS = "redis://127.0.0.1:6379/3"
WEIGHTS = {
    "home": 15, "record": 30, "record-hant": 10, "catalogue": 8, "catalogue-filter": 7,
    "listing": 8, "listing-deep": 4, "search": 10, "api": 5, "sitemap": 3,
}  # fmt: skip
PHASES = ("single", "cold", "warm", "crowd")


def load_average() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def environment(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "REDIS_URL"}}
    env.update(
        DATABASE_URL=args.database, SECRET_KEY="bench-pages-loopback-only",
        PORTAL_INSECURE_DEMO="1", ALLOWED_HOSTS="127.0.0.1,localhost",
        WEB_CONCURRENCY=str(args.workers), PYTHONPATH=str(args.checkout),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )  # fmt: skip
    if not args.sqlite:
        env["REDIS_URL"] = args.redis
    return env


def flush(args: argparse.Namespace) -> None:
    """FLUSHDB of the bench's own Redis database only (the SQLite demo caches in locmem)."""
    if args.sqlite:
        return
    import redis

    redis.Redis.from_url(args.redis).flushdb()


def prepare_data(args: argparse.Namespace, env: dict[str, str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable, str(HERE / "pages_data.py"), "--records", str(args.records),
            "--per-group", str(args.per_group), "--out", out.name,
        ]  # fmt: skip
        subprocess.run(command, cwd=args.checkout, env=env, check=True)
        return json.loads(Path(out.name).read_text(encoding="utf-8"))


def start(app: list[str], port: int, env: dict[str, str], cwd: Path, log: Path):
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    config = cwd / "deploy" / "gunicorn.conf.py"
    if not config.exists():  # the bare app runs from bench/: the same production settings
        config = HERE.parent / "deploy" / "gunicorn.conf.py"
    command = [sys.executable, "-m", "gunicorn", "-c", str(config), *app]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=cwd, env=server_env, stdout=out, stderr=out)


def sitemap_paths(base: str) -> list[str]:
    """The files the sitemap index lists (whatever the code under test splits them into)."""
    import re

    try:
        status, body = get(base + "/sitemap.xml", timeout=300)
    except OSError:
        status, body = 0, b""
    locs = re.findall(rb"<loc>([^<]+)</loc>", body) if status == 200 else []
    parts = [urllib.parse.urlsplit(loc.decode()) for loc in locs]
    paths = [p.path + (f"?{p.query}" if p.query else "") for p in parts]
    return ["/sitemap.xml", *paths] if paths else ["/sitemap.xml"]


def warm_up(base: str, groups: dict[str, list[str]], budget: float) -> str:
    """Request every path of the warm set once (4 at a time); returns how many, and how long."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [p for group in groups.values() for p in group]
    started = time.monotonic()

    def one(path: str) -> None:
        if time.monotonic() - started < budget:
            with contextlib.suppress(OSError):
                get(base + path, timeout=max(1.0, budget - (time.monotonic() - started)))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, paths))
    return f"{len(paths)} paths in {time.monotonic() - started:.0f} s"


def crowd(args: argparse.Namespace, base: str, groups: dict[str, list[str]], env) -> tuple:
    names = list(groups)
    editor = subprocess.Popen(
        [sys.executable, str(HERE / "pages_editor.py"), "--home", base + "/",
         "--count", str(args.crowd_seconds), "--interval", "1"],
        cwd=args.checkout, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    result = wrk(
        base, [groups[n] for n in names], weights=[WEIGHTS.get(n, 5) for n in names],
        connections=args.crowd_connections, seconds=args.crowd_seconds, timeout=args.timeout,
    )  # fmt: skip
    output, _ = editor.communicate(timeout=120)
    last = output.strip().splitlines()[-1] if output.strip() else "{}"
    try:
        editor_summary = json.loads(last)
    except json.JSONDecodeError:
        editor_summary = {"failures": [last], "delays": [], "published": 0}
    return result, editor_summary


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--sqlite", action="store_true", help="the embedded demo: SQLite, locmem")
    parser.add_argument("--database", help=f"DATABASE_URL (default {PG_URL})")
    parser.add_argument("--redis", default=REDIS, help="Redis db the portal caches in (FLUSHDB)")
    parser.add_argument("--checkout", type=Path, default=HERE.parent, help="the code under test")
    parser.add_argument("--only", help=f"comma-separated phases of {','.join(PHASES)}")
    parser.add_argument("--groups", help="comma-separated URL groups (default: all)")
    parser.add_argument("--url", action="append", help="measure these paths as group 'url'")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per group")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--crowd-connections", type=int, default=200)
    parser.add_argument("--crowd-seconds", type=int, default=60)
    parser.add_argument(
        "--crowd-set", choices=("all", "warm"), default="all",
        help="crowd URLs: all paths from an empty cache, or the warm set requested once before",
    )  # fmt: skip
    parser.add_argument("--timeout", type=int, default=5, help="wrk's request time-out, s")
    parser.add_argument("--samples", type=int, default=20, help="single requests per group")
    parser.add_argument("--single-budget", type=int, default=60, help="seconds per group")
    parser.add_argument("--per-group", type=int, default=500, help="paths drawn per group")
    parser.add_argument("--warm-set", type=int, default=40, help="paths per group when warm")
    parser.add_argument("--warm-budget", type=int, default=300, help="seconds for warming")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18301, help="portal; the bare app: +1")
    args = parser.parse_args()
    args.checkout = args.checkout.resolve()
    if args.sqlite:
        args.database = (
            args.database or f"sqlite:///{args.checkout / 'var' / 'bench_pages.sqlite3'}"
        )
        args.records = min(args.records, 1_000_000)
    args.database = args.database or PG_URL
    default = "single" if args.sqlite else ",".join(PHASES)
    args.phases = [p for p in (args.only or default).split(",") if p]
    return args


class Servers:
    """The portal's gunicorn and the bare app's, both as deploy/ runs gunicorn."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.args, self.env = args, env
        self.base = f"http://127.0.0.1:{args.port}"
        self.bare_base = f"http://127.0.0.1:{args.port + 1}"
        self.log = Path(tempfile.gettempdir()) / f"bench-pages-{args.port}.log"
        self.bare = start(
            ["--chdir", str(HERE), "bare_app:application"], args.port + 1, env, args.checkout,
            self.log,
        )  # fmt: skip
        self.portal = self._start_portal()
        wait_ready(self.bare_base + "/")

    def _start_portal(self) -> subprocess.Popen:
        args = self.args
        portal = start(["portal.wsgi:application"], args.port, self.env, args.checkout, self.log)
        wait_ready(self.base + "/healthz")
        return portal

    def settle(self, *, seconds: float = 30) -> str:
        """Wait until requests left over from the last wrk run are done (wrk stops, gunicorn
        still answers what it queued), so they do not slow the next group; after `seconds`,
        restart the portal's gunicorn instead. Returns what it did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            began = time.monotonic()
            with contextlib.suppress(OSError):
                get(self.base + "/healthz", timeout=max(1.0, deadline - began))
            if time.monotonic() - began < 0.5:
                return ""
        self._stop(self.portal)
        self.portal = self._start_portal()
        return "portal restarted: left-over requests still running after 30 s"

    @staticmethod
    def _stop(server: subprocess.Popen) -> None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)

    def stop(self) -> None:
        for server in (self.portal, self.bare):
            self._stop(server)


def main() -> None:
    args = parse()
    env = environment(args)
    report = Report(args=args)
    report.line(f"checkout: {args.checkout}; database: {args.database.rsplit('@', 1)[-1]}; "
                f"load average {load_average()}")  # fmt: skip
    data = prepare_data(args, env)
    groups: dict[str, list[str]] = data["urls"]
    servers = Servers(args, env)
    try:
        groups["sitemap"] = []  # the files the sitemap index lists, read below
        if args.url:
            groups = {"url": args.url}
        elif args.groups:
            groups = {n: groups[n] for n in args.groups.split(",")}
        if "sitemap" in groups:
            groups["sitemap"] = sitemap_paths(servers.base)
        report.line(
            f"records: {data['records']} (ids {data['low']}–{data['high']}); "
            f"server log {servers.log}; "
            f"groups: {', '.join(f'{n} {len(p)}' for n, p in groups.items())}"
        )
        run_phases(args, report, servers, groups, env)
    finally:
        servers.stop()
    report.targets()


def run_phases(args, report: Report, servers: Servers, groups, env) -> None:
    base, bare_base = servers.base, servers.bare_base
    if "single" in args.phases:
        # Each worker's first request of a kind loads templates, converters and connections:
        # serve every group a few times first, then flush, so the first group measured (home)
        # times the page and not the worker's start-up. Not with --sqlite: locmem cannot be
        # flushed from here, and the primed pages would then be hits.
        for paths in () if args.sqlite else groups.values():
            for path in paths[-1:] * 2 * args.workers:
                with contextlib.suppress(OSError):
                    get(base + path, timeout=60)
        flush(args)
        report.line(f"single requests ({'FLUSHDB before each' if not args.sqlite else 'locmem'}),"
                    f" load average {load_average()}")  # fmt: skip
        for name, paths in groups.items():
            result = timed(
                base, paths[: args.samples], before=lambda: flush(args), budget=args.single_budget
            )
            report.single(name, result)
        report.table("single")
    for phase in ("cold", "warm"):
        if phase not in args.phases:
            continue
        if note := servers.settle():
            report.line(note)
        flush(args)
        used = groups if phase == "cold" else {n: p[: args.warm_set] for n, p in groups.items()}
        if phase == "warm":
            report.line(f"warm-up: {warm_up(base, used, args.warm_budget)}")
            if note := servers.settle():
                report.line(note)
        bare = wrk(bare_base, [["/"]], connections=args.connections, seconds=args.duration)
        report.run(phase, "bare view", bare, bare)
        for name, paths in used.items():
            if phase == "cold":
                flush(args)
            result = wrk(base, [paths], connections=args.connections, seconds=args.duration,
                         timeout=args.timeout)  # fmt: skip
            report.run(phase, name, result, bare)
            if note := servers.settle():
                report.line(f"after {phase} {name}: {note}")
        report.line(f"{phase} done, load average {load_average()}")
        report.table(phase)
    if "crowd" in args.phases:
        if note := servers.settle():
            report.line(note)
        flush(args)
        used = groups
        if args.crowd_set == "warm":  # the readers of an announcement: a few pages, cached
            used = {n: p[: args.warm_set] for n, p in groups.items()}
            report.line(f"crowd over the warm set, warm-up: "
                        f"{warm_up(base, used, args.warm_budget)}")  # fmt: skip
            if note := servers.settle():
                report.line(note)
        result, editor = crowd(args, base, used, env)
        report.crowd(result, editor)
        report.line(f"crowd done, load average {load_average()}")


if __name__ == "__main__":
    main()
