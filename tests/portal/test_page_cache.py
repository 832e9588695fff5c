"""The page cache (portal/page_cache.py): every public surface shows each change at once, a
withdrawn record is never served from it, staff never use it, and a hit runs no SQL.

The writes run inside `committed()` (the test's transaction stands in for the commit), because
the cache is invalidated after commit (disclosure/changes.py). The PostgreSQL pass runs the
same tests against Redis (REDIS_URL), the SQLite pass against the local memory cache.
"""

from __future__ import annotations

import datetime
import io
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from disclosure.choices import DisclosureMethod
from disclosure.models import DisclosureRecord
from disclosure.roles import EDITOR, PUBLISHER, REVIEWER
from disclosure.scheduled import run_scheduled_tasks
from disclosure.workflow import (
    approve_record,
    publish_record,
    repeal_record,
    submit_record,
    withdraw_record,
)
from exchange.importing.service import import_records
from portal.models import SiteSettings
from tests.exchange.test_importing import root
from tests.factories import make_category, make_organization, make_record, make_staff
from tests.portal.front_client import client_of

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["django", "front"])
def client(request) -> Client:
    return client_of(request.param)


class Site:
    """An organization, its column and its team, and the record helpers of these tests."""

    def __init__(self, committed) -> None:
        self.committed = committed
        self.organization = make_organization(name="缓存测试教育局")
        self.category = make_category(name="缓存栏目")
        self.editor = make_staff(EDITOR, organization=self.organization)
        self.reviewer = make_staff(REVIEWER, organization=self.organization)
        self.publisher = make_staff(PUBLISHER, organization=self.organization)

    def publish(self, title: str, *, at: datetime.datetime | None = None) -> DisclosureRecord:
        def write():
            record = make_record(
                title=title,
                organization=self.organization,
                category=self.category,
                created_by=self.editor,
                updated_by=self.editor,
            )
            submit_record(record=record, actor=self.editor)
            approve_record(
                record=record,
                actor=self.reviewer,
                confidentiality_reviewed=True,
                disclosure_method=DisclosureMethod.PROACTIVE,
            )
            publish_record(record=record, actor=self.publisher, at=at)
            return DisclosureRecord.objects.get(pk=record.pk)

        return self.committed(write)

    def edit(self, record: DisclosureRecord, *, title: str) -> None:
        """A correction saved straight to the row (the admin, a shell): the safety net."""
        record = DisclosureRecord.objects.get(pk=record.pk)
        record.title = title
        self.committed(record.save)

    def withdraw(self, record: DisclosureRecord) -> None:
        self.committed(withdraw_record, record=record, actor=self.publisher, reason="内容有误")

    def listing_surfaces(self) -> dict[str, str]:
        slug, org = self.category.slug, self.organization.pk
        return {
            "home": "/",
            "home_hant": "/zh-hant/",
            "listing": "/records/",
            "listing_filtered": f"/records/?organization={org}",
            "catalogue": f"/catalogue/{slug}/",
            "search": "/search/?q=防控",
            "feed_latest": "/feeds/latest/",
            "feed_category": f"/feeds/catalogue/{slug}/",
            "feed_organization": f"/feeds/organization/{org}/",
            "sitemap_records": "/sitemap-records-1.xml",
            "api_list": "/api/records",
        }


def get(client: Client, url: str):
    return client.get(url, headers={"host": "testserver"})


def shows(response, record: DisclosureRecord, marker: str) -> bool:
    body = response.content.decode()
    return marker in body or f"/records/{record.pk}/" in body


def warm(client: Client, url: str) -> None:
    get(client, url)
    assert get(client, url)["X-Page-Cache"] == "hit", url


SURFACES = [
    "home",
    "home_hant",
    "listing",
    "listing_filtered",
    "catalogue",
    "search",
    "feed_latest",
    "feed_category",
    "feed_organization",
    "sitemap_records",
    "api_list",
]


@pytest.mark.parametrize("surface", SURFACES)
def test_listing_surface_shows_a_publication_at_once_and_drops_a_withdrawal(
    page_cache_on, site, client, surface
):
    site.publish("近视防控第一号")
    url = site.listing_surfaces()[surface]
    warm(client, url)

    fresh = site.publish("近视防控XQ7新规")
    after_publication = get(client, url)
    assert after_publication.status_code == 200
    assert shows(after_publication, fresh, "XQ7"), surface
    assert get(client, url)["X-Page-Cache"] == "hit"

    site.withdraw(fresh)
    for _ in range(2):  # rendered after the withdrawal, then served from the cache
        assert not shows(get(client, url), fresh, "XQ7"), surface


RECORD_SURFACES = {
    "record": "/records/{pk}/",
    "record_hant": "/zh-hant/records/{pk}/",
    "print": "/records/{pk}/print/",
    "api_detail": "/api/records/{index_number}",
}


