import datetime

import pytest
from django.http import QueryDict

from disclosure.filters import filter_records
from disclosure.models import DisclosureRecord
from disclosure.selectors import public_records
from tests.factories import (
    make_category,
    make_organization,
    make_published_record,
    make_topic,
)

D = datetime.date


def run(query: str, **kwargs):
    filterset, qs = filter_records(data=QueryDict(query), queryset=public_records(), **kwargs)
    return filterset, list(qs)


@pytest.mark.django_db
def test_date_range_includes_both_ends():
    first = make_published_record(issued_on=D(2020, 1, 1))
    last = make_published_record(issued_on=D(2020, 1, 31))
    make_published_record(issued_on=D(2020, 2, 1))
    _, rows = run("issued_from=2020-01-01&issued_to=2020-01-31&sort=issued")
    assert rows == [first, last]


@pytest.mark.django_db
def test_keyword_filter_never_duplicates_rows():
    record = make_published_record(keywords=("学校", "教育"))
    _, rows = run("keyword=学校")
    assert rows == [record]
    assert DisclosureRecord.objects.count() == 1


@pytest.mark.django_db
def test_top_level_topic_includes_its_children_once():
    parent = make_topic(name="科技、教育")
    child = make_topic(name="教育", parent=parent)
    a = make_published_record(topic=child)
    b = make_published_record(topic=parent)
    make_published_record()
    _, rows = run(f"topic={parent.pk}&sort=title")
    assert sorted(r.pk for r in rows) == sorted([a.pk, b.pk])


@pytest.mark.django_db
def test_category_includes_descendants_and_organization_includes_departments():
    root = make_category(name="信息公开目录")
    leaf = make_category(name="规划计划", parent=root)
    bureau = make_organization(code="014006470")
    dept = make_organization(parent=bureau, name="办公室")
    record = make_published_record(category=leaf, organization=dept)
    make_published_record()
    _, rows = run(f"category={root.slug}&organization={bureau.pk}")
    assert rows == [record]


@pytest.mark.django_db
def test_validity_filter_uses_derived_state():
    valid = make_published_record(issued_on=D(2020, 1, 1))
    expired = make_published_record(issued_on=D(2020, 1, 1), valid_until=D(2021, 1, 1))
    _, rows = run("validity=expired", today=D(2022, 1, 1))
    assert rows == [expired]
    _, rows = run("validity=valid", today=D(2022, 1, 1))
    assert rows == [valid]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "issued_from=2020-13-45",
        "year=abc",
        "validity=unknown",
        "topic=999999",
        "sort=drop",
        "category=nope",
    ],
)
def test_invalid_filter_gives_errors_and_an_empty_result_not_the_whole_list(query):
    make_published_record()
    filterset, rows = run(query)
    assert rows == []
    assert filterset.errors


@pytest.mark.django_db
def test_active_filters_are_listed_as_chips():
    make_published_record()
    filterset, _ = run("year=2020&validity=valid")
    assert ("year", "年份", "2020") in filterset.active_filters()
    assert ("validity", "效力状态", "有效") in filterset.active_filters()


@pytest.mark.django_db
def test_topic_select_list_names_a_child_with_its_parent():
    """Several first-level topics have a child named 其他: the list says whose (Topic.label)."""
    from disclosure.filters import _filter_choices

    education = make_topic(name="教育")
    other = make_topic(name="其他", parent=education)
    topics = dict(_filter_choices()["topic"])
    assert topics[str(education.pk)] == "教育" == education.label
    assert topics[str(other.pk)] == "教育--其他" == other.label
