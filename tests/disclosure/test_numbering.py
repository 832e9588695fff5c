import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from disclosure.models import DisclosureRecord, IndexSerialCounter
from disclosure.numbering import (
    NumberingError,
    assign_index_number,
    keep_counters_ahead,
    keep_imported_index_number,
    parse_index_number,
    validate_index_format,
)
from tests.factories import make_organization, make_record


@pytest.mark.django_db
def test_first_number_of_a_year_is_serial_one_in_the_national_format():
    org = make_organization(code="014006470")
    record = make_record(organization=org, publication_date="2021-03-01")
    assign_index_number(record=record)
    record.refresh_from_db()
    assert record.index_number == "014006470/2021-00001"
    assert (record.index_code, record.index_year, record.index_serial) == ("014006470", 2021, 1)


@pytest.mark.django_db
def test_department_numbers_under_its_parents_code_without_gaps():
    bureau = make_organization(code="014046317")
    dept_a = make_organization(parent=bureau, name="宜兴市教育局")
    dept_b = make_organization(parent=bureau, name="宜兴市卫健委")
    numbers = []
    for org in (dept_a, dept_b, bureau, dept_a):
        record = make_record(organization=org, publication_date="2022-05-05")
        numbers.append(assign_index_number(record=record).index_number)
    assert numbers == [f"014046317/2022-{n:05d}" for n in (1, 2, 3, 4)]


@pytest.mark.django_db
def test_assigning_twice_keeps_the_first_number():
    record = make_record(publication_date="2020-07-28")
    first = assign_index_number(record=record).index_number
    again = assign_index_number(record=DisclosureRecord.objects.get(pk=record.pk)).index_number
    assert first == again
    assert IndexSerialCounter.objects.get().last_serial == 1


@pytest.mark.django_db
def test_serials_restart_each_year():
    org = make_organization(code="014006470")
    a = assign_index_number(record=make_record(organization=org, publication_date="2020-12-31"))
    b = assign_index_number(record=make_record(organization=org, publication_date="2021-01-01"))
    assert a.index_number.endswith("/2020-00001")
    assert b.index_number.endswith("/2021-00001")


@pytest.mark.django_db
def test_province_format_with_six_digit_serial():
    org = make_organization(code="610728000", index_format="{code}/{year}-{serial:06d}")
    record = assign_index_number(
        record=make_record(organization=org, publication_date="2024-01-02")
    )
    assert record.index_number == "610728000/2024-000001"


@pytest.mark.django_db
def test_organization_without_any_code_is_refused_with_its_name():
    org = make_organization(code="", name="无代码机构")
    record = make_record(organization=org)
    with pytest.raises(NumberingError, match="无代码机构"):
        assign_index_number(record=record)
    record.refresh_from_db()
    assert record.index_number is None
    assert not IndexSerialCounter.objects.exists()


@pytest.mark.parametrize(
    "value",
    [
        "014006470/2020-00120",
        "04618780/2022-00317",
        "11341702486344515H/202110-00013",
        "6107280000/2024-001005",
        "20191202-189769",
    ],
)
def test_province_index_number_formats_parse(value):
    parsed = parse_index_number(value)
    assert parsed.serial > 0


@pytest.mark.parametrize(
    "value", ["", "abc", "01400 6470/2020-1", "索引号2020-1", "<b>1</b>", "014006470/2020-"]
)
def test_malformed_index_number_is_refused_naming_the_field(value):
    with pytest.raises(ValidationError) as excinfo:
        parse_index_number(value)
    assert "index_number" in excinfo.value.message_dict
    assert "信息索引号" in excinfo.value.message_dict["index_number"][0]


def test_index_format_without_serial_is_refused():
    with pytest.raises(ValidationError):
        validate_index_format("{code}/{year}")
    with pytest.raises(ValidationError):
        validate_index_format("{code}/{nonsense}-{serial}")
    validate_index_format("{code}/{year}-{serial:06d}")


@pytest.mark.django_db
def test_imported_number_kept_verbatim_and_counter_moves_past_it():
    org = make_organization(code="014006470")
    imported = make_record(organization=org)
    with transaction.atomic():
        keep_imported_index_number(record=imported, index_number="014006470/2020-00120")
        imported.save()
    fresh = assign_index_number(record=make_record(organization=org, publication_date="2020-08-01"))
    assert fresh.index_number == "014006470/2020-00121"


