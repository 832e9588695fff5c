"""Export every record as JSON Lines, import into an empty database: the content comes back.

The workflow's fields (status, who and when, version, view count) are not taken from a file
(issue 13, item 1): the import gives them as the importer's own action, asserted here too.
"""

import io

import pytest

from disclosure.choices import RecordStatus
from disclosure.generator import generate_records
from disclosure.models import AuditEntry, DisclosureRecord, RecordKeyword
from exchange.exports import stream_records
from exchange.importing import import_records
from exchange.importing.columns import WORKFLOW
from tests.exchange.test_importing import root
from tests.factories import make_published_record, make_record, make_user

#: The workflow's own fields, which an import sets itself rather than restores.
SKIP = {
    "id", *WORKFLOW, "rejected_by", "rejected_at", "rejection_reason",
    "confidentiality_reviewed_at", "scheduled_publish_at",
}  # fmt: skip


def snapshot() -> list[dict]:
    rows = []
    for record in DisclosureRecord.objects.select_related("repealed_by").order_by("id"):
        row = {}
        for field in DisclosureRecord._meta.concrete_fields:
            if field.name in SKIP:
                continue
            row[field.name] = getattr(record, field.attname)
        row["repealed_by"] = record.repealed_by.index_number if record.repealed_by else None
        row["keywords"] = record.keyword_names()
        rows.append(row)
    return sorted(rows, key=lambda r: repr(sorted(r.items())))


def export_jsonl(**options) -> bytes:
    return b"".join(stream_records(queryset=DisclosureRecord.objects.all(), fmt="jsonl", **options))


def empty_the_records() -> None:
    DisclosureRecord.objects.update(repealed_by=None)
    DisclosureRecord.objects.all().delete()
    assert not DisclosureRecord.objects.exists()


def assert_round_trip(**export_options) -> None:
    before = snapshot()
    data = export_jsonl(**export_options)
    empty_the_records()
    report = import_records(
        source=io.BytesIO(data), filename="all.jsonl", commit=True, actor=root()
    )
    assert report.ok, [str(p) for p in report.problems]
    after = snapshot()
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert new == old
    workflow = set(
        DisclosureRecord.objects.values_list("status", "created_by", "view_count", "version")
    )
    assert workflow == {(RecordStatus.DRAFT, root().pk, 0, 1)}


@pytest.mark.django_db
def test_round_trip_of_the_seed_fixture_and_every_workflow_state_comes_back_as_drafts(seed_data):
    editor, reviewer = make_user(username="editor"), make_user(username="reviewer")
    seed = DisclosureRecord.objects.get()
    make_record(title="草稿,还没有索引号", created_by=editor, keywords=("草稿", "测试"))
    make_record(status=RecordStatus.WITHDRAWN, title="撤回的文件", summary="=1+1")
    repealing = make_published_record(
        title="废止通知", organization=seed.organization, category=seed.category
    )
    DisclosureRecord.objects.filter(pk=repealing.pk).update(
        index_number="04618780/2022-00317",
        index_code="04618780",
        index_year=2022,
        index_serial=317,
        approved_by=reviewer,
        view_count=42,
        version=3,
    )
    DisclosureRecord.objects.filter(pk=seed.pk).update(
        repealed_by=repealing, repealed_on=seed.issued_on
    )
    assert_round_trip()


@pytest.mark.django_db
def test_round_trip_of_generated_records_with_english_headers(vocabulary):
    generate_records(count=300, seed=7)
    assert_round_trip(english=True)


@pytest.mark.django_db
def test_export_is_itself_audited_with_filters_and_row_count(seed_data):
    actor = make_user(username="auditor")
    export_jsonl(actor=actor, filters={"status": ["published"]})
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor_name == "auditor"
    assert entry.details["rows"] == 1
    assert entry.details["filters"] == {"status": ["published"]}
    assert entry.details["complete"] is True


@pytest.mark.django_db
def test_reimport_over_changed_records_restores_every_field(vocabulary):
    """The update path (existing index numbers) writes every content field back, NULLs
    included; the workflow's fields stay the database's (view count) or the importer's."""
    generate_records(count=120, seed=11)
    before = [row for row in snapshot() if row["index_number"]]
    drafts = DisclosureRecord.objects.filter(index_number=None).count()
    data = export_jsonl()
    numbered = DisclosureRecord.objects.exclude(index_number=None)
    versions = dict(numbered.values_list("pk", "version"))
    numbered.update(title="改过", summary="", valid_until=None, view_count=9, body="<p>x</p>")
    RecordKeyword.objects.all().delete()
    report = import_records(
        source=io.BytesIO(data), filename="all.jsonl", commit=True, actor=root(), publish=True
    )
    assert report.ok, [str(p) for p in report.problems]
    # the drafts without a number are found by their key (issue 18, item 9), and numbered
    assert (report.updated, report.created) == (len(before) + drafts, 0)
    assert drafts and report.numbered == drafts
    numbers = {row["index_number"] for row in before}
    assert [row for row in snapshot() if row["index_number"] in numbers] == before
    for record in DisclosureRecord.objects.filter(index_number__in=numbers):
        assert record.view_count == 9 and record.version == versions[record.pk] + 1
        assert record.status == RecordStatus.PUBLISHED and record.published_by == root()
