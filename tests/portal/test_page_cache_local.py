"""A worker's own copy of its cached pages (portal/page_cache_local.py): served again without
asking Redis, dropped at once by a change made in this process and within moments by one made
in another (Redis pub/sub), and not used while the subscription is lost. Redis only: these run
in the PostgreSQL pass; every invalidation test of tests/portal/test_page_cache.py also runs
through the front with this copy live (the `client` fixture)."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from portal import page_cache_local
from tests.portal.front_client import FrontClient, wait_for_local_copy
from tests.portal.test_page_cache import get, shows

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("not _shared_cache()", reason="Redis (the PostgreSQL pass)"),
]


def _shared_cache() -> bool:
    return isinstance(caches["default"], RedisCache)


def until(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_page_served_once_from_redis_is_served_again_from_the_workers_copy(
    page_cache_on, site, lookups
):
    record = site.publish("近视防控通知")
    client = FrontClient()
    wait_for_local_copy()
    url = f"/records/{record.pk}/"
    for path in ("/", "/records/", url):
        rendered, from_redis, from_copy = (get(client, path) for _ in range(3))
        assert [r["X-Page-Cache"] for r in (rendered, from_redis, from_copy)] == [
            "miss",
            "hit",
            "hit",
        ]
        assert from_copy.content == from_redis.content or path == url
    assert lookups == ["/", "/", "/records/", "/records/", url, url]
    assert "浏览次数:3<" in from_copy.content.decode()  # still counted, in Redis
    assert "浏览次数:4<" in get(client, url).content.decode()


def test_a_change_made_here_drops_the_copy_at_once(page_cache_on, site, lookups):
    record = site.publish("近视防控WD1将撤回")
    client = FrontClient()
    wait_for_local_copy()
    url = f"/records/{record.pk}/"
    for path in ("/", url):
        get(client, path)
        get(client, path)
    site.withdraw(record)
    assert get(client, url).status_code == 410
    assert not shows(get(client, "/"), record, "WD1")


def test_a_change_made_by_another_worker_reaches_the_copy_through_redis(
    page_cache_on, site, monkeypatch
):
    """The other worker is played by this process with its own dropping switched off: only
    the message on the channel can take the page out of this copy."""
    record = site.publish("近视防控WD2将撤回")
    client = FrontClient()
    local = wait_for_local_copy()
    url = f"/records/{record.pk}/"
    for path in ("/", url):
        get(client, path)
        get(client, path)
    assert local.get(next(m for m in local.pages if "\n/\n" in m)) is not None
    monkeypatch.setattr(page_cache_local, "forget_here", lambda names: None)
    site.withdraw(record)
    assert until(lambda: not local.pages), "the withdrawal never reached this worker's copy"
    assert get(client, url).status_code == 410
    assert not shows(get(client, "/"), record, "WD2")


def test_a_lost_subscription_stops_the_copy_until_it_is_back(page_cache_on, site, lookups):
    client = FrontClient()
    local = wait_for_local_copy()
    get(client, "/")
    get(client, "/")
    assert local.pages
    caches["default"]._cache.get_client(write=True).client_kill_filter(_type="pubsub")
    assert until(lambda: not local.live), "a killed subscription went unnoticed"
    assert not local.pages
    asked = len(lookups)
    get(client, "/")
    assert len(lookups) == asked + 1  # asked of Redis while the copy is off
    assert until(lambda: local.live, seconds=5), "the subscription did not come back"


def test_a_listing_kept_in_the_copy_changes_at_a_scheduled_publication(
    page_cache_on, site, lookups
):
    import datetime

    import time_machine
    from django.utils import timezone

    moment = timezone.now() + datetime.timedelta(minutes=5)
    site.publish("近视防控SC1定时", at=moment)
    client = FrontClient()
    wait_for_local_copy()
    get(client, "/records/")
    assert "SC1" not in get(client, "/records/").content.decode()
    with time_machine.travel(moment + datetime.timedelta(seconds=1), tick=False):
        assert "SC1" in get(client, "/records/").content.decode()


def test_the_copy_stays_within_its_page_and_byte_budget(page_cache_on, monkeypatch):
    local = wait_for_local_copy()
    monkeypatch.setattr(page_cache_local, "MAX_BYTES", 100_000)
    for n in range(50):
        local.keep(material=f"page {n}", depends_on="x", entry=b"." * 10_000, mark=local.mark())
        assert local.bytes <= 100_000
    assert local.get("page 49") is not None and local.get("page 0") is None
    assert local.bytes == sum(len(page.entry) for page in local.pages.values())
    local.keep(material="huge", depends_on="x", entry=b"." * (2 << 20), mark=local.mark())
    assert local.get("huge") is None  # a sitemap-sized page is never kept


def test_a_record_page_changed_elsewhere_is_never_served_from_the_copy(
    page_cache_on, site, monkeypatch
):
    """Even before the message reaches this worker (here: never), a record page from the copy
    is counted only under the generations it was read with: a withdrawal is asked again."""
    record = site.publish("近视防控WD4将撤回")
    client = FrontClient()
    local = wait_for_local_copy()
    url = f"/records/{record.pk}/"
    for _ in range(3):
        get(client, url)
    assert any(f"/records/{record.pk}/" in material for material in local.pages)
    monkeypatch.setattr(page_cache_local, "forget_here", lambda names: None)
    monkeypatch.setattr(local, "forget", lambda names: None)  # the message is late
    site.withdraw(record)
    assert any(f"/records/{record.pk}/" in material for material in local.pages)
    assert get(client, url).status_code == 410