@pytest.mark.django_db
def test_non_standard_imported_numbers_kept_and_must_be_unique():
    org = make_organization(code="014006470")
    first = make_record(organization=org)
    keep_imported_index_number(record=first, index_number="20191202-189769")
    first.save()
    assert DisclosureRecord.objects.get(pk=first.pk).index_number == "20191202-189769"
    second = make_record(organization=org)
    keep_imported_index_number(record=second, index_number="20191202-189769")
    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()
    assert "index_number" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publishing_yields_unique_gap_free_numbers():
    org = make_organization(code="014006470")
    records = [make_record(organization=org, publication_date="2020-09-01") for _ in range(24)]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def publish(batch):
        try:
            barrier.wait()
            for record in batch:
                assign_index_number(record=record)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=publish, args=(records[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    serials = sorted(DisclosureRecord.objects.values_list("index_serial", flat=True))
    assert serials == list(range(1, 25))
    assert IndexSerialCounter.objects.get(code="014006470", year=2020).last_serial == 24


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_assignment_of_one_record_under_concurrency_gives_one_number():
    record = make_record(publication_date="2020-09-01")
    barrier = threading.Barrier(6)
    results: list[str] = []

    def publish():
        try:
            barrier.wait()
            results.append(
                assign_index_number(record=DisclosureRecord.objects.get(pk=record.pk)).index_number
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 6
    assert IndexSerialCounter.objects.get().last_serial == 1


@pytest.mark.django_db
def test_counters_move_ahead_in_one_batch_and_never_back():
    IndexSerialCounter.objects.create(code="014006470", year=2020, last_serial=500)
    keep_counters_ahead(
        highest={("014006470", 2020): 120, ("014006470", 2021): 7, ("04618780", 2022): 317}
    )
    counters = {(c.code, c.year): c.last_serial for c in IndexSerialCounter.objects.all()}
    assert counters == {("014006470", 2020): 500, ("014006470", 2021): 7, ("04618780", 2022): 317}


@pytest.mark.parametrize(
    ("value", "code", "year", "serial"),
    [
        # 18-character unified social credit code; a date-based serial the counter cannot follow
        ("11330524K14997740W/2023-2022090262", "11330524K14997740W", 2023, None),
        ("11320200014117296F/2021-00123", "11320200014117296F", 2021, 123),
        ("000014349/2020-00120", "000014349", 2020, 120),
        # a category code between organization code and year: kept, not counted
        ("014006470/01.02/2020-00120", "014006470", 2020, None),
        ("01400647-0/2020-00012", "01400647", 2020, 12),
        # local formats and a number that lost its code: kept verbatim
        ("XXGK-2021-0001", "", 2021, None),
        ("/2025-0000", "", 2025, None),
    ],
)
def test_index_number_formats_seen_in_practice_parse(value, code, year, serial):
    parsed = parse_index_number(value)
    assert (parsed.code, parsed.year, parsed.serial) == (code, year, serial)
    assert parsed.lost_code == (value == "/2025-0000")


@pytest.mark.django_db
def test_imported_uscc_number_is_kept_and_the_portals_format_applies_only_to_its_own():
    org = make_organization(code="11330524K14997740W", index_format="{code}/{year}-{serial:06d}")
    imported = make_record(organization=org)
    with transaction.atomic():
        keep_imported_index_number(
            record=imported, index_number="11330524K14997740W/2023-2022090262"
        )
        imported.save()
    assert DisclosureRecord.objects.get(pk=imported.pk).index_number == (
        "11330524K14997740W/2023-2022090262"
    )
    fresh = assign_index_number(record=make_record(organization=org, publication_date="2023-05-01"))
    assert fresh.index_number == "11330524K14997740W/2023-000001"


@pytest.mark.django_db
def test_bulk_numbering_follows_the_counter_and_skips_bodies_without_code():
    from disclosure.numbering import assign_index_numbers

    org = make_organization(code="014006470")
    coded_child = make_organization(name="处室", parent=org)
    orphan = make_organization(name="无代码机构", code="")
    IndexSerialCounter.objects.create(code="014006470", year=2020, last_serial=7)
    records = [
        make_record(organization=org, publication_date="2020-03-01"),
        make_record(organization=coded_child, publication_date="2020-04-01"),
        make_record(organization=orphan, publication_date="2020-04-01"),
    ]
    left = assign_index_numbers(record_ids=[r.pk for r in records])
    assert left == [records[2].pk]
    numbers = [DisclosureRecord.objects.get(pk=r.pk).index_number for r in records]
    assert numbers == ["014006470/2020-00008", "014006470/2020-00009", None]
    parts = DisclosureRecord.objects.filter(pk=records[1].pk).values_list(
        "index_code", "index_year", "index_serial"
    )
    assert list(parts) == [("014006470", 2020, 9)]  # what keeps the serials unique
    assert IndexSerialCounter.objects.get(code="014006470", year=2020).last_serial == 9
