"""Listings in O(page) (portal/views/catalogue.py, disclosure.selectors.listing_total): counts
cached yet exact after every change, the page cap, reversed date ranges, and one query budget
for every public view and API endpoint whatever the number of results (issue 12 items 3 and 5)."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure.roles import PUBLISHER
from disclosure.workflow import withdraw_record
from tests.factories import (
    make_category,
    make_organization,
    make_published_record,
    make_record,
    make_staff,
)


def count_text(client, url: str) -> str:
    markup = client.get(url).content.decode()
    start = markup.index('class="result-count"')
    return markup[start : markup.index("</p>", start)]


@pytest.mark.django_db
def test_listing_count_follows_publication_and_withdrawal_at_once(client):
    organization = make_organization()
    records = [make_published_record(organization=organization) for _ in range(3)]
    assert "共 3 条信息" in count_text(client, "/records/")
    assert "共 3 条信息" in count_text(client, "/records/")  # served from the cached count
    make_published_record(organization=organization)
    assert "共 4 条信息" in count_text(client, "/records/")
    publisher = make_staff(PUBLISHER, organization=organization)
    withdraw_record(record=records[0], actor=publisher, reason="内容有误")
    assert "共 3 条信息" in count_text(client, "/records/")
    assert f"/records/{records[0].pk}/" not in client.get("/records/").content.decode()


@pytest.mark.django_db
def test_listing_count_is_per_filter_combination(client):
    parent, other = make_category(), make_category()
    child = make_category(parent=parent)
    make_published_record(category=child)
    make_published_record(category=other)
    make_published_record(category=other)
    assert "共 1 条信息" in count_text(client, f"/catalogue/{parent.slug}/")
    assert "共 2 条信息" in count_text(client, f"/catalogue/{other.slug}/")
    assert "共 3 条信息" in count_text(client, "/records/")
    assert "共 2 条信息" in count_text(client, f"/records/?category={other.slug}")


@pytest.mark.django_db
def test_a_page_past_the_cap_is_refused_with_a_message(client):
    make_published_record()
    response = client.get("/records/?page=501")
    assert response.status_code == 400
    assert "列表只显示前 500 页" in response.content.decode()
    assert client.get("/zh-hant/records/?page=501").status_code == 400


@pytest.mark.django_db
def test_listing_shows_only_the_listed_columns_not_the_body(client):
    make_published_record(title="列表标题", body="<p>正文独有的文字</p>")
    with CaptureQueriesContext(connection) as ctx:
        markup = client.get("/records/").content.decode()
    assert "列表标题" in markup
    listing = [q["sql"] for q in ctx.captured_queries if "disclosure_disclosurerecord" in q["sql"]]
    assert listing and not [sql for sql in listing if '"body"' in sql]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/zh-hant"])
def test_reversed_date_range_says_so(client, prefix):
    make_published_record(issued_on=datetime.date(2020, 5, 1))
    response = client.get(f"{prefix}/records/?issued_from=2021-01-01&issued_to=2020-01-01")
    assert response.status_code == 400
    markup = response.content.decode()
    assert "2020-01-01" in markup and "2021-01-01" in markup
    assert ("早于开始日期" in markup) or ("早於開始日期" in markup)


@pytest.mark.django_db
def test_api_reversed_date_range_is_a_400_with_the_reason(client):
    response = client.get("/api/records?published_from=2021-01-01&published_to=2020-01-01")
    assert response.status_code == 400
    assert "早于开始日期" in str(response.json()["errors"]["published_to"])


@pytest.mark.django_db
def test_api_refuses_a_page_past_the_offset_bound(client):
    make_published_record()
    response = client.get("/api/records?page=101&page_size=100")
    assert response.status_code == 400
    assert "published_from" in response.json()["detail"]


def _queries(client, url: str) -> int:
    """Queries of a miss of every cache (page, counts, select lists): the budget that matters."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


PUBLIC_URLS = [
    "/",
    "/records/",
    "/records/?sort=title&year=2020",
    "/records/?organization={org}",
    "/catalogue/{slug}/",
    "/zh-hant/records/",
    "/search/?q=预算",
    "/feeds/latest/",
    "/feeds/catalogue/{slug}/",
    "/feeds/organization/{org}/",
    "/sitemap.xml",
    "/sitemap-records-1.xml",
    "/sitemap-pages.xml",
    "/sitemap-catalogue.xml",
    "/sitemap-plans.xml",
    "/sitemap-annual-reports.xml",
    "/plans/",
    "/annual-reports/",
    "/sitemap/",
    "/api/records",
    "/api/records?page_size=100",
    "/api/records?q=预算&page_size=100",
    "/api/organizations",
    "/api/categories",
    "/api/topics",
    "/api/genres",
]


