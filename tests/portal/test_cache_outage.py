"""Redis stopped: pages are served uncached, the request form and lookup refuse clearly.

The test starts its own redis-server on a free loopback port (never the shared one) and points
the cache at it, then stops it."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from applications.models import InformationRequest
from portal.views.requests import LIMITS_UNAVAILABLE
from tests.deploy.servers import redis_server, stop
from tests.factories import applicant_fields, make_organization, make_published_record
from tests.portal.front_client import FrontClient, wait_for_local_copy_to_pause

pytestmark = pytest.mark.django_db

FORM = reverse("portal:request_form")
STATUS = reverse("portal:request_status")


@pytest.fixture
def own_redis(tmp_path, settings):
    with redis_server(tmp_path) as (port, process):
        settings.CACHES = {
            "default": {
                "BACKEND": "portal.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        caches["default"].clear()
        yield port, process


def test_pages_are_served_and_the_form_refuses_while_redis_is_down(own_redis, tmp_path):
    port, process = own_redis
    record = make_published_record(title="教育工作总结")
    client = Client()
    assert client.get("/zh-hant/").status_code == 200  # conversion cached in Redis
    stop(process)

    for url in ("/", "/zh-hant/", record.get_absolute_url(), "/records/", "/healthz", FORM):
        assert client.get(url).status_code == 200, url
    assert "教育工作總結" in client.get("/zh-hant/").content.decode()
    assert client.get("/readyz").status_code == 200  # the database is what readiness needs

    data = applicant_fields(applicant_name="王五")
    data.update({"organization": make_organization().pk, "medium": "paper", "delivery": "post"})
    refused = client.post(FORM, data)
    assert refused.status_code == 503
    page = refused.content.decode()
    assert LIMITS_UNAVAILABLE in page and 'value="王五"' in page  # nothing typed is lost
    assert not InformationRequest.objects.exists()
    lookup = client.post(STATUS, {"tracking_number": "YSQ2026-00001", "phone": "13800138000"})
    assert lookup.status_code == 503 and LIMITS_UNAVAILABLE in lookup.content.decode()

    with redis_server(tmp_path, port=port):
        assert client.post(FORM, data).status_code == 302
    assert InformationRequest.objects.count() == 1


@pytest.mark.parametrize("client_class", [Client, FrontClient], ids=["django", "front"])
def test_page_cache_and_view_counts_survive_redis_stopping(own_redis, settings, client_class):
    """Cached pages while Redis runs; once it stops: rendered pages (never a 500), and each
    view counted in the database instead; the same through the WSGI front gunicorn runs."""
    settings.PAGE_CACHE_ENABLED = True
    _, process = own_redis
    record = make_published_record(title="教育工作总结")
    client = client_class()
    url = record.get_absolute_url()
    for path in (url, "/", "/records/", "/feeds/latest/", "/api/records"):
        client.get(path)
        assert client.get(path)["X-Page-Cache"] == "hit", path
    assert "浏览次数:3<" in client.get(url).content.decode()  # counted in Redis
    stop(process)
    wait_for_local_copy_to_pause()

    for path in ("/", "/zh-hant/", "/records/", "/feeds/latest/", "/api/records", "/sitemap.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "X-Page-Cache" not in response
    page = client.get(url)
    assert page.status_code == 200 and "X-Page-Cache" not in page
    assert "浏览次数:1<" in page.content.decode()  # the views in Redis are out of reach
    client.get(url)
    record.refresh_from_db()
    assert record.view_count == 2  # counted in the database while Redis is down
