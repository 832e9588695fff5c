"""Catalogue pages and the filtered listing (portal/views/catalogue.py)."""

import datetime
import re

import pytest
from django.core.cache import cache

from disclosure.choices import RecordStatus
from disclosure.models import Category, Organization
from tests.factories import (
    make_category,
    make_genre,
    make_organization,
    make_published_record,
    make_record,
)
from tests.portal.pages import page_text


def listed_titles(markup: str) -> list[str]:
    body = markup[markup.index('<table class="record-table">') :]
    return re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', body)


@pytest.mark.django_db
def test_category_page_lists_its_records_and_its_subcategories_records(client):
    parent = make_category(name="信息公开目录X")
    child = make_category(name="规划计划X", parent=parent)
    other = make_category(name="财政信息X")
    make_published_record(title="子栏目的计划", category=child)
    make_published_record(title="父栏目的说明", category=parent)
    make_published_record(title="别的栏目", category=other)
    make_record(title="子栏目的草稿", category=child)
    markup = client.get(f"/catalogue/{parent.slug}/").content.decode()
    assert sorted(listed_titles(markup)) == sorted(["子栏目的计划", "父栏目的说明"])
    child_page = client.get(f"/catalogue/{child.slug}/").content.decode()
    assert listed_titles(child_page) == ["子栏目的计划"]
    assert "当前位置:首页 / 信息公开目录X / 规划计划X" in page_text(child_page)


@pytest.mark.django_db
def test_seed_catalogue_breadcrumb_matches_the_real_site(client, seed_data):
    markup = client.get("/catalogue/plans/").content.decode()
    assert "当前位置:首页 / 政府信息公开 / 信息公开目录 / 规划计划" in page_text(markup)
    assert "2020年全市教育工作上半年总结和下半年计划" in listed_titles(markup)
    assert "014006470/2020-00120" in markup


@pytest.mark.django_db
@pytest.mark.parametrize("prefix, message", [("", "页面不存在"), ("/zh-hant", "頁面不存在")])
def test_unknown_category_is_404_in_the_readers_script(client, prefix, message):
    response = client.get(f"{prefix}/catalogue/no-such-column/")
    assert response.status_code == 404
    assert message in response.content.decode()


@pytest.mark.django_db
def test_filters_combine_and_show_as_removable_chips(client):
    org = make_organization(name="甲机构")
    genre = make_genre(name="通知X")
    make_published_record(title="甲的通知", organization=org, genre=genre)
    make_published_record(title="甲的其他", organization=org)
    make_published_record(title="乙的通知", genre=genre)
    response = client.get(f"/records/?organization={org.pk}&genre={genre.pk}")
    markup = response.content.decode()
    assert listed_titles(markup) == ["甲的通知"]
    chips = re.findall(r'<a class="chip" href="([^"]+)"', markup)
    assert len(chips) == 2
    without_org = client.get("/records/" + chips[0].replace("&amp;", "&")).content.decode()
    assert sorted(listed_titles(without_org)) == ["乙的通知", "甲的通知"]
    assert "发布机构:甲机构" in page_text(markup)


@pytest.mark.django_db
def test_pagination_keeps_the_filters(client):
    category = make_category()
    for n in range(25):
        make_published_record(title=f"条目{n:02d}", category=category, keywords=("学校",))
    make_published_record(title="无关键词", category=category)
    markup = client.get(f"/catalogue/{category.slug}/?keyword=学校&sort=title").content.decode()
    assert listed_titles(markup) == [f"条目{n:02d}" for n in range(20)]
    next_link = re.search(r'<a href="([^"]+)" rel="next">', markup).group(1).replace("&amp;", "&")
    assert "keyword=" in next_link and "sort=title" in next_link and "page=2" in next_link
    second = client.get(f"/catalogue/{category.slug}/{next_link}").content.decode()
    assert listed_titles(second) == [f"条目{n:02d}" for n in range(20, 25)]


@pytest.mark.django_db
def test_keyword_filter_lists_a_record_once(client):
    make_published_record(title="多个关键词", keywords=("学校", "机关", "总结"))
    markup = client.get("/records/?keyword=学校").content.decode()
    assert listed_titles(markup) == ["多个关键词"]


@pytest.mark.django_db
def test_date_range_includes_both_ends(client):
    for day in (9, 10, 20, 21):
        make_published_record(title=f"{day}日", issued_on=datetime.date(2024, 5, day))
    markup = client.get("/records/?issued_from=2024-05-10&issued_to=2024-05-20").content.decode()
    assert sorted(listed_titles(markup)) == ["10日", "20日"]


