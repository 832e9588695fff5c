"""deploy/'s nginx site in front of gunicorn (deploy/gunicorn.conf.py), as in production:
pages, static files, an upload, the forwarded headers and the request id."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import ssl
import threading
import time
import uuid
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.deploy.nginx import MISSING, NGINX, nginx
from tests.deploy.servers import free_port, gunicorn
from tests.factories import applicant_fields, tiny_pdf

pytestmark = pytest.mark.skipif(NGINX is None, reason=MISSING)

SEED_TITLE = "2020年全市教育工作上半年总结和下半年计划"


@pytest.fixture(scope="module")
def site(served_database, tmp_path_factory):
    root = tmp_path_factory.mktemp("nginx")
    https_port = free_port()
    env = served_database.env(
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https_port}",
        LOG_FORMAT="json",
        TRUST_PROXY_REQUEST_ID="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        EXPORT_JOBS_IN_PROCESS="0",
    )
    log = root / "gunicorn.log"
    with (
        gunicorn(env, log) as (port, _),
        nginx(
            root / "nginx",
            upstream=f"127.0.0.1:{port}",
            static_root=served_database.root / "static",
            https_port=https_port,
        ) as proxy,
    ):
        proxy.app_log = log
        yield proxy


def app_log_entries(site) -> list[dict]:
    lines = site.app_log.read_text(encoding="utf-8", errors="replace").splitlines()
    entries = []
    for line in lines:
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):  # a line still being written
                entries.append(json.loads(line))
    return entries


def logged_request(site, request_id: str) -> dict:
    """The application's log line of one request (the worker may write it a moment later)."""
    deadline = time.monotonic() + 10
    while True:
        found = [e for e in app_log_entries(site) if e.get("request_id") == request_id]
        if found or time.monotonic() > deadline:
            assert found, site.app_log.read_text()[-3000:]
            return found[0]
        time.sleep(0.1)


def test_pages_are_served_over_http2_on_ipv4_and_ipv6(site):
    response, body = site.request("GET", "/")
    assert response.status == 200 and SEED_TITLE in body.decode()
    response, body = site.request("GET", "/zh-hant/")
    assert response.status == 200 and "2020年全市教育工作上半年總結" in body.decode()
    for address in ("127.0.0.1", "::1"):
        raw = socket.create_connection((address, site.https_port), 5)
        with site.tls().wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2", address


def test_plain_http_is_redirected_to_https(site):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
    connection.request("GET", "/records/?year=2020")
    response = connection.getresponse()
    assert response.status == 301
    assert (
        response.getheader("Location") == f"https://127.0.0.1:{site.https_port}/records/?year=2020"
    )


def test_static_files_come_from_collectstatic_output_served_by_nginx(site, served_database):
    response, body = site.request("GET", "/static/portal/site.css")
    assert response.status == 200
    assert body == (served_database.root / "static/portal/site.css").read_bytes()
    assert "public" in response.getheader("Cache-Control")
    assert response.getheader("X-Request-ID") is None  # nginx answered, not the application
    assert site.request("GET", "/static/portal/missing.css")[0].status == 404


def test_media_root_is_never_served_from_disk(site, served_database):
    media = served_database.root / "media" / "requests"
    media.mkdir(parents=True, exist_ok=True)
    (media / "id-card.pdf").write_bytes(b"%PDF-1.4 an applicant's identity document")
    assert site.request("GET", "/media/requests/id-card.pdf")[0].status == 404


def test_request_id_is_nginx_own_and_in_the_response_and_the_json_app_log(site):
    forged = "forged-request-id-0001"
    response, _ = site.request("GET", "/records/", headers={"X-Request-ID": forged})
    request_id = response.getheader("X-Request-ID")
    assert response.status == 200 and re.fullmatch(r"[0-9a-f]{32}", request_id)
    entry = logged_request(site, request_id)
    assert entry["path"] == "/records/" and entry["status"] == 200
    # nginx writes its access line after the response has gone: on a busy machine the client
    # may read the log first
    deadline = time.monotonic() + 5
    while f"id={request_id}" not in site.access_log() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert f"id={request_id}" in site.access_log()
    assert forged not in site.app_log.read_text()


