import pytest

from disclosure.choices import RecordStatus
from disclosure.models import DisclosureRecord
from search import index_records, rebuild_index
from tests.factories import make_published_record

SEED_TITLE = "2020年全市教育工作上半年总结和下半年计划"
BAD_QUERIES = [
    "",
    "   ",
    "，。！？、",
    "😀🎉👍",
    "教" * 2000,
    "& | ! : * ( ) ' \\ %",
    "教育 & | ! : * ( ) ' \\ %",
    '"教育',
    '教育"现代化',
    "'",
    "\\",
    "%%",
    "教育:*",
    "!教育",
    "<script>alert(1)</script>",
]


@pytest.mark.django_db
def test_search_page_finds_the_seed_record_by_a_two_character_term(client, seed_data):
    rebuild_index()
    response = client.get("/search/", {"q": "教育"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>教育</mark>" in html
    assert "找到 1 条结果" in html


@pytest.mark.django_db
def test_search_page_finds_the_seed_record_by_a_traditional_query(client, seed_data):
    rebuild_index()
    html = client.get("/search/", {"q": "總結"}).content.decode()
    assert "<mark>总结</mark>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_return_a_normal_page(client, seed_data, query):
    rebuild_index()
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "信息公开搜索" in response.content.decode()
    assert "<script>alert" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"q": "教育", "page": "abc"}, {"q": "教育", "page": "-5"}, {"q": "教育", "year": "x"}],
)
def test_bad_parameters_return_a_normal_page(client, seed_data, params):
    rebuild_index()
    assert client.get("/search/", params).status_code == 200


@pytest.mark.django_db
def test_drafts_and_withdrawn_records_never_show(client, vocabulary):
    draft = make_published_record(title="草稿中的招生通知")
    withdrawn = make_published_record(title="已撤回的招生通知")
    shown = make_published_record(title="已发布的招生通知")
    index_records([draft.pk, withdrawn.pk, shown.pk])
    # Stale index rows (a path that skipped the signals): the query-time guard must hide them.
    DisclosureRecord.objects.filter(pk=draft.pk).update(status=RecordStatus.DRAFT)
    DisclosureRecord.objects.filter(pk=withdrawn.pk).update(status=RecordStatus.WITHDRAWN)
    html = client.get("/search/", {"q": "招生"}).content.decode()
    assert "已发布的" in html
    assert "草稿中的" not in html and "已撤回的" not in html


@pytest.mark.django_db
def test_filters_narrow_the_results_and_show_as_chips(client, seed_data):
    rebuild_index()
    html = client.get("/search/", {"q": "教育", "year": "2019"}).content.decode()
    assert "没有找到相关信息" in html
    assert SEED_TITLE not in html
    assert "年份" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "variant"),
    [("著裝規範", "Taiwan (s2tw)"), ("着裝規範", "Hong Kong (s2hk)"), ("大衞", "Hong Kong (s2hk)")],
)
def test_search_finds_a_record_by_the_words_of_either_traditional_variant(
    client, vocabulary, query, variant
):
    """A reader copies words from the /zh-hant/ (著裝) or /zh-hk/ (大衞) page into the search."""
    record = make_published_record(title="学生着装规范与大卫雕塑展的通知")
    index_records([record.pk])
    for prefix in ("", "/zh-hant", "/zh-hk"):
        html = client.get(f"{prefix}/search/", {"q": query}).content.decode()
        assert f"/records/{record.pk}/" in html, f"{variant} query {query} on {prefix or '/'}"


@pytest.mark.django_db
def test_topic_facets_name_the_parent_of_a_bare_other(client, vocabulary):
    """Issue 18 item 10: two parents' 「其他」 read as two bare 其他 in the facets."""
    from search import index_records
    from tests.factories import make_published_record, make_topic

    education, health = make_topic(name="教育测试"), make_topic(name="卫生测试")
    records = [
        make_published_record(
            title="预算公开通知甲", topic=make_topic(name="其他", parent=education)
        ),
        make_published_record(title="预算公开通知乙", topic=make_topic(name="其他", parent=health)),
    ]
    index_records([r.pk for r in records])
    markup = client.get("/search/", {"q": "预算"}).content.decode()
    assert "教育测试--其他" in markup and "卫生测试--其他" in markup
