"""Load generation for bench/pages.py: wrk over a list of paths, and timed single requests.

wrk (Debian's /usr/bin/wrk) gets a generated Lua script holding the paths; each request takes
one at random (or, for a mix, a group by weight and then a path). Its `done` hook prints one
JSON line: requests, seconds, the errors by kind, latency percentiles and non-2xx/3xx counts.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

WRK = "/usr/bin/wrk"

LUA = r"""
local groups = %(groups)s
local weights = %(weights)s
local total = 0
for _, w in ipairs(weights) do total = total + w end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  pc_hit, pc_stale, pc_miss, pc_none = 0, 0, 0, 0
end
function request()
  local pick, g = math.random() * total, 1
  for i, w in ipairs(weights) do
    if pick <= w then g = i break end
    pick = pick - w
  end
  local paths = groups[g]
  return wrk.format("GET", paths[math.random(#paths)])
end
function response(status, headers, body)
  local state = headers["X-Page-Cache"]
  if state == "hit" then pc_hit = pc_hit + 1
  elseif state == "stale" then pc_stale = pc_stale + 1
  elseif state == "miss" then pc_miss = pc_miss + 1
  else pc_none = pc_none + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  local hit, stale, miss, none = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    hit = hit + t:get("pc_hit")
    stale = stale + t:get("pc_stale")
    miss = miss + t:get("pc_miss")
    none = none + t:get("pc_none")
  end
  io.write(string.format(
    'WRKJSON {"requests": %%d, "us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, ' ..
    '"bytes": %%d, "hit": %%d, "stale": %%d, "miss": %%d, "none": %%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.bytes, hit, stale, miss, none))
end
"""


@dataclass
class Result:
    """What one load run measured; latencies in milliseconds."""

    requests: int = 0
    seconds: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    #: the responses by X-Page-Cache: hit, stale, miss (rendered and stored), none (rendered,
    #: not stored: a page no cache keeps, or a render another reader was already doing)
    cache: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def _lua_list(items: list[str]) -> str:
    return "{" + ",".join(json.dumps(i, ensure_ascii=True) for i in items) + "}"


def wrk(
    base: str,
    groups: list[list[str]],
    *,
    weights: list[float] | None = None,
    connections: int = 16,
    seconds: int = 15,
    timeout: int = 5,
) -> Result:
    """Run wrk (1 thread) over the paths, by group weight; errors are socket errors + ≥ 400."""
    script = LUA % {
        "groups": "{" + ",".join(_lua_list(g) for g in groups) + "}",
        "weights": "{" + ",".join(str(w) for w in (weights or [1] * len(groups))) + "}",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8") as lua:
        lua.write(script)
        lua.flush()
        command = [
            WRK, "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s",
            "-s", lua.name, base,
        ]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    line = next((x for x in output.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    data = json.loads(line.removeprefix("WRKJSON "))
    errors = {k: data[k] for k in ("connect", "read", "write", "timeout") if data[k]}
    # summary.errors.status counts responses > 399, which is what "non-2xx/3xx" means here
    if data["status"]:
        errors["status≥400"] = data["status"]
    return Result(
        requests=data["requests"],
        seconds=data["us"] / 1e6,
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        max=data["max"] / 1000,
        errors=errors,
        cache={k: data[k] for k in ("hit", "stale", "miss", "none")},
    )


def get(url: str, *, timeout: float = 120) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def timed(
    base: str, paths: list[str], *, before: Callable[[], None] | None = None, budget: float = 120
) -> Result:
    """Single requests one after another (`before` runs ahead of each, untimed): milliseconds.

    Stops early when `budget` seconds are spent, so a slow page cannot hold the run for long.
    """
    times, errors, started = [], 0, time.monotonic()
    for path in paths:
        if before:
            before()
        began = time.perf_counter()
        try:
            status, _ = get(base + path)
        except OSError:
            status = 0
        times.append((time.perf_counter() - began) * 1000)
        errors += status == 0 or status >= 400
        if time.monotonic() - started > budget:
            break
    times.sort()

    def pick(q: float) -> float:
        return times[min(len(times) - 1, round(q * (len(times) - 1)))] if times else 0.0

    return Result(
        requests=len(times),
        seconds=sum(times) / 1000,
        p50=statistics.median(times) if times else 0.0,
        p95=pick(0.95),
        p99=pick(0.99),
        max=times[-1] if times else 0.0,
        errors={"status≥400/socket": errors} if errors else {},
    )


def wait_ready(url: str, *, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _ = get(url, timeout=5)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")
