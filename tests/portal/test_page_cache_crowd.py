"""The page cache under a crowd (portal/page_cache.py): one reader renders a page while the
others get the page from before a publication, never the page from before a withdrawal, and a
stored page keeps the headers every reader must get.

"A render in flight" is a lock taken the way the middleware takes it (`lookup_page`), held
while the test reads the page as another reader would.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from disclosure.models import DisclosureRecord
from portal import page_cache
from tests.portal.front_client import client_of
from tests.portal.test_page_cache import SURFACES, Site, get, shows, warm

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["django", "front"])
def client(request) -> Client:
    return client_of(request.param)


@pytest.fixture
def page_cache_on(settings, monkeypatch):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_ADDITION_LAG = 0
    monkeypatch.setattr(page_cache, "WAIT_SECONDS", 0.2)  # a reader's wait for a render


def render_in_flight(url: str) -> page_cache.Lookup:
    """Another reader has missed `url` and is rendering it: it holds the page's lock."""
    request = RequestFactory().get(url, headers={"host": "testserver"})
    page = page_cache.page_request(request)
    assert page is not None
    found = page_cache.lookup_page(page)
    assert found.state == "render", found.state
    return found


def test_readers_get_the_page_from_before_a_publication_while_one_renders_it(
    page_cache_on, site, client
):
    site.publish("近视防控第一号")
    warm(client, "/")

    fresh = site.publish("近视防控PB5新规")
    renderer = render_in_flight("/")
    for _ in range(2):
        meanwhile = get(client, "/")
        assert meanwhile.status_code == 200
        assert meanwhile["X-Page-Cache"] == "stale"
        assert "近视防控第一号" in meanwhile.content.decode()
        assert not shows(meanwhile, fresh, "PB5")

    page_cache.pages().release(renderer)  # the render failed: the next reader renders
    rendered = get(client, "/")
    assert rendered["X-Page-Cache"] == "miss" and shows(rendered, fresh, "PB5")
    assert get(client, "/")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("surface", SURFACES)
def test_no_reader_gets_a_page_from_before_a_withdrawal_while_it_renders(
    page_cache_on, site, client, surface
):
    site.publish("近视防控第一号")
    doomed = site.publish("近视防控WD3将撤回")
    url = site.listing_surfaces()[surface]
    warm(client, url)
    assert shows(get(client, url), doomed, "WD3"), surface

    site.withdraw(doomed)
    render_in_flight(url)
    for _ in range(2):  # waited for the render, then rendered itself: never the old page
        response = get(client, url)
        assert response.status_code == 200
        assert response.get("X-Page-Cache") != "stale", surface
        assert not shows(response, doomed, "WD3"), surface


@pytest.mark.parametrize("surface", ["listing", "catalogue", "search", "api_list"])
def test_a_listing_may_lag_a_publication_but_never_a_withdrawal(
    page_cache_on, settings, site, client, surface
):
    settings.PAGE_CACHE_ADDITION_LAG = 60
    site.publish("近视防控第一号")
    url = site.listing_surfaces()[surface]
    warm(client, url)

    fresh = site.publish("近视防控LG2新规")
    lagging = get(client, url)  # no render: the page from before the publication
    assert lagging["X-Page-Cache"] == "stale" and not shows(lagging, fresh, "LG2"), surface
    home = get(client, "/")  # home never lags
    assert home["X-Page-Cache"] == "miss" and shows(home, fresh, "LG2")

    site.withdraw(fresh)
    site.withdraw(DisclosureRecord.objects.get(title="近视防控第一号"))
    after = get(client, url)
    assert after.get("X-Page-Cache") != "stale"
    assert "近视防控第一号" not in after.content.decode(), surface


def _shared_cache() -> bool:
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    return isinstance(caches["default"], RedisCache)


@pytest.mark.skipif("not _shared_cache()", reason="render slots live in Redis (PostgreSQL pass)")
@pytest.mark.parametrize("surface", ["listing", "catalogue", "search", "api_list"])
def test_while_the_render_slots_are_taken_a_listing_lags_but_home_and_withdrawals_do_not(
    page_cache_on, settings, monkeypatch, site, client, surface
):
    settings.PAGE_CACHE_RENDER_SLOTS = 1
    site.publish("近视防控第一号")
    url, other = site.listing_surfaces()[surface], site.listing_surfaces()["listing_filtered"]
    warm(client, url)
    warm(client, other)

    fresh = site.publish("近视防控RS1新规")
    renderer = render_in_flight(other)  # a worker renders another listing: the one slot
    lagging = get(client, url)
    assert lagging["X-Page-Cache"] == "stale" and not shows(lagging, fresh, "RS1"), surface
    home = get(client, "/")
    assert home["X-Page-Cache"] == "miss" and shows(home, fresh, "RS1")
    page_cache.pages().release(renderer)
    rendered = get(client, url)
    assert rendered["X-Page-Cache"] == "miss" and shows(rendered, fresh, "RS1"), surface

    monkeypatch.setattr(page_cache, "LOCK_SECONDS", 0.05)
    second = site.publish("近视防控RS2新规")
    render_in_flight(other)  # this render dies: it never stores nor releases
    assert get(client, url)["X-Page-Cache"] == "stale"
    time.sleep(0.1)
    freed = get(client, url)  # the dead render's slot expired with its lock
    assert freed["X-Page-Cache"] == "miss" and shows(freed, second, "RS2"), surface

    monkeypatch.setattr(page_cache, "LOCK_SECONDS", 10)
    site.publish("近视防控RS3新规")
    render_in_flight(other)
    site.withdraw(second)
    after = get(client, url)  # a withdrawal: no earlier page may be served, slot or not
    assert after.get("X-Page-Cache") != "stale" and not shows(after, second, "RS2"), surface


