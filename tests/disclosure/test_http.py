from pathlib import Path

from django.test import RequestFactory

from disclosure.http import client_ip

ROOT = Path(__file__).resolve().parents[2]
APPS = ("disclosure", "applications", "plans", "reports", "exchange", "search", "portal")


def test_client_ip_is_the_peer_address_or_none():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")) == "10.1.2.3"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="")) is None
    assert client_ip(None) is None


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(settings):
    settings.TRUSTED_PROXIES = frozenset({"127.0.0.1", "::1"})
    factory = RequestFactory()
    via_nginx = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(via_nginx) == "203.0.113.9"
    # A client-supplied entry before the proxy's own is not believed: the last untrusted one is.
    planted = factory.get(
        "/", REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9, 127.0.0.1"
    )
    assert client_ip(planted) == "203.0.113.9"
    # Garbage in the header falls back to the proxy, never to the garbage.
    assert client_ip(factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="x")) == (
        "127.0.0.1"
    )


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert client_ip(request) == "198.51.100.4"
    settings.TRUSTED_PROXIES = frozenset()
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert client_ip(request) == "127.0.0.1"


def test_no_other_module_reads_the_client_address_itself():
    readers = [
        path.relative_to(ROOT).as_posix()
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "REMOTE_ADDR" in path.read_text(encoding="utf-8")
    ]
    assert readers == ["disclosure/http.py"]
