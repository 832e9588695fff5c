"""More than one web server: two gunicorn instances (two workers each) against one database and
one Redis, as two hosts behind a load balancer would run.

A citizen's requests may land on any worker of any server; what one of them counts or stores
must hold on the others: the request form's rate limit, the staff session.
"""

from __future__ import annotations

import contextlib
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from portal.views.requests import LIMITS_UNAVAILABLE, RATE_LIMITED
from tests.deploy.servers import gunicorn, manage, redis_server, s3_server, stop
from tests.deploy.test_nginx import multipart
from tests.factories import applicant_fields, tiny_pdf


@dataclass
class Site:
    """Two servers' base URLs and the Redis they share."""

    bases: tuple[str, str]
    redis: object  # the redis-server process (a test may stop it)
    log: Path


@contextlib.contextmanager
def two_servers(served_database, root: Path, **env: str) -> Iterator[Site]:
    """Two gunicorn instances of two workers each, one database, one Redis of the test's own."""
    with redis_server(root) as (redis_port, redis_process):
        server_env = served_database.env(
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            EXPORT_JOBS_IN_PROCESS="0",
            **env,
        )
        with (
            gunicorn(server_env, root / "a.log", workers=2) as (port_a, _),
            gunicorn(server_env, root / "b.log", workers=2) as (port_b, _),
        ):
            yield Site(
                bases=(f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"),
                redis=redis_process,
                log=root,
            )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A citizen's browser: one cookie jar, whichever server answers."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def open(
        self, url: str, data: dict[str, str] | bytes | None = None, content_type: str = ""
    ) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        headers = {"Content-Type": content_type} if content_type else {}
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)


def application_form(browser: Browser, base: str) -> dict[str, str]:
    status, page, _ = browser.open(base + "/requests/apply/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    select = page[page.index('name="organization"') :]
    organization = re.search(r'<option value="(\d+)"', select).group(1)
    return {
        **applicant_fields(),
        "organization": organization,
        "medium": "electronic",
        "delivery": "email",
        "csrfmiddlewaretoken": token,
    }


def test_the_request_form_limit_holds_across_workers_and_servers(served_database, tmp_path):
    """5 an hour per client address, counted once in the shared Redis: alternating between
    two servers of two workers each does not give one address 5 per worker or per server.
    With that Redis stopped the form refuses (fails closed) and says so."""
    with two_servers(served_database, tmp_path) as site:
        browser = Browser()
        data = application_form(browser, site.bases[0])
        statuses = []
        for n in range(10):
            status, page, _ = browser.open(site.bases[n % 2] + "/requests/apply/", data)
            statuses.append(status)
            if status == 429:
                assert RATE_LIMITED in page
        assert statuses == [302] * 5 + [429] * 5

        raw = served_database.connect()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT count(*) FROM disclosure_informationrequest")
            submitted = cursor.fetchone()[0]
        finally:
            raw.close()

        stop(site.redis)
        for base in site.bases:
            status, page, _ = browser.open(base + "/requests/apply/", data)
            assert status == 503
            assert LIMITS_UNAVAILABLE in page
            assert Browser().open(base + "/records/")[0] == 200  # pages go on, uncached

        raw = served_database.connect()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT count(*) FROM disclosure_informationrequest")
            assert cursor.fetchone()[0] == submitted  # nothing accepted without a limit
        finally:
            raw.close()


def test_a_staff_login_on_one_server_holds_on_the_other(served_database, tmp_path):
    """Sessions live in the shared database: signed in on one server, the admin opens on the
    other; a browser without that session is sent to the login page there."""
    username = "two-servers"
    create_superuser(served_database, username)
    with two_servers(served_database, tmp_path, PORTAL_STAFF_2FA="0") as site:
        one, other = site.bases
        browser = staff_login(one, username)
        status, page, _ = browser.open(other + "/admin/")
        assert status == 200
        assert username in page

        stranger = Browser()
        status, _, headers = stranger.open(other + "/admin/")
        assert status == 302 and "/admin/login/" in headers["Location"]


def create_superuser(served_database, username: str) -> None:
    created = manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser('{username}', '', 'Correct-Horse-9')",
        env=served_database.env(),
    )
    assert created.returncode == 0, created.stderr


def staff_login(base: str, username: str) -> Browser:
    browser = Browser()
    status, page, _ = browser.open(base + "/admin/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, headers = browser.open(
        base + "/admin/login/?next=/admin/",
        {"username": username, "password": "Correct-Horse-9", "csrfmiddlewaretoken": token},
    )
    assert status == 302, headers
    return browser


def test_an_upload_on_one_server_is_downloaded_from_the_other_through_s3(served_database, tmp_path):
    """With S3_BUCKET set, an applicant's file sent to server A is a private object in the
    bucket; staff signed in on server B get it by a short-lived signed URL (after B's
    permission check), and nothing was written to either server's media directory."""
    create_superuser(served_database, "s3-clerk")
    with s3_server("portal-two") as endpoint:
        env = {
            "S3_BUCKET": "portal-two",
            "S3_ENDPOINT_URL": endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
            "PORTAL_STAFF_2FA": "0",
        }
        with two_servers(served_database, tmp_path, **env) as site:
            one, other = site.bases
            citizen = Browser()
            fields = application_form(citizen, one)
            scan = tiny_pdf(200 * 1024)
            body, content_type = multipart(
                {**fields, "applicant_name": "S3 测试"}, {"attachment": ("身份证.pdf", scan)}
            )
            status, page, _ = citizen.open(one + "/requests/apply/", body, content_type)
            assert status == 302, page[:2000]

            raw = served_database.connect()
            try:
                cursor = raw.cursor()
                cursor.execute(
                    "SELECT id, attachment FROM disclosure_informationrequest "
                    "WHERE attachment <> '' ORDER BY id DESC LIMIT 1"
                )
                request_id, key = cursor.fetchone()
            finally:
                raw.close()
            media = served_database.root / "media"
            assert not any(p.name == Path(key).name for p in media.rglob("*"))

            url = f"{other}/admin/applications/informationrequest/{request_id}/attachment/"
            assert Browser().open(url)[0] == 302  # not signed in: to the login page
            status, _, headers = staff_login(other, "s3-clerk").open(url)
            assert status == 302
            signed = headers["Location"]
            assert signed.startswith(endpoint + "/portal-two/")
            assert "X-Amz-Signature" in signed or "Signature" in signed
            with urllib.request.urlopen(signed, timeout=30) as response:  # noqa: S310
                assert response.read() == scan
            with (
                contextlib.suppress(urllib.error.HTTPError),
                urllib.request.urlopen(  # noqa: S310
                    signed.split("?")[0], timeout=30
                ),
            ):
                raise AssertionError("the object is readable without a signature")