@pytest.mark.parametrize("change", ["withdrawal", "edit"])
def test_no_record_page_is_served_stale(page_cache_on, site, client, change):
    record = site.publish("近视防控原标题")
    url = f"/records/{record.pk}/"
    warm(client, url)

    if change == "withdrawal":
        site.withdraw(record)
    else:
        site.edit(record, title="近视防控ED7新标题")
    render_in_flight(url)
    response = get(client, url)
    assert response.get("X-Page-Cache") != "stale"
    if change == "withdrawal":
        assert response.status_code in (404, 410)
        assert "近视防控原标题" not in response.content.decode()
    else:
        assert "ED7" in response.content.decode()


def test_an_edit_of_a_published_record_is_never_served_stale_in_listings(
    page_cache_on, site, client
):
    """An edit may take text out of public view (a correction): like a withdrawal."""
    record = site.publish("近视防控含错别字SEC1")
    warm(client, "/")
    site.edit(record, title="近视防控已更正")
    render_in_flight("/")
    response = get(client, "/")
    assert response.get("X-Page-Cache") != "stale"
    assert "SEC1" not in response.content.decode()


def test_saving_a_draft_leaves_the_cached_listings_alone(page_cache_on, site, client, committed):
    from tests.factories import make_record

    site.publish("近视防控第一号")
    warm(client, "/")
    draft = committed(
        make_record, title="草稿DR1", organization=site.organization, category=site.category
    )
    committed(draft.save)
    assert get(client, "/")["X-Page-Cache"] == "hit"
    assert get(client, f"/records/{draft.pk}/").status_code == 404


def test_a_cached_page_carries_the_security_and_csp_headers(page_cache_on, site, client):
    record = site.publish("近视防控通知")
    for url in ("/", f"/records/{record.pk}/", "/api/records"):
        miss, hit = get(client, url), get(client, url)
        assert hit["X-Page-Cache"] == "hit", url
        for header in (
            "Content-Security-Policy",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "X-Frame-Options",
            "Content-Type",
            "Cache-Control",
        ):
            assert hit[header] == miss[header], (url, header)
        assert "nonce-" not in hit["Content-Security-Policy"]
        assert hit["X-Request-ID"] != miss["X-Request-ID"]  # the request log's, per request
        assert int(hit["Content-Length"]) == len(hit.content)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_publication_under_concurrent_readers_renders_home_once(settings, vocabulary):
    settings.PAGE_CACHE_ENABLED = True
    site = Site(lambda write, *args, **kwargs: write(*args, **kwargs))  # commits for real
    site.publish("近视防控第一号")
    warm(Client(), "/")

    fresh = site.publish("近视防控CR8新规")
    readers = 8
    start = threading.Barrier(readers)
    answers: list[tuple[str, bool]] = []

    def reader() -> None:
        try:
            start.wait()
            response = get(Client(), "/")
            assert response.status_code == 200
            answers.append((response["X-Page-Cache"], shows(response, fresh, "CR8")))
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(answers) == readers
    states = [state for state, _ in answers]
    assert states.count("miss") == 1, states  # one render; the others: before it, or its page
    assert all(state in ("miss", "stale", "hit") for state in states), states
    assert all(new for state, new in answers if state != "stale")
    after = get(Client(), "/")
    assert after["X-Page-Cache"] == "hit" and shows(after, fresh, "CR8")
    assert DisclosureRecord.objects.filter(title__contains="CR8").exists()


def test_a_page_whose_reader_left_while_it_queued_is_not_rendered(page_cache_on, site, client):
    """Under gunicorn: the reader closed the connection before a worker took the request."""
    import socket

    record = site.publish("近视防控通知")
    url = f"/records/{record.pk}/"

    def request(*, reader_still_there: bool):
        server_end, reader_end = socket.socketpair()
        if not reader_still_there:
            reader_end.close()
        try:
            return client.get(
                url, headers={"host": "testserver"}, **{"gunicorn.socket": server_end}
            )
        finally:
            server_end.close()
            reader_end.close()

    gone = request(reader_still_there=False)
    assert gone.status_code == 499 and gone.content == b""
    there = request(reader_still_there=True)
    assert there.status_code == 200 and "近视防控通知" in there.content.decode()
    assert there["X-Page-Cache"] == "miss"  # the first was neither rendered nor stored
