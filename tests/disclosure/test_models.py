"""Invariants the database itself enforces, whatever path a row takes (admin, import, SQL)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from disclosure.choices import DisclosurePeriod, RecordStatus, ValidityStatus
from disclosure.models import AuditEntry, Category, DisclosureRecord, Organization, Topic
from disclosure.services.records import create_record, split_keywords
from tests.factories import make_category, make_organization, make_record, make_topic


def _update_fails(record, **changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        DisclosureRecord.objects.filter(pk=record.pk).update(**changes)


@pytest.mark.django_db
def test_database_rejects_validity_end_before_issue_date():
    record = make_record(issued_on=datetime.date(2020, 7, 28))
    _update_fails(record, valid_until=datetime.date(2020, 7, 27))
    record.refresh_from_db()
    assert record.valid_until is None


@pytest.mark.django_db
def test_database_rejects_unknown_status():
    record = make_record()
    _update_fails(record, status="archived")
    assert DisclosureRecord.objects.get(pk=record.pk).status == RecordStatus.DRAFT


@pytest.mark.django_db
def test_database_rejects_duplicate_index_number():
    a, b = make_record(), make_record()
    DisclosureRecord.objects.filter(pk=a.pk).update(index_number="014006470/2020-00120")
    _update_fails(b, index_number="014006470/2020-00120")


@pytest.mark.django_db
def test_database_rejects_published_record_without_publication_moment():
    record = make_record()
    _update_fails(record, status=RecordStatus.PUBLISHED, published_at=None)


@pytest.mark.django_db
def test_database_rejects_time_limited_disclosure_without_end_date():
    record = make_record()
    _update_fails(record, disclosure_period=DisclosurePeriod.TIME_LIMITED)


@pytest.mark.django_db
def test_database_rejects_bad_organization_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="坏代码", code="01400-6470")


@pytest.mark.django_db
def test_create_record_refuses_end_of_validity_before_issue_naming_the_field():
    org, category = make_organization(), make_category()
    with pytest.raises(ValidationError) as excinfo:
        create_record(
            title="有效期错误",
            organization=org,
            category=category,
            issued_on=datetime.date(2020, 7, 28),
            valid_until=datetime.date(2019, 1, 1),
            keywords=["学校"],
        )
    assert "有效期不能早于发文日期" in excinfo.value.message_dict["valid_until"][0]
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_create_record_refuses_not_disclosed_without_legal_reason():
    with pytest.raises(ValidationError) as excinfo:
        make_record(disclosure_method="not_disclosed")
    assert "non_disclosure_reason" in excinfo.value.message_dict


@pytest.mark.django_db
def test_create_record_refuses_unknown_disclosure_form():
    with pytest.raises(ValidationError) as excinfo:
        make_record(disclosure_forms=["website", "carrier pigeon"])
    assert "disclosure_forms" in excinfo.value.message_dict


@pytest.mark.django_db
def test_create_record_sanitizes_body():
    record = make_record(
        body='<p onclick="x()">正文<script>alert(1)</script></p><a href="javascript:x">链接</a>'
    )
    assert "<script" not in record.body
    assert "onclick" not in record.body
    assert "javascript:" not in record.body
    assert "正文" in record.body


def test_keywords_split_on_every_separator_and_keep_order():
    assert split_keywords("学校,机关，总结;招生；教育、安全 学校") == [
        "学校",
        "机关",
        "总结",
        "招生",
        "教育",
        "安全",
    ]


@pytest.mark.django_db
def test_keywords_keep_the_editors_order():
    record = make_record(keywords=("学校", "机关", "总结"))
    assert DisclosureRecord.objects.get(pk=record.pk).keyword_names() == ["学校", "机关", "总结"]


@pytest.mark.django_db
def test_validity_status_is_derived_from_dates():
    record = make_record(
        issued_on=datetime.date(2020, 1, 1), valid_until=datetime.date(2021, 12, 31)
    )
    assert record.validity_status(today=datetime.date(2021, 12, 31)) == ValidityStatus.VALID
    assert record.validity_status(today=datetime.date(2022, 1, 1)) == ValidityStatus.EXPIRED
    record.repealed_on = datetime.date(2021, 6, 1)
    assert record.validity_status(today=datetime.date(2021, 6, 1)) == ValidityStatus.REPEALED


@pytest.mark.django_db
def test_validity_queryset_filter_agrees_with_the_record():
    today = datetime.date(2023, 1, 1)
    valid = make_record(issued_on=datetime.date(2020, 1, 1))
    expired = make_record(
        issued_on=datetime.date(2020, 1, 1), valid_until=datetime.date(2022, 1, 1)
    )
    repealed = make_record(
        issued_on=datetime.date(2020, 1, 1), repealed_on=datetime.date(2022, 6, 1)
    )
    qs = DisclosureRecord.objects.all()
    for status, record in [
        (ValidityStatus.VALID, valid),
        (ValidityStatus.EXPIRED, expired),
        (ValidityStatus.REPEALED, repealed),
    ]:
        assert list(qs.with_validity(status, today=today)) == [record]
        assert record.validity_status(today=today) == status


@pytest.mark.django_db
def test_topic_renders_with_its_parent_like_the_record_page():
    parent = make_topic(name="科技、教育")
    child = make_topic(name="教育", parent=parent)
    assert str(child) == "科技、教育--教育"


@pytest.mark.django_db
def test_topic_tree_has_two_levels_only():
    a = make_topic(name="一级")
    b = make_topic(name="二级", parent=a)
    with pytest.raises(ValidationError):
        Topic(name="三级", parent=b).full_clean()


@pytest.mark.django_db
def test_category_cannot_be_its_own_ancestor():
    root = make_category(name="根")
    child = make_category(name="子", parent=root)
    root.parent = child
    with pytest.raises(ValidationError):
        root.full_clean()
    assert [c.name for c in Category.objects.get(pk=child.pk).ancestors_and_self()] == ["根", "子"]


@pytest.mark.django_db
def test_registration_number_only_for_a_rule_or_normative_document():
    """登记号 belongs to 规章 / 行政规范性文件: refused in the form and by the database."""
    from disclosure.choices import NormativeKind

    record = make_record()
    record.registration_number = "WXJY-2020-001"
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "登记号只用于规章" in str(error.value.message_dict["registration_number"])
    _update_fails(record, registration_number="WXJY-2020-001")
    _update_fails(record, normative_kind="unknown")
    record.normative_kind = NormativeKind.NORMATIVE
    record.full_clean()
    record.save()
    record.refresh_from_db()
    assert (record.normative_kind, record.registration_number) == ("normative", "WXJY-2020-001")


def _indexes(model) -> list[dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [c for c in found.values() if (c["index"] or c["unique"]) and c["columns"]]


@pytest.mark.django_db
def test_records_are_indexed_by_category_and_organization_only_with_publication_date():
    """Migration 0029: an index for a column no query filters on costs every write."""
    alone = {c["columns"][0] for c in _indexes(DisclosureRecord) if len(c["columns"]) == 1}
    leading = {c["columns"][0] for c in _indexes(DisclosureRecord)}
    workflow = {"submitted_by_id", "approved_by_id", "published_by_id", "withdrawn_by_id"}
    assert not (workflow | {"rejected_by_id"}) & leading
    assert not {"category_id", "organization_id"} & alone
    assert {"category_id", "organization_id", "created_by_id", "updated_by_id"} <= leading


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_has_no_like_index_on_the_audit_log_or_the_records():
    """varchar_pattern_ops indexes serve only LIKE 'x%', which no query makes (0029)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexdef LIKE '%%pattern_ops%%'",
            [[AuditEntry._meta.db_table, DisclosureRecord._meta.db_table]],
        )
        assert cursor.fetchall() == []
    names = {name for c in _indexes(AuditEntry) for name in c["columns"]}
    assert {"action", "object_type", "object_id", "entry_hash"} <= names