@pytest.mark.django_db
def test_validity_filter(client):
    make_published_record(title="有效的")
    make_published_record(
        title="失效的", issued_on=datetime.date(2020, 1, 1), valid_until=datetime.date(2020, 6, 1)
    )
    assert listed_titles(client.get("/records/?validity=expired").content.decode()) == ["失效的"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["organization=999999", "issued_from=2024-13-45", "year=abc", "category=no-such", "sort=x"],
)
def test_invalid_filter_is_400_with_the_error_and_no_results(client, query):
    make_published_record(title="不应出现")
    response = client.get(f"/records/?{query}")
    markup = response.content.decode()
    assert response.status_code == 400
    assert 'class="errorlist' in markup
    assert "不应出现" not in markup
    assert "筛选条件有误" in markup


@pytest.mark.django_db
def test_invalid_filter_message_is_in_traditional_script_under_zh_hant(client):
    response = client.get("/zh-hant/records/?issued_from=not-a-date")
    assert response.status_code == 400
    assert "篩選條件有誤" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["abc", "-1", "0", "1.5", "99999999999", "²", "①", "１", "1" * 900]
)
def test_page_that_is_not_a_number_is_400(client, page):
    response = client.get(f"/records/?page={page}")
    assert response.status_code == 400
    assert "页码" in response.content.decode()


@pytest.mark.django_db
def test_page_past_the_end_is_404(client):
    make_published_record()
    response = client.get("/records/?page=5")
    assert response.status_code == 404
    assert "没有第 5 页" in response.content.decode()
    hant = client.get("/zh-hant/records/?page=5")
    assert hant.status_code == 404 and "沒有第 5 頁" in hant.content.decode()


@pytest.mark.django_db
def test_empty_listing_is_page_one_not_404(client):
    response = client.get("/records/")
    assert response.status_code == 200
    assert "暂无信息" in response.content.decode()


@pytest.mark.django_db
def test_overlong_query_string_is_400(client):
    response = client.get("/records/?keyword=" + "学" * 1000)
    assert response.status_code == 400
    assert "查询条件过长" in response.content.decode()


@pytest.mark.django_db
def test_drafts_and_withdrawn_never_listed(client):
    make_published_record(title="公开的")
    make_record(title="草稿的")
    make_record(title="撤回的", status=RecordStatus.WITHDRAWN)
    make_record(title="待审的", status=RecordStatus.SUBMITTED)
    assert listed_titles(client.get("/records/").content.decode()) == ["公开的"]


@pytest.mark.django_db
def test_filter_form_has_a_label_for_every_control(client, vocabulary):
    markup = client.get("/records/").content.decode()
    form = markup[
        markup.index('<form class="filters"') : markup.index(
            "</form>", markup.index('<form class="filters"')
        )
    ]
    ids = re.findall(r'<(?:select|input)[^>]*\sid="([^"]+)"', form)
    assert ids
    for control_id in ids:
        assert f'<label for="{control_id}">' in form


@pytest.mark.django_db
def test_home_links_guide_annual_reports_catalogue_and_search(client, vocabulary):
    markup = client.get("/").content.decode()
    guide = Category.objects.get(national_column="guide")
    reports = Category.objects.get(national_column="annual_report")
    assert f'href="{guide.get_absolute_url()}">信息公开指南' in markup
    assert f'href="{reports.get_absolute_url()}">信息公开年报' in markup
    assert 'role="search"' in markup
    assert Organization.objects.exists()


@pytest.mark.django_db
def test_selects_offer_all_instead_of_dashes(client, vocabulary):
    markup = client.get("/records/").content.decode()
    assert "---------" not in markup
    assert '<option value="" selected>全部</option>' in markup


@pytest.mark.django_db
def test_home_lists_latest_published_never_drafts(client):
    make_published_record(title="首页上的公开信息")
    make_record(title="首页不该出现的草稿")
    make_record(title="首页不该出现的待审", status=RecordStatus.SUBMITTED)
    markup = client.get("/").content.decode()
    assert "首页上的公开信息" in markup
    assert "草稿" not in markup and "待审" not in markup


@pytest.mark.django_db
def test_listing_runs_the_same_number_of_queries_for_few_or_many_rows(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    category = make_category()

    def queries() -> int:
        cache.clear()  # a miss of every cache (the select lists are cached)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/catalogue/{category.slug}/").status_code == 200
        return len(captured)

    make_published_record(category=category, genre=make_genre())
    few = queries()
    for _ in range(15):
        make_published_record(category=category, organization=make_organization())
    assert queries() == few


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["year=2.02e3", "year=２０２０", "organization=²", "topic=１", "genre=" + "9" * 30]
)
def test_filter_numbers_must_be_ascii_digits(client, query):
    make_published_record(title="不应出现")
    response = client.get(f"/records/?{query}")
    assert response.status_code == 400
    assert "不应出现" not in response.content.decode()
