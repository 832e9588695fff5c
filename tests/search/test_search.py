import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disclosure.choices import RecordStatus
from disclosure.filters import filter_records
from disclosure.models import Attachment, DisclosureRecord
from search import index_records, rebuild_index, remove_records, search_records
from search.models import SearchEntry
from search.tokenizer import index_terms, parse_query
from tests.factories import make_organization, make_published_record, make_record

SEED_TITLE = "2020年全市教育工作上半年总结和下半年计划"


def titles(results) -> list[str]:
    return [hit.record.title for hit in results.hits]


def published(**fields) -> DisclosureRecord:
    record = make_published_record(**fields)
    index_records([record.pk])
    return record


def test_cjk_runs_become_bigrams_and_words_stay_whole():
    assert index_terms("教育现代化 IPv6 锡教发〔2020〕12号") == (
        "教育 育现 现代 代化 ipv6 锡教 教发 2020 12 号"
    )


def test_traditional_and_full_width_text_normalizes_to_the_same_tokens():
    assert index_terms("教育現代化 ＩＰｖ６") == index_terms("教育现代化 IPv6")


@pytest.mark.parametrize(
    "raw", ["", "   ", "!!!", "😀🎉", "& | ! : * ( ) ' \\ %", '"教育', "'); DROP TABLE x;--"]
)
def test_queries_without_words_or_with_metacharacters_parse_safely(raw):
    parsed = parse_query(raw)
    for term in parsed.terms:
        for token, _ in term.tokens:
            assert token.replace(" ", "").isalnum()


def test_long_query_is_bounded():
    parsed = parse_query("教育" * 1000)
    assert len(parsed.raw) <= 200
    assert len(parsed.terms) == 1


@pytest.mark.django_db
def test_two_character_term_finds_the_seed_record(seed_data):
    rebuild_index()
    assert SEED_TITLE in titles(search_records(query="教育"))


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["總結", "教育工作上半年總結", "全市教育 總結"])
def test_traditional_query_finds_the_simplified_seed_record(seed_data, query):
    rebuild_index()
    assert SEED_TITLE in titles(search_records(query=query))


@pytest.mark.django_db
def test_simplified_query_finds_a_traditional_record(vocabulary):
    published(title="關於推進教育現代化監測工作的通知")
    results = search_records(query="教育现代化")
    assert titles(results) == ["關於推進教育現代化監測工作的通知"]
    assert "<mark>教育現代化</mark>" in results.hits[0].title_html


@pytest.mark.django_db
def test_phrase_matches_characters_in_order_only(vocabulary):
    published(title="冷链食品疫情防控")
    published(title="食品冷链")
    assert titles(search_records(query="冷链食品")) == ["冷链食品疫情防控"]
    assert len(search_records(query="食品 冷链").hits) == 2


@pytest.mark.django_db
def test_all_terms_must_match(vocabulary):
    published(title="冷链食品疫情防控工作")
    published(title="疫情防控和教育教学")
    assert titles(search_records(query="冷链 疫情防控")) == ["冷链食品疫情防控工作"]


@pytest.mark.django_db
def test_mixed_latin_digits_and_document_numbers_match(vocabulary):
    published(
        title="网站改造", body="<p>本网站支持IPv6访问</p>", document_number="锡教发〔2020〕12号"
    )
    assert len(search_records(query="ipv6").hits) == 1
    assert len(search_records(query="锡教发〔2020〕12号").hits) == 1
    assert len(search_records(query="锡教发〔2021〕12号").hits) == 0


@pytest.mark.django_db
def test_every_searchable_field_is_indexed(vocabulary):
    record = published(
        title="标题", summary="概述里有招生", keywords=("督导",), body="<p>正文说资助</p>"
    )
    Attachment.objects.create(
        record=record, title="附件名称有食堂", file="a.pdf", original_name="a.pdf"
    )
    index_records([record.pk])
    for query in ["招生", "督导", "资助", "食堂", record.index_number or "标题"]:
        assert titles(search_records(query=query)) == ["标题"], query


