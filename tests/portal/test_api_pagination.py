"""The record list's pages (portal/api/pagination.py, django-ninja's @paginate): page links that
keep every other parameter, the offset bound of plain listings (not of full-text queries), and
the Traditional-script output that leaves the links alone."""

import pytest

from tests.factories import make_organization, make_published_record


@pytest.mark.django_db
def test_page_links_keep_the_filters_and_stop_at_the_last_page(client, vocabulary):
    organization = make_organization()
    for n in range(3):
        make_published_record(title=f"分页{n}", organization=organization)
    make_published_record(title="别的机构")
    params = {"organization": organization.pk, "page_size": 2, "sort": "title"}
    second = client.get("/api/records", {**params, "page": 2}).json()
    assert (second["count"], second["num_pages"], second["page"]) == (3, 2, 2)
    assert [r["title"] for r in second["results"]] == ["分页2"]
    assert second["next"] is None
    assert second["previous"] == (
        f"/api/records?organization={organization.pk}&page=1&page_size=2&sort=title"
    )
    first = client.get(second["previous"]).json()
    assert [r["title"] for r in first["results"]] == ["分页0", "分页1"]
    assert first["next"].endswith("page=2&page_size=2&sort=title")
    beyond = client.get("/api/records", {**params, "page": 9}).json()
    assert beyond["results"] == [] and beyond["next"] is None and beyond["previous"] is None


@pytest.mark.django_db
def test_the_offset_bound_refuses_only_pages_past_it(client, vocabulary):
    make_published_record(title="年度预算公开")
    assert client.get("/api/records", {"page": 100, "page_size": 100}).status_code == 200
    refused = client.get("/api/records", {"page": 101, "page_size": 100})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"page": ["不能超过 100"]}
    assert "分页过深" in refused.json()["detail"]
    # a full-text query pages within the search bound instead, whatever the page asked
    query = client.get("/api/records", {"q": "预算", "page": 101, "page_size": 100})
    assert query.status_code == 200


@pytest.mark.django_db
def test_traditional_output_converts_the_results_and_leaves_the_links(client, vocabulary):
    for title in ("关于教育工作的通知", "关于卫生工作的通知"):
        make_published_record(title=title)
    body = client.get("/api/records", {"script": "hant", "page_size": 1}).json()
    assert body["results"][0]["title"] in {"關於教育工作的通知", "關於衛生工作的通知"}
    assert body["next"] == "/api/records?page=2&page_size=1&script=hant"
    assert body["results"][0]["url"].startswith("/records/")


@pytest.mark.django_db
def test_an_invalid_filter_is_refused_before_any_page_is_read(client, vocabulary):
    response = client.get("/api/records", {"category": "no-such-category", "page": 101})
    assert response.status_code == 400
    assert response.json()["detail"] == "筛选条件无效。"
    assert "category" in response.json()["errors"]
