"""The documented production environment (README, "Deploy behind gunicorn") passes
`manage.py check --deploy`; the security settings follow the environment."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def documented_environment() -> dict[str, str]:
    """The lines of README's /etc/portal/portal.env block, with the two keys made random."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n# /etc/portal/portal.env\n(.*?)```", readme, re.S)
    assert block, "README lost its production environment block"
    env = dict(line.split("=", 1) for line in block.group(1).splitlines() if "=" in line)
    assert {"SECRET_KEY", "AUDIT_CHAIN_KEY", "HTTPS", "SECURE_PROXY_SSL_HEADER"} <= set(env)
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["AUDIT_CHAIN_KEY"] = secrets.token_urlsafe(50)
    return env


def run_manage(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """A fresh process with only this environment (none of the test run's own settings)."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_environment_passes_check_deploy_without_warnings(tmp_path):
    result = run_manage(tmp_path, documented_environment(), "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS:" not in output and "ERRORS:" not in output, output


def test_check_deploy_refuses_staff_two_factor_turned_off(tmp_path):
    env = {**documented_environment(), "PORTAL_STAFF_2FA": "0"}
    result = run_manage(tmp_path, env, "check", "--deploy")
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr and "PORTAL_STAFF_2FA=0" in result.stderr


def test_check_deploy_warns_without_an_audit_chain_key(tmp_path):
    env = documented_environment()
    del env["AUDIT_CHAIN_KEY"]
    result = run_manage(tmp_path, env, "check", "--deploy")
    assert "disclosure.W001" in result.stdout + result.stderr


def test_behind_the_proxy_https_gets_hsts_and_plain_http_is_redirected(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "from django.test.utils import setup_test_environment;"
        "setup_test_environment();"
        "c = Client(HTTP_HOST='xxgk.example.gov.cn');"
        "secure = c.get('/robots.txt', HTTP_X_FORWARDED_PROTO='https');"
        "plain = c.get('/robots.txt');"
        "print(secure.status_code, secure['Strict-Transport-Security']);"
        "print(plain.status_code, plain['Location']);"
        "print(secure['Content-Security-Policy'])"
    )
    result = run_manage(tmp_path, documented_environment(), "shell", "-c", script)
    secure, plain, csp = result.stdout.strip().splitlines()[-3:]
    assert secure == "200 max-age=31536000; includeSubDomains; preload", result.stderr
    assert plain == "301 https://xxgk.example.gov.cn/robots.txt"
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/login/", "/api/docs"])
def test_every_response_carries_a_strict_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
