import pytest

from disclosure.choices import RecordStatus
from disclosure.models import DisclosureRecord
from tests.factories import make_published_record, make_record, make_user


def numbered(record, number):
    DisclosureRecord.objects.filter(pk=record.pk).update(index_number=number)
    record.refresh_from_db()
    return record


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.APPROVED, RecordStatus.WITHDRAWN],
)
def test_unpublished_record_is_neither_listed_nor_found(client, status):
    record = numbered(make_record(status=status, title="未公开的标题"), "014006470/2021-00001")
    listing = client.get("/api/records")
    assert listing.status_code == 200
    assert "未公开的标题" not in listing.content.decode()
    assert client.get(f"/api/records/{record.index_number}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number",
    ["XXGK-2021-0001", "11330524K14997740W/2023-2022090262", "000014349/2020-00120"],
)
def test_detail_finds_records_with_imported_index_number_formats(client, number):
    numbered(make_published_record(title="旧网站导入的信息"), number)
    response = client.get(f"/api/records/{number}")
    assert response.status_code == 200
    assert response.json()["title"] == "旧网站导入的信息"
    assert client.get("/api/records/not a number!").status_code == 404


@pytest.mark.django_db
def test_detail_by_index_number_shows_public_fields_and_no_staff(client):
    editor = make_user(username="editor_zhang")
    record = make_published_record(title="公开的通知", keywords=("学校", "总结"), created_by=editor)
    numbered(record, "11341702486344515H/202110-00013")
    response = client.get("/api/records/11341702486344515H/202110-00013")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "公开的通知"
    assert data["keywords"] == ["学校", "总结"]
    assert "editor_zhang" not in response.content.decode()
    assert not {"created_by", "status", "withdrawal_reason"} & data.keys()


@pytest.mark.django_db
def test_list_uses_the_listing_filters(client, seed_data):
    other = make_published_record(title="另一机构的信息")
    response = client.get("/api/records", {"organization": other.organization_id})
    assert [r["title"] for r in response.json()["results"]] == ["另一机构的信息"]
    response = client.get("/api/records", {"keyword": "学校"})
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["index_number"] == "014006470/2020-00120"


@pytest.mark.django_db
def test_invalid_filter_is_a_clear_400_not_the_whole_list(client, seed_data):
    response = client.get("/api/records", {"category": "no-such-category"})
    assert response.status_code == 400
    assert "category" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("year", "２０２０"),
        ("year", "2020.0"),
        ("organization", "²"),
        ("topic", "1_000"),
        ("page", "①"),
        ("page_size", "+5"),
    ],
)
def test_numbers_must_be_ascii_digits_and_answer_400(client, seed_data, name, value):
    response = client.get("/api/records", {name: value})
    assert response.status_code == 400
    assert response.json()["detail"] == "请求参数无效。"
    assert "须为" in response.json()["errors"][name][0]


@pytest.mark.django_db
def test_pagination_links(client, vocabulary):
    for n in range(3):
        make_published_record(title=f"分页{n}")
    first = client.get("/api/records", {"page_size": 2}).json()
    assert first["count"] == 3 and first["num_pages"] == 2 and len(first["results"]) == 2
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None


@pytest.mark.django_db
def test_traditional_script_on_request(client, seed_data):
    response = client.get("/api/records/014006470/2020-00120", {"script": "hant"})
    assert response.json()["title"] == "2020年全市教育工作上半年總結和下半年計劃"
    assert response.json()["index_number"] == "014006470/2020-00120"


@pytest.mark.django_db
def test_etag_gives_304_until_a_record_changes(client, seed_data):
    first = client.get("/api/records")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/api/records", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    make_published_record(title="新发布")
    changed = client.get("/api/records", headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200


@pytest.mark.django_db
def test_cors_allows_any_origin_to_read(client, seed_data):
    response = client.get("/api/genres", headers={"origin": "https://example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
def test_openapi_document_lists_every_endpoint(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/records", "/api/organizations", "/api/categories", "/api/topics"} <= set(paths)
    assert "/api/genres" in paths and "/api/records/{index_number}/plan" in paths


@pytest.mark.django_db
def test_plan_items_of_the_seed_record(client, seed_data):
    plan = client.get("/api/records/014006470/2020-00120/plan").json()
    assert [len(s["items"]) for s in plan["sections"]] == [7, 5]


@pytest.mark.django_db
def test_full_text_query_uses_the_search_index_in_either_script(client, seed_data):
    from search import rebuild_index

    make_record(title="教育工作草稿不应出现")  # a draft with the same words
    rebuild_index()  # fixtures index on commit, which a test transaction never reaches
    for q in ("教育", "總結", "上半年总结"):
        body = client.get("/api/records", {"q": q}).json()
        assert [r["index_number"] for r in body["results"]] == ["014006470/2020-00120"], q
        assert body["count"] == 1 and body["count_is_estimate"] is False
    body = client.get("/api/records", {"q": "教育", "year": 2019}).json()
    assert body["count"] == 0 and body["results"] == []
    assert client.get("/api/records", {"q": "&|!:*()'\\%\""}).status_code == 200


@pytest.mark.django_db
def test_full_text_list_runs_the_same_queries_for_one_hit_or_many(client, vocabulary):
    import datetime

    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search import index_records

    def queries_for(count: int) -> int:
        records = [
            make_published_record(
                title=f"冷链食品检查通知{n}",
                issued_on=datetime.date(2020, 1, 1),
                valid_until=datetime.date(2021, 1, 1),
            )
            for n in range(count)
        ]
        index_records([r.pk for r in records])
        cache.clear()  # a miss of every cache (the filter select lists are cached)
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/api/records", {"q": "冷链食品", "page_size": 100}).json()
        assert body["count"] == len(records) + existing[0]
        existing[0] += count
        return len(ctx.captured_queries)

    existing = [0]
    assert queries_for(1) == queries_for(6)


@pytest.mark.django_db
def test_api_offers_taiwan_and_hong_kong_forms(client, vocabulary):
    make_published_record(title="大卫说为群众着想", index_number="014006470/2021-00001")
    url = "/api/records/014006470/2021-00001"
    assert client.get(url, {"script": "hant"}).json()["title"] == "大衛說為群眾著想"
    assert client.get(url, {"script": "hant-hk"}).json()["title"] == "大衞説為羣眾着想"
    assert client.get(url, {"script": "hant-mo"}).status_code == 400
