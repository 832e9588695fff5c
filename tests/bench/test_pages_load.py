"""bench/pages.py's measuring parts against a real gunicorn serving the bare reference app.

The benchmark's numbers are only as good as its counting: wrk's requests, latencies and errors
(a 404 must count as an error, not as a fast page) and the single-request timings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.servers import REPO, free_port, stop, wait_for_port

sys.path.insert(0, str(REPO / "bench"))

from pages_load import timed, wrk  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/usr/bin/wrk").exists(), reason="wrk is not installed")


@pytest.fixture(scope="module")
def bare_app():
    port = free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(REPO / "deploy" / "gunicorn.conf.py"),
         "--chdir", str(REPO / "bench"), "bare_app:application"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def test_wrk_counts_requests_and_latencies_of_the_bare_view(bare_app):
    result = wrk(bare_app, [["/"]], connections=2, seconds=1)

    assert result.requests > 10
    assert result.error_count == 0
    assert 0 < result.p50 <= result.p95 <= result.p99 <= result.max
    assert result.rate > 10


def test_wrk_counts_missing_pages_as_errors(bare_app):
    result = wrk(bare_app, [["/no-such-page/"]], connections=1, seconds=1)

    assert result.requests > 0
    assert result.errors["status≥400"] == result.requests


def test_single_requests_are_timed_and_failures_counted(bare_app):
    before = []
    result = timed(bare_app, ["/", "/", "/no-such-page/"], before=lambda: before.append(1))

    assert result.requests == 3 and len(before) == 3
    assert result.errors == {"status≥400/socket": 1}
    assert 0 < result.p50 <= result.max