@pytest.mark.parametrize("surface", list(RECORD_SURFACES))
def test_record_surface_shows_an_edit_at_once_and_is_gone_after_withdrawal(
    page_cache_on, site, client, surface
):
    record = site.publish("近视防控原标题")
    url = RECORD_SURFACES[surface].format(pk=record.pk, index_number=record.index_number)
    warm(client, url)

    site.edit(record, title="近视防控TK9新标题")
    assert "TK9" in get(client, url).content.decode()

    site.withdraw(DisclosureRecord.objects.get(pk=record.pk))
    for _ in range(2):
        gone = get(client, url)
        assert gone.status_code in (404, 410), surface
        assert "TK9" not in gone.content.decode()
        assert "X-Page-Cache" not in gone


def test_withdrawn_record_in_the_repeal_link_of_another_page_is_refreshed(
    page_cache_on, site, client
):
    """A's page names the record that repealed it: that record's change refreshes A's page."""
    repealing = site.publish("关于废止的决定")
    repealed = site.publish("旧的规定")
    site.committed(
        repeal_record, record=repealed, actor=site.publisher, repealed_by=repealing,
        repealed_on=timezone.localdate(),
    )  # fmt: skip
    url = f"/records/{repealed.pk}/"
    warm(client, url)
    assert "关于废止的决定" in get(client, url).content.decode()

    site.edit(repealing, title="关于废止的决定MZ4")
    assert "MZ4" in get(client, url).content.decode()


def test_repeal_shows_on_the_record_page_at_once(page_cache_on, site, client):
    record = site.publish("将被废止的规定")
    url = f"/records/{record.pk}/"
    warm(client, url)
    site.committed(
        repeal_record, record=record, actor=site.publisher, repealed_on=timezone.localdate()
    )
    assert "废止" in get(client, url).content.decode().split("record-title", 1)[1]


@pytest.mark.parametrize("url", ["/", "/records/{pk}/", "/catalogue/{slug}/", "/feeds/latest/"])
def test_vocabulary_rename_refreshes_every_page(page_cache_on, site, client, url):
    record = site.publish("近视防控通知")
    url = url.format(pk=record.pk, slug=site.category.slug)
    warm(client, url)
    organization = site.organization
    organization.name = "改名后的教育局RN2"
    category = site.category
    category.name = "改名后的栏目RN2"
    site.committed(organization.save)
    site.committed(category.save)
    assert "RN2" in get(client, url).content.decode()


def test_site_settings_change_refreshes_every_page(page_cache_on, site, client):
    record = site.publish("近视防控通知")
    urls = ["/", f"/records/{record.pk}/", "/records/", "/zh-hant/"]
    for url in urls:
        warm(client, url)
    settings_row = SiteSettings.load()
    settings_row.site_name = "新的网站名称SS5"
    site.committed(settings_row.save)
    for url in urls:
        assert "SS5" in get(client, url).content.decode(), url


def test_scheduled_publication_appears_when_its_moment_comes(page_cache_on, site, client):
    moment = timezone.now() + datetime.timedelta(minutes=10)
    scheduled = site.publish("近视防控SC1定时", at=moment)
    warm(client, "/")
    assert "SC1" not in get(client, "/").content.decode()
    with time_machine.travel(moment + datetime.timedelta(seconds=2), tick=False):
        # before run_due_tasks: the page in the cache does not outlive the moment
        assert "SC1" in get(client, "/").content.decode()
        site.committed(run_scheduled_tasks)
        assert "SC1" in get(client, "/").content.decode()
        assert get(client, f"/records/{scheduled.pk}/").status_code == 200


def test_expiry_by_date_shows_the_next_day(page_cache_on, site, client):
    record = site.publish("有效期到今天的规定")
    DisclosureRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate())
    site.committed(run_scheduled_tasks)
    url = f"/records/{record.pk}/"
    warm(client, url)
    assert "现已失效" not in get(client, url).content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=False):
        assert "现已失效" in get(client, url).content.decode()


def test_import_refreshes_listings(page_cache_on, site, client):
    warm(client, "/")
    warm(client, "/records/")
    row = {
        "信息索引号": "014006470/2021-00001",
        "标题": "导入的文件IM3",
        "发文日期": "2021-03-01",
        "发布机构": "无锡市教育局",
        "目录": "政府信息公开 / 信息公开目录 / 规划计划",
    }
    source = io.BytesIO((json.dumps(row, ensure_ascii=False) + "\n").encode())
    report = site.committed(
        import_records, source=source, filename="r.jsonl", actor=root(), publish=True,
        commit=True,
    )  # fmt: skip
    assert report.ok, [str(p) for p in report.problems]
    for url in ("/", "/records/"):
        assert "IM3" in get(client, url).content.decode(), url