@pytest.mark.django_db
def test_every_public_list_runs_the_same_queries_for_one_result_or_many(client, vocabulary):
    """A fixed number of queries whatever the number of results: 1 record, then 30 more."""
    from search import index_records

    organization = make_organization()
    department = make_organization(parent=organization)
    category = make_category()

    def add(n: int) -> None:
        records = [
            make_published_record(
                title=f"年度预算公开通知{i}",
                organization=department if i % 2 else organization,
                category=category,
                issued_on=datetime.date(2020, 1, 1 + i % 28),
            )
            for i in range(n)
        ]
        make_record(title="预算草稿", organization=organization, category=category)
        index_records([r.pk for r in records])

    urls = [u.format(org=organization.pk, slug=category.slug) for u in PUBLIC_URLS]
    add(1)
    few = {url: _queries(client, url) for url in urls}
    add(30)
    many = {url: _queries(client, url) for url in urls}
    assert many == few
    # The budgets themselves: a listing page is a handful of queries, not one per row.
    assert many["/records/"] <= 10
    assert many["/api/records?page_size=100"] <= 5
    assert many["/"] <= 4  # the column tree in one query, the latest list without joins
    assert many["/sitemap/"] <= 5


@pytest.mark.django_db
def test_a_repeated_listing_request_does_not_count_again(client):
    """The exact count is cached per filter combination: the second reader costs no COUNT."""
    make_published_record()
    client.get("/records/?year=2020")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/records/?year=2020")
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["", "&sort=-date", "&sort=date"])
def test_a_year_filtered_listing_is_in_publication_order_page_by_page(client, sort):
    """A 发文日期 year with the 公开日期 order reads the page's ids from the year's index, then the
    rows: the same rows in the same order as before, across pages, and nothing else."""
    category = make_category()
    for day in range(1, 26):
        make_published_record(
            title=f"二〇二〇年第{day:02d}号",
            category=category,
            issued_on=datetime.date(2020, 1, day),
            publication_date=datetime.date(2021, 3, 27 - day),  # published in reverse order
        )
    make_published_record(
        title="二〇二一年文件", category=category, issued_on=datetime.date(2021, 1, 1)
    )
    make_record(title="二〇二〇年草稿", category=category, issued_on=datetime.date(2020, 5, 1))

    def titles(page: int) -> list[str]:
        url = f"/catalogue/{category.slug}/?year=2020{sort}&page={page}"
        markup = client.get(url).content.decode()
        return re.findall(r'<a href="/records/\d+/">([^<]+)</a>', markup)

    newest_first = [f"二〇二〇年第{day:02d}号" for day in range(1, 26)]
    expected = list(reversed(newest_first)) if sort == "&sort=date" else newest_first
    assert titles(1) + titles(2) == expected
    assert "共 25 条信息" in count_text(client, f"/catalogue/{category.slug}/?year=2020{sort}")


@pytest.mark.django_db
def test_the_select_lists_follow_an_announced_vocabulary_rename(
    client, django_capture_on_commit_callbacks
):
    """The filter select lists are cached; a rename (announced after commit) refreshes them."""
    with django_capture_on_commit_callbacks(execute=True):
        organization = make_organization(name="旧名称局")
        make_published_record(organization=organization)
    assert "旧名称局" in client.get("/records/?year=2020").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        organization.name = "新名称局"
        organization.save()
    markup = client.get("/records/?year=2020").content.decode()
    assert "新名称局" in markup and "旧名称局" not in markup


@pytest.mark.django_db
def test_a_record_page_miss_reads_the_record_in_few_queries(client):
    """A record three columns deep with keywords: its page (a miss of every cache) reads the
    record with its whole column path in one query, and the site settings once (9 before)."""
    top = make_category(name="政府信息公开")
    middle = make_category(name="法定主动公开内容", parent=top)
    leaf = make_category(name="规划计划", parent=middle)
    record = make_published_record(category=leaf, keywords=("规划", "计划"))
    for url in (f"/records/{record.pk}/", f"/zh-hant/records/{record.pk}/"):
        queries = _queries(client, url)
        markup = client.get(url).content.decode()
        assert "法定主动公开内容" in markup or "法定主動公開內容" in markup
        assert queries <= 6, url  # main: 9, then 7; the 工作计划 link joined in: 6
