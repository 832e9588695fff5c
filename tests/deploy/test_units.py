"""deploy/'s systemd units and environment template agree with the code they run."""

from __future__ import annotations

import configparser
import re
import shlex

from django.core.management import get_commands

from tests.deploy.servers import REPO, manage, server_env

DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("portal-*"))


def unit(path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def template_env() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "portal.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_every_service_runs_an_existing_command_with_the_shared_environment_file():
    services = [p for p in UNITS if p.suffix == ".service"]
    assert {p.name for p in services} == {
        "portal-web.service",
        "portal-exports.service",
        "portal-due-tasks.service",
        "portal-backup.service",
    }
    for path in services:
        service = unit(path)["Service"]
        assert service["EnvironmentFile"] == "/etc/portal/portal.env", path.name
        command = shlex.split(service["ExecStart"])
        if "manage.py" in command:
            name = command[command.index("manage.py") + 1]
            assert name in get_commands(), f"{path.name}: no command {name}"
        else:
            assert command[0].endswith("/gunicorn") and "portal.wsgi:application" in command
            config = command[command.index("-c") + 1]
            assert (REPO / config.removeprefix("/srv/portal/")).exists()


def test_every_timer_starts_a_service_that_exists():
    for path in (p for p in UNITS if p.suffix == ".timer"):
        timer = unit(path)["Timer"]
        assert (DEPLOY / "systemd" / timer["Unit"]).exists(), path.name
        assert timer["OnCalendar"] and timer["Persistent"] == "true"


def test_every_variable_of_the_env_template_is_read_by_the_code():
    sources = "".join(
        p.read_text(encoding="utf-8")
        for p in (REPO / "portal/settings.py", DEPLOY / "gunicorn.conf.py")
    )
    read = set(re.findall(r"""(?:environ\.get|env_flag)\(\s*["']([A-Z_]+)["']""", sources))
    read |= set(re.findall(r"""environ\[["']([A-Z_]+)["']\]""", sources))
    assert set(template_env()) - read == set()


def test_check_deploy_is_clean_with_the_env_template(tmp_path):
    env = {**template_env(), "PORTAL_VAR_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "m")}
    done = manage("check", "--deploy", "--fail-level", "WARNING", env=server_env(**env))
    assert done.returncode == 0, done.stdout + done.stderr
