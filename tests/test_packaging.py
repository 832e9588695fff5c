"""`pip install` of the built wheel runs the portal from any directory (pyproject.toml, setup.py).

The wheel is built offline from the checkout (no build isolation, so nothing is downloaded),
installed without dependencies into a fresh venv that borrows this venv's site-packages for
Django and the rest, and run from an unrelated directory with DEBUG off, as `./scripts/demo`
runs it: `portal check`, `portal setup_demo`, then `python -m portal runserver` answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]


def run(args: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # noqa: S603
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist, source = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("src") / "portal"
    shutil.copytree(  # build from a copy: the build leaves build/ and *.egg-info behind
        CHECKOUT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "var", "build", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(dist), str(source)],
    )  # fmt: skip
    (built,) = dist.glob("gov_disclosure_portal-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding only the wheel; dependencies come from this venv's site-packages."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    site_packages = Path(purelib.stdout.strip())
    (site_packages / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
    )  # fmt: skip
    return venv


def test_wheel_carries_templates_static_fixtures_and_the_portal_command(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "portal/bundled/templates/base.html",
        "portal/bundled/templates/portal/404.html",
        "portal/bundled/static/portal/site.css",
        "portal/bundled/fixtures/vocabulary.json",
        "portal/bundled/fixtures/seed_record.json",
        "portal/locale/zh_HK/LC_MESSAGES/django.mo",
        "portal/__main__.py",
        "disclosure/models/__init__.py",
    ):
        assert name in names, name
    assert not [n for n in names if n.startswith(("tests/", "var/", "bundled/"))]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "portal = portal.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_serves_the_demo_from_another_directory(installed, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_VAR_DIR", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PORTAL_INSECURE_DEMO="1", DJANGO_DEBUG="0", PYTHONPATH="")
    python, portal = installed / "bin" / "python", installed / "bin" / "portal"
    where = run([python, "-c", "import portal; print(portal.__file__)"], cwd=site, env=env)
    assert where.stdout.startswith(str(installed)), "the wheel's portal must be the one imported"

    check = run([portal, "check"], cwd=site, env=env)
    assert "System check identified no issues" in check.stdout
    run([portal, "setup_demo"], cwd=site, env=env)
    assert (site / "var" / "db.sqlite3").is_file()  # data beside the reader, not in the venv
    assert not list(installed.rglob("db.sqlite3"))
    data = tmp_path / "data"
    run([portal, "migrate", "-v0"], cwd=site, env={**env, "PORTAL_VAR_DIR": str(data)})
    assert (data / "db.sqlite3").is_file()  # or wherever PORTAL_VAR_DIR says

    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [python, "-m", "portal", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, home = fetch(base + "/")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("runserver did not answer")
        assert status == 200 and "信息公开目录" in home
        status, seed = fetch(base + "/records/1/")
        assert status == 200 and "2020年全市教育工作上半年总结和下半年计划" in seed
        status, listing = fetch(base + "/records/?page=10")  # the sample site: pages of records
        assert status == 200
        status, css = fetch(base + "/static/portal/site.css")
        assert status == 200 and "font-size" in css  # WhiteNoise, DEBUG off
        status, missing = fetch(base + "/no/such/page/")
        assert status == 404 and "页面不存在" in missing and "Traceback" not in missing
        status, hk = fetch(base + "/zh-hk/")
        assert status == 200 and '<html lang="zh-Hant-HK">' in hk
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "System check identified no issues" in output