def test_staff_are_never_served_or_stored(page_cache_on, site, client):
    record = site.publish("近视防控通知")
    staff = type(client)()
    staff.force_login(site.publisher)
    url = f"/records/{record.pk}/"
    for _ in range(2):
        response = get(staff, url)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert response["Cache-Control"] == "private, no-store"
    assert get(client, url)["X-Page-Cache"] == "miss"  # staff left nothing in the cache


def test_query_string_is_normalized_and_junk_is_refused(page_cache_on, site, client):
    site.publish("近视防控通知")
    org = site.organization.pk
    assert get(client, f"/records/?organization={org}&year=2020")["X-Page-Cache"] == "miss"
    assert get(client, f"/records/?year=2020&organization={org}")["X-Page-Cache"] == "hit"
    for _ in range(2):  # a parameter no page reads: answered, never stored
        assert "X-Page-Cache" not in get(client, "/records/?utm_source=x")
    refused = get(client, "/records/?year=abc")
    assert refused.status_code == 400 and "X-Page-Cache" not in refused
    assert "X-Page-Cache" not in get(client, "/records/?year=abc")
    huge = "/search/?q=" + "近" * 2000
    assert "X-Page-Cache" not in get(client, huge)


def test_cache_control_public_for_readers_private_elsewhere(page_cache_on, site, client):
    record = site.publish("近视防控通知")
    page = get(client, f"/records/{record.pk}/")
    assert page["Cache-Control"] == "public, max-age=60, s-maxage=60"
    assert "Cookie" not in page.get("Vary", "")  # the same bytes for every reader
    hit = get(client, f"/records/{record.pk}/")
    assert hit["Cache-Control"] == "public, max-age=60, s-maxage=60"
    assert hit["Content-Type"].startswith("text/html")
    for private in ("/requests/apply/", "/no/such/page/", "/prefs.css"):
        assert "no-store" in get(client, private)["Cache-Control"], private


def test_cache_hit_runs_no_query(page_cache_on, site, client, django_assert_num_queries):
    record = site.publish("近视防控通知")
    for url in ("/", "/records/", "/feeds/latest/", "/api/records", f"/records/{record.pk}/print/"):
        get(client, url)
        with django_assert_num_queries(0):
            assert get(client, url)["X-Page-Cache"] == "hit"


def test_record_page_hit_counts_the_view_without_rendering(
    page_cache_on, site, client, django_assert_max_num_queries
):
    """Redis: no query (the count goes to Redis); local memory: the one UPDATE of the count."""
    from disclosure.services.view_counts import _redis, flush_view_counts

    record = site.publish("近视防控通知")
    url = f"/records/{record.pk}/"
    with django_assert_max_num_queries(12):
        assert "浏览次数:1<" in get(client, url).content.decode()
    budget = 0 if _redis() else 1
    for n in (2, 3):
        with django_assert_max_num_queries(budget):
            hit = get(client, url)
        assert hit["X-Page-Cache"] == "hit"
        assert f"浏览次数:{n}<" in hit.content.decode()
    assert "瀏覽次數:4<" in get(client, f"/zh-hant{url}").content.decode()
    flush_view_counts()
    assert DisclosureRecord.objects.get(pk=record.pk).view_count == 4


def test_plan_pages_show_an_item_status_change_at_once(page_cache_on, seed_data, committed, client):
    from plans.choices import PlanItemStatus
    from plans.models import PlanItem
    from plans.services import change_item_status

    item = PlanItem.objects.filter(section__plan__record__index_number="014006470/2020-00120")[0]
    urls = ["/plans/", item.section.plan.get_absolute_url()]
    for url in urls:
        warm(client, url)
    committed(change_item_status, item=item, status=PlanItemStatus.DONE, actor=root(), note="PL8")
    assert "PL8" in get(client, urls[1]).content.decode()
    assert get(client, urls[0])["X-Page-Cache"] == "miss"


def test_annual_report_pages_show_a_publication_at_once(
    page_cache_on, vocabulary, committed, client
):
    from tests.portal.test_annual_reports import published_report

    warm(client, "/annual-reports/")
    report = committed(published_report)
    listing = get(client, "/annual-reports/").content.decode()
    assert f"/annual-reports/{report.pk}/" in listing


def test_a_change_of_very_many_records_refreshes_every_page(page_cache_on, site, client):
    from disclosure.changes import announce_public_change

    record = site.publish("近视防控通知")
    for url in ("/", f"/records/{record.pk}/"):
        warm(client, url)
    site.committed(announce_public_change, record_ids=range(100_000, 100_600))
    for url in ("/", f"/records/{record.pk}/"):
        assert get(client, url)["X-Page-Cache"] == "miss", url
