"""The WSGI front of the page cache (portal/page_cache_front.py): a hit is answered before
Django runs, with the same bytes and headers; everything else reaches Django, which uses the
front's lookup instead of asking the cache again. Every invalidation test of the page cache
also runs through the front (tests/portal/test_page_cache.py, the `client` fixture)."""

from __future__ import annotations

import pytest
from django.core.signals import request_started

from tests.portal.front_client import FrontClient
from tests.portal.test_page_cache import get

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_runs():
    started: list[object] = []

    def count(sender, **kwargs):
        started.append(sender)

    request_started.connect(count)
    yield started
    request_started.disconnect(count)


def test_a_hit_is_answered_before_django_with_the_pages_bytes_and_headers(
    page_cache_on, site, django_runs
):
    record = site.publish("近视防控通知")
    client = FrontClient()
    url = f"/records/{record.pk}/"
    first = get(client, url)
    assert first.served_by_front is False and first["X-Page-Cache"] == "miss"
    runs = len(django_runs)
    hit = get(client, url)
    assert hit.served_by_front is True and len(django_runs) == runs
    assert hit.status_code == 200 and hit["X-Page-Cache"] == "hit"
    assert hit.content.replace("浏览次数:2<".encode(), "浏览次数:1<".encode()) == first.content
    assert int(hit["Content-Length"]) == len(hit.content)
    for header in ("Content-Type", "Cache-Control", "Content-Security-Policy", "X-Frame-Options"):
        assert hit[header] == first[header], header
    assert len(hit["X-Request-ID"]) == 32 and hit["X-Request-ID"] != first["X-Request-ID"]


def test_a_miss_asks_the_cache_once_and_stores_the_page_it_renders(page_cache_on, site, lookups):
    """The front's lookup (and the render lock it took) goes on to the middleware."""
    site.publish("近视防控通知")
    client = FrontClient()
    assert get(client, "/records/")["X-Page-Cache"] == "miss"
    assert lookups == ["/records/"]
    assert get(client, "/records/").served_by_front is True
    assert lookups == ["/records/", "/records/"]


@pytest.mark.parametrize(
    "headers",
    [{"if-none-match": "*"}, {"if-modified-since": "Sun, 06 Dec 2099 00:00:00 GMT"}],
    ids=["etag", "date"],
)
def test_conditional_requests_are_answered_by_django_from_the_stored_page(
    page_cache_on, site, lookups, headers
):
    site.publish("近视防控通知")
    client = FrontClient()
    get(client, "/api/records")
    response = client.get("/api/records", headers={"host": "testserver", **headers})
    assert response.served_by_front is False
    assert response.status_code == 304 and response["Cache-Control"].startswith("public")
    assert lookups == ["/api/records", "/api/records"]


def test_head_staff_and_unknown_parameters_go_to_django(page_cache_on, site, lookups):
    site.publish("近视防控通知")
    client = FrontClient()
    get(client, "/records/")
    head = client.head("/records/", headers={"host": "testserver"})
    assert head.served_by_front is False and head.status_code == 200 and head.content == b""
    staff = FrontClient()
    staff.force_login(site.publisher)
    response = get(staff, "/records/")
    assert response.served_by_front is False and "X-Page-Cache" not in response
    junk = get(client, "/records/?utm_source=x")
    assert junk.served_by_front is False and "X-Page-Cache" not in junk
    assert lookups == ["/records/", "/records/"]  # HEAD: the middleware's own lookup


def test_a_withdrawn_record_is_answered_by_django_not_from_the_front(page_cache_on, site):
    record = site.publish("近视防控通知")
    client = FrontClient()
    url = f"/records/{record.pk}/"
    get(client, url)
    assert get(client, url).served_by_front is True
    site.withdraw(record)
    gone = get(client, url)
    assert gone.served_by_front is False and gone.status_code == 410


def test_a_disallowed_host_is_refused_by_django(page_cache_on, site):
    client = FrontClient()
    get(client, "/records/")
    response = client.get("/records/", headers={"host": "attacker.example"})
    assert response.served_by_front is False and response.status_code == 400


def test_a_render_lock_taken_in_front_is_freed_if_django_fails_before_the_middleware(
    page_cache_on, site, lookups
):
    from django.test import RequestFactory

    from portal import page_cache
    from portal.page_cache_front import page_cache_front

    def broken(environ, start_response):
        raise RuntimeError("a request_started receiver failed")

    request = RequestFactory().get("/records/", headers={"host": "testserver"})
    with pytest.raises(RuntimeError):
        page_cache_front(broken)(dict(request.environ), lambda *args: None)
    page = page_cache.page_request(request)
    assert page_cache.pages().lookup(page, "another reader").state == "render"
