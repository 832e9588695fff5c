from pathlib import Path

from django.test import RequestFactory

from disclosure.http import client_ip

ROOT = Path(__file__).resolve().parents[2]
APPS = ("disclosure", "applications", "plans", "reports", "exchange", "search", "portal")


def test_client_ip_is_the_peer_address_or_none():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")) == "10.1.2.3"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="")) is None
    assert client_ip(None) is None


def test_no_other_module_reads_the_client_address_itself():
    readers = [
        path.relative_to(ROOT).as_posix()
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "REMOTE_ADDR" in path.read_text(encoding="utf-8")
    ]
    assert readers == ["disclosure/http.py"]