def test_https_as_seen_by_nginx_reaches_the_application(site):
    response, body = site.request("GET", "/robots.txt", headers={"X-Forwarded-Proto": "http"})
    assert response.status == 200
    assert "Sitemap: https://127.0.0.1/sitemap.xml" in body.decode()


def test_health_endpoints_answer_through_nginx_uncached(site):
    for path in ("/healthz", "/readyz"):
        response, body = site.request("GET", path)
        assert response.status == 200 and body == b"ok\n"
        assert "no-store" in response.getheader("Cache-Control")


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_an_application_with_an_attachment_is_uploaded_through_nginx(site, served_database):
    response, body = site.request("GET", "/requests/apply/")
    assert response.status == 200
    page = body.decode()
    cookies = SimpleCookie()
    for header in response.msg.get_all("Set-Cookie"):
        cookies.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    select = page[page.index('name="organization"') :]
    organization = re.search(r'<option value="(\d+)"', select).group(1)
    scan = tiny_pdf(3 * 1024 * 1024)  # larger than nginx's buffers in memory
    fields = {
        **applicant_fields(),
        "organization": organization,
        "medium": "electronic",
        "delivery": "email",
        "csrfmiddlewaretoken": token,
    }
    form, content_type = multipart(fields, {"attachment": ("身份证.pdf", scan)})
    origin = f"https://127.0.0.1:{site.https_port}"
    response, body = site.request(
        "POST",
        "/requests/apply/",
        body=form,
        headers={
            "Content-Type": content_type,
            "Cookie": f"csrftoken={cookies['csrftoken'].value}",
            "Origin": origin,
            "Referer": origin + "/requests/apply/",
        },
    )
    assert response.status == 302, body.decode()[:2000]
    assert response.getheader("Location").endswith("/requests/receipt/")
    saved = [p for p in (served_database.root / "media").rglob("*") if p.is_file()]
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in saved}
    assert hashlib.sha256(scan).hexdigest() in digests


def test_a_body_over_the_upload_limit_is_refused_by_nginx(site):
    import http.client

    context = ssl.create_default_context(cafile=str(site.certificate))
    connection = http.client.HTTPSConnection("127.0.0.1", site.https_port, context=context)
    connection.putrequest("POST", "/requests/apply/")
    connection.putheader("Content-Type", "application/octet-stream")
    connection.putheader("Content-Length", str(61 * 1024 * 1024))
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()


class EchoHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_nginx_forwards_the_real_client_and_scheme_and_drops_forged_headers(tmp_path):
    """What the application receives from the proxy (an echo server stands in for it): the
    client's own address (127.0.0.2 here) whatever X-Forwarded-For it sent."""
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        with nginx(tmp_path / "nginx", upstream=f"127.0.0.1:{upstream.server_port}") as proxy:
            response, body = proxy.request(
                "GET",
                "/anything",
                source="127.0.0.2",
                headers={
                    "X-Forwarded-For": "203.0.113.9",
                    "X-Forwarded-Proto": "http",
                    "X-Forwarded-Ssl": "on",
                    "X-Request-ID": "forged-request-id-0001",
                    "Forwarded": "for=203.0.113.9;proto=http",
                },
            )
    finally:
        upstream.shutdown()
    seen = json.loads(body)
    assert seen["x-forwarded-for"] == "127.0.0.2"
    assert seen["x-forwarded-proto"] == "https"
    assert re.fullmatch(r"[0-9a-f]{32}", seen["x-request-id"])
    assert "x-forwarded-ssl" not in seen and "forwarded" not in seen
    assert seen["host"] == "127.0.0.1"
