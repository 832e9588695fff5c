import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from disclosure.models import DisclosureRecord, IndexSerialCounter


@pytest.mark.django_db
def test_setup_demo_is_idempotent_and_prints_the_login(capsys):
    call_command("setup_demo", "--no-migrate", "--no-sample-data")
    call_command("setup_demo", "--no-migrate", "--no-sample-data")
    out = capsys.readouterr().out
    assert "用户名 demo" in out and "密码 demo-portal-2026" in out
    assert DisclosureRecord.objects.count() == 1
    assert authenticate(username="demo", password="demo-portal-2026") is not None


@pytest.mark.django_db
def test_generate_records_numbers_published_records_gap_free(vocabulary):
    call_command("generate_records", "--count", "300", "--batch-size", "120")
    assert DisclosureRecord.objects.count() == 300
    for counter in IndexSerialCounter.objects.all():
        serials = sorted(
            DisclosureRecord.objects.filter(
                index_code=counter.code, index_year=counter.year
            ).values_list("index_serial", flat=True)
        )
        assert serials == list(range(1, counter.last_serial + 1))
    assert DisclosureRecord.objects.filter(status="draft", index_number__isnull=False).count() == 0
    for record in DisclosureRecord.objects.all()[:50]:
        record.full_clean()


@pytest.mark.django_db
def test_generate_records_without_vocabulary_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="setup_demo"):
        call_command("generate_records", "--count", "5")
    assert DisclosureRecord.objects.count() == 0


@pytest.mark.django_db
def test_generated_records_are_searchable_unless_asked_not_to(vocabulary):
    from django.utils.html import strip_tags

    from disclosure.convert import to_simplified
    from search import search_records

    call_command("generate_records", "--count", "40", "--no-index")
    assert search_records(query="工作").total == 0
    unindexed = list(DisclosureRecord.objects.values_list("pk", flat=True))
    call_command("generate_records", "--count", "60", "--seed", "7")
    expected = sum(
        1
        for r in DisclosureRecord.objects.published().exclude(pk__in=unindexed)
        if "工作" in to_simplified(r.title + r.summary + strip_tags(r.body))
    )
    assert expected > 0
    assert search_records(query="工作").total == expected