@pytest.mark.django_db
def test_title_hit_ranks_above_body_hit_and_ties_by_recency(vocabulary):
    now = timezone.now()
    published(
        title="正文提到", body="<p>疫情防控</p>", published_at=now - datetime.timedelta(days=1)
    )
    published(title="较早的疫情通报", published_at=now - datetime.timedelta(days=30))
    published(title="最新的疫情通报", published_at=now - datetime.timedelta(days=2))
    assert titles(search_records(query="疫情")) == ["最新的疫情通报", "较早的疫情通报", "正文提到"]


@pytest.mark.django_db
def test_pages_continue_from_title_hits_into_body_hits(vocabulary):
    now = timezone.now()
    for i in range(3):
        published(title=f"招生{i}", published_at=now - datetime.timedelta(days=i + 1))
    for i in range(3):
        published(
            title=f"正文{i}", body="<p>招生</p>", published_at=now - datetime.timedelta(hours=i)
        )
    pages = [titles(search_records(query="招生", page=p, page_size=2)) for p in (1, 2, 3)]
    assert pages == [["招生0", "招生1"], ["招生2", "正文0"], ["正文1", "正文2"]]


@pytest.mark.django_db
def test_unpublished_records_are_never_indexed_or_found(vocabulary):
    draft = make_record(title="草稿招生")
    withdrawn = make_record(title="撤回招生", status=RecordStatus.WITHDRAWN)
    future = make_published_record(
        title="定时招生", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    index_records([draft.pk, withdrawn.pk, future.pk])
    assert set(SearchEntry.objects.values_list("record_id", flat=True)) == {future.pk}
    assert search_records(query="招生").hits == []
    rebuild_index()
    assert search_records(query="招生").hits == []


@pytest.mark.django_db
def test_listing_filters_combine_with_the_query(vocabulary):
    bureau = make_organization(name="某教育局")
    published(title="招生甲", organization=bureau, issued_on=datetime.date(2021, 3, 1))
    published(title="招生乙", issued_on=datetime.date(2022, 3, 1))
    published(title="招生丙", organization=bureau, issued_on=datetime.date(2022, 5, 1))
    _, records = filter_records(
        data={"organization": bureau.pk, "year": "2022"}, queryset=DisclosureRecord.objects.all()
    )
    assert titles(search_records(query="招生", queryset=records)) == ["招生丙"]


@pytest.mark.django_db
def test_facets_count_the_matches(vocabulary):
    bureau = make_organization(name="某教育局")
    published(title="招生甲", organization=bureau, issued_on=datetime.date(2021, 3, 1))
    published(title="招生乙", organization=bureau, issued_on=datetime.date(2022, 3, 1))
    published(title="资助丙", organization=bureau, issued_on=datetime.date(2022, 5, 1))
    facets = search_records(query="招生").facets
    assert [(f.label, f.count) for f in facets["organization"]] == [("某教育局", 2)]
    assert [(f.label, f.count) for f in facets["year"]] == [("2022年", 1), ("2021年", 1)]


@pytest.mark.django_db
def test_highlights_and_excerpts_are_escaped_text(vocabulary):
    published(title="<b>招生</b>简章", body="<p>前言&lt;script&gt;</p><p>今年招生计划如下</p>")
    hit = search_records(query="招生").hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>招生</mark>&lt;/b&gt;简章"
    assert "<mark>招生</mark>计划" in hit.excerpt_html
    assert "<script>" not in hit.excerpt_html and "<p>" not in hit.excerpt_html


@pytest.mark.parametrize(
    "text",
    ["教育现代化 IPv6 锡教发〔2020〕12号", "号", "a", "年2020年", "Ünïcode 字 ab_cd 教育" * 3, ""],
)
def test_fast_index_tokenizer_equals_the_query_tokenizer(text):
    from search.tokenizer import _run_tokens, normalize

    assert index_terms(text) == " ".join(token for token, _ in _run_tokens(normalize(text)))


@pytest.mark.django_db
def test_totals_above_the_bound_are_estimates_and_facets_say_they_are_sampled(
    vocabulary, monkeypatch
):
    from search import service

    monkeypatch.setattr(service, "COUNT_BOUND", 3)
    for i in range(5):
        published(title=f"招生通知{i}")
    results = search_records(query="招生", page_size=2)
    assert results.total_is_estimate and results.total >= 4
    assert results.facets_sampled
    assert sum(f.count for f in results.facets["year"]) == 3
    assert results.num_pages == 2
    assert titles(search_records(query="招生", page=9, page_size=2)) == ["招生通知2", "招生通知1"]


@pytest.mark.django_db
def test_large_tiers_page_the_same_by_walking_the_recency_index(vocabulary, monkeypatch):
    from search import service

    monkeypatch.setattr(service, "COUNT_BOUND", 1)
    monkeypatch.setattr(service, "TIER_FETCH", 1)
    now = timezone.now()
    for i in range(3):
        published(title=f"招生{i}", published_at=now - datetime.timedelta(days=i + 1))
    for i in range(3):
        published(
            title=f"正文{i}", body="<p>招生</p>", published_at=now - datetime.timedelta(hours=i)
        )
    assert titles(search_records(query="招生", page=1, page_size=4)) == [
        "招生0", "招生1", "招生2", "正文0"
    ]  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_title_tier_estimated_large_is_walked_without_fetching_it_first(vocabulary, monkeypatch):
    """The planner's estimate of the title tier decides the walk: the same pages as the
    fetch-and-sort path, with no query for the tier's first TIER_FETCH + 1 ids."""
    from search import service

    walked = []
    page = service._page

    def spy(*args, **kwargs):
        walked.append(kwargs["large_title"])
        return page(*args, **kwargs)

    monkeypatch.setattr(service, "COUNT_BOUND", 5)  # 6 matches: more than the bound
    monkeypatch.setattr(service, "TRUSTED_TIER", 0)
    monkeypatch.setattr(service, "_page", spy)
    now = timezone.now()
    for i in range(3):
        published(title=f"招生{i}", published_at=now - datetime.timedelta(days=i + 1))
    for i in range(3):
        published(
            title=f"正文{i}", body="<p>招生</p>", published_at=now - datetime.timedelta(hours=i)
        )
    with CaptureQueriesContext(connection) as queries:
        first = titles(search_records(query="招生", page=1, page_size=4))
    assert first == ["招生0", "招生1", "招生2", "正文0"]
    assert titles(search_records(query="招生", page=2, page_size=4)) == ["正文1", "正文2"]
    assert walked == [True, True]
    limit = f"LIMIT {service.TIER_FETCH + 1}"
    assert not [q for q in queries.captured_queries if limit in q["sql"]]
    # a phrase (招生 <-> 生简 <-> 简章) keeps the fetch: its estimate may be far too high
    for i in range(6):
        published(title=f"招生简章{i}", published_at=now - datetime.timedelta(days=9 + i))
    assert titles(search_records(query="招生简章", page_size=2)) == ["招生简章0", "招生简章1"]
    assert walked[-1] is False


@pytest.mark.django_db
def test_an_entry_leaves_the_index_whole_after_its_publication_time_moved(vocabulary):
    """SQLite keys FTS rows by publication time (newest first); an entry indexed under one time
    is removed and re-added exactly even after the record's time moved without a reindex."""
    from django.db import connection

    now = timezone.now()
    moved = published(title="时间被改的招生简章", published_at=now - datetime.timedelta(days=3))
    kept = published(title="另一份招生简章", published_at=now - datetime.timedelta(days=2))
    DisclosureRecord.objects.filter(pk=moved.pk).update(
        published_at=now - datetime.timedelta(days=1)
    )
    index_records([moved.pk])  # re-added under its new time: now the newest
    assert titles(search_records(query="招生")) == ["时间被改的招生简章", "另一份招生简章"]
    DisclosureRecord.objects.filter(pk=moved.pk).update(
        published_at=now - datetime.timedelta(hours=1)
    )
    remove_records([moved.pk])
    assert titles(search_records(query="招生")) == [kept.title]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # raises if a 'delete' did not match its insert
            fts = "disclosure_search_fts"
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")  # noqa: S608
