"""README's first command, `./scripts/demo`, as a newcomer runs it: at the address PORTAL_ADDR
names, with the banner printing that address, the demo login, and the portal answering there."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.test_packaging import free_port

REPO = Path(__file__).resolve().parents[1]


def test_the_demo_serves_at_portal_addr_and_its_banner_says_where(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PORTAL_ADDR=str(port), PORTAL_VAR_DIR=str(tmp_path / "var"))
    process = subprocess.Popen(
        [str(REPO / "scripts" / "demo")],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 240
        banner = ""
        assert process.stdout is not None
        while time.monotonic() < deadline and not banner:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if line.startswith("门户:"):
                banner = line
        assert banner, "".join(output)
        assert f"http://127.0.0.1:{port}/" in banner and ":8000" not in banner
        assert any("用户名 demo" in line and "密码" in line for line in output), "".join(output)
        body = ""
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode("utf-8")
            except OSError:
                time.sleep(0.5)
        assert "政府信息公开" in body
        assert (tmp_path / "var" / "db.sqlite3").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
