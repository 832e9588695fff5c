"""An import is a staff action under the workflow's rules (issue 13, item 1).

A file cannot publish, cannot name other people as 编制人/审核人/发布人, cannot set a view count,
cannot reach outside the importer's organization scope, and cannot overwrite a record the
importer may not edit; each record it writes gets an audit entry, each update a revision.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure.audit import first_broken_link
from disclosure.choices import RecordStatus
from disclosure.models import AuditAction, AuditEntry, DisclosureRecord, Genre, Organization
from disclosure.roles import PUBLISHER, REVIEWER
from disclosure.selectors import public_records
from disclosure.workflow import FourEyesViolation, approve_record, submit_record
from exchange.importing import import_records
from exchange.importing import service as import_service
from tests.exchange.test_importing import HEADER, csv_file, row
from tests.factories import make_published_record, make_staff

WUXI, YIXING = 1, 9  # 无锡市教育局, 宜兴市教育局 (fixtures/vocabulary.json)
FORGED = {
    "状态": "已发布",
    "编制人": "forged_author",
    "审核人": "forged_reviewer",
    "发布人": "forged_publisher",
    "浏览次数": "99999",
    "版本号": "7",
    "发布时间": "2020-07-28 09:00",
}


def forged_csv(*rows: list[str]) -> io.BytesIO:
    """The reviewer's file of the report: every row claims to be published by others."""
    return csv_file(*[[*r, *FORGED.values()] for r in rows], header=[*HEADER, *FORGED])


def office(organization: int = WUXI, username: str = "office"):
    """审核 of an organization: may import and edit drafts, may not publish."""
    return make_staff(
        REVIEWER, organization=Organization.objects.get(pk=organization), username=username
    )


def office_publisher(organization: int = WUXI):
    """Somebody in the office who also holds 发布 for the organization."""
    from django.contrib.auth.models import Group

    user = office(organization, username="office_publisher")
    user.groups.add(Group.objects.get(name=PUBLISHER))
    return type(user).objects.get(pk=user.pk)


def wuxi_row(n: int, **changes) -> list[str]:
    return row(信息索引号=f"014006470/2020-{n:05d}", 标题=f"无锡第{n}号", **changes)


def run(source, actor, **options):
    return import_records(source=source, filename="r.csv", actor=actor, **options)


@pytest.mark.django_db
def test_reviewers_file_saying_published_makes_drafts_that_are_not_public(vocabulary):
    actor = office()
    report = run(forged_csv(wuxi_row(1), wuxi_row(2)), actor, commit=True)
    assert report.ok, [str(p) for p in report.problems]
    assert not public_records().exists()
    for record in DisclosureRecord.objects.all():
        assert record.status == RecordStatus.DRAFT
        assert (record.created_by, record.updated_by) == (actor, actor)
        assert record.approved_by is None and record.published_by is None
        assert record.published_at is None
        assert (record.view_count, record.version) == (0, 1)
    assert set(report.ignored_columns) >= {"状态", "编制人", "审核人", "发布人", "浏览次数"}
    created = AuditEntry.objects.filter(action=AuditAction.CREATE, actor=actor)
    assert sorted(created.values_list("details__row", flat=True)) == [2, 3]
    assert first_broken_link() is None


@pytest.mark.django_db
def test_importer_cannot_approve_what_they_imported(vocabulary):
    actor = office()
    assert run(forged_csv(wuxi_row(1)), actor, commit=True).ok
    record = submit_record(record=DisclosureRecord.objects.get(), actor=actor)
    with pytest.raises(FourEyesViolation):
        approve_record(
            record=record, actor=actor, confidentiality_reviewed=True, disclosure_method="proactive"
        )


@pytest.mark.django_db
def test_reviewer_cannot_publish_through_an_import(vocabulary):
    report = run(forged_csv(wuxi_row(1)), office(), commit=True, publish=True)
    assert not report.ok and "没有发布权限" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()
    refused = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert refused.details["committed"] is False


@pytest.mark.django_db
def test_staff_without_the_import_permission_or_no_actor_import_nothing(vocabulary):
    editor = make_staff("编制", organization=Organization.objects.get(pk=WUXI))
    for actor in (editor, None):
        report = run(csv_file(wuxi_row(1)), actor, commit=True)
        assert not report.ok and "没有批量导入" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_reviewer_cannot_add_to_the_vocabularies_through_an_import(vocabulary):
    source = wuxi_row(1, 体裁="新体裁", 目录="政府信息公开 / 新栏目")
    report = run(csv_file(source), office(), commit=True, create_missing=True)
    assert not report.ok and "没有新增机构、目录、主题、体裁的权限" in report.problems[0].message
    assert not Genre.objects.filter(name="新体裁").exists()
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_rows_of_another_organization_are_refused_and_nothing_is_written(vocabulary):
    report = run(csv_file(wuxi_row(1), wuxi_row(2, 发布机构="宜兴市教育局")), office(), commit=True)
    assert [(p.row, p.column) for p in report.problems] == [(3, "发布机构")]
    assert "不在您的机构范围内" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_importer_of_another_organization_is_refused(vocabulary):
    report = run(csv_file(wuxi_row(1)), office(YIXING, username="yixing"), commit=True)
    assert [(p.row, p.column) for p in report.problems] == [(2, "发布机构")]
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_index_number_of_another_organizations_record_is_not_overwritten(vocabulary):
    theirs = make_published_record(
        title="宜兴的文件",
        organization=Organization.objects.get(pk=YIXING),
        index_number="014046317/2020-00001",
    )
    before = DisclosureRecord.objects.values().get(pk=theirs.pk)
    rows = [wuxi_row(1), row(信息索引号=theirs.index_number, 标题="改掉宜兴的文件")]
    for actor in (office(), office_publisher()):
        publish = actor.username == "office_publisher"
        report = run(csv_file(*rows), actor, commit=True, publish=publish)
        assert [(p.row, p.column) for p in report.problems] == [(3, "信息索引号")]
        assert "机构范围以外" in report.problems[0].message
    assert DisclosureRecord.objects.values().get(pk=theirs.pk) == before
    assert DisclosureRecord.objects.count() == 1


@pytest.mark.django_db
def test_update_of_a_published_record_needs_the_publish_permission(vocabulary):
    ours = make_published_record(
        title="无锡已发布",
        organization=Organization.objects.get(pk=WUXI),
        index_number="014006470/2020-00001",
    )
    report = run(csv_file(wuxi_row(1)), office(), commit=True)
    assert [(p.row, p.column) for p in report.problems] == [(2, "信息索引号")]
    assert "已发布" in report.problems[0].message
    assert DisclosureRecord.objects.get(pk=ours.pk).title == "无锡已发布"
    publisher = office_publisher()
    report = run(csv_file(wuxi_row(1)), publisher, commit=True, publish=True)
    assert report.ok and report.updated == 1, [str(p) for p in report.problems]
    ours.refresh_from_db()
    assert ours.title == "无锡第1号" and ours.published_by == publisher


@pytest.mark.django_db
def test_update_writes_a_revision_and_an_audit_entry_per_record(vocabulary):
    actor = office()
    wuxi = Organization.objects.get(pk=WUXI)
    drafts = [
        DisclosureRecord.objects.create(
            title=f"旧标题{n}",
            organization=wuxi,
            category_id=7,
            issued_on="2020-07-28",
            index_number=f"014006470/2020-{n:05d}",
            index_code="014006470",
            index_year=2020,
            index_serial=n,
            view_count=5,
        )  # fmt: skip
        for n in (1, 2)
    ]
    DisclosureRecord.history.all().delete()  # as records bulk-loaded without revisions
    report = run(forged_csv(wuxi_row(1), wuxi_row(2)), actor, commit=True)
    assert report.ok and report.updated == 2, [str(p) for p in report.problems]
    for n, draft in enumerate(drafts, start=1):
        revisions = list(DisclosureRecord.history.filter(id=draft.pk).order_by("history_id"))
        assert [r.title for r in revisions] == [f"旧标题{n}", f"无锡第{n}号"]
        assert revisions[-1].history_user == actor and "导入" in revisions[-1].history_change_reason
        record = DisclosureRecord.objects.get(pk=draft.pk)
        assert record.status == RecordStatus.DRAFT and record.view_count == 5
        assert record.version == draft.version + 1 and record.updated_by == actor
        entry = AuditEntry.objects.get(action=AuditAction.EDIT, object_id=str(draft.pk))
        assert entry.actor == actor and entry.details["row"] == n + 1
    assert first_broken_link() is None


@pytest.mark.django_db
def test_publisher_import_is_recorded_as_published_by_them_per_record(vocabulary):
    publisher = office_publisher()
    report = run(forged_csv(wuxi_row(1), wuxi_row(2)), publisher, commit=True, publish=True)
    assert report.ok, [str(p) for p in report.problems]
    assert public_records().count() == 2
    for record in DisclosureRecord.objects.all():
        assert record.published_by == record.created_by == publisher
        assert record.approved_by is None and record.view_count == 0
        entry = AuditEntry.objects.get(action=AuditAction.PUBLISH, object_id=str(record.pk))
        assert entry.actor == publisher and entry.details["import"] == "r.csv"
    report = run(csv_file(row(信息索引号="014046317/2020-00009", 发布机构="宜兴市教育局")),
                 publisher, commit=True, publish=True)  # fmt: skip
    assert [(p.row, p.column) for p in report.problems] == [(2, "发布机构")]


@pytest.mark.django_db
def test_dry_run_reports_every_refused_row_across_chunks(vocabulary, monkeypatch):
    monkeypatch.setattr(import_service, "CHUNK_SIZE", 2)
    for n in (3, 6):
        make_published_record(
            organization=Organization.objects.get(pk=WUXI), index_number=f"014006470/2020-{n:05d}"
        )
    report = run(csv_file(*[wuxi_row(n) for n in range(1, 8)]), office())
    assert [(p.row, p.column) for p in report.problems] == [(4, "信息索引号"), (7, "信息索引号")]
    assert DisclosureRecord.objects.count() == 2


def _queries(actor, rows: int, *, publish: bool, summary: str = "") -> int:
    source = csv_file(*[wuxi_row(n, 内容概述=summary) for n in range(1, rows + 1)])
    with CaptureQueriesContext(connection) as queries:
        report = run(source, actor, commit=True, publish=publish)
    assert report.ok, [str(p) for p in report.problems]
    return len(queries)


def _insert_batches(rows: int) -> int:
    """Statements a bulk insert of `rows` records and their revisions needs: SQLite caps a
    statement's parameters, so a batch holds 999 // (number of fields) rows (one more field on
    the record can add a batch); PostgreSQL takes them all at once."""
    fields = [
        [f for f in model._meta.concrete_fields if not f.primary_key]
        for model in (DisclosureRecord, DisclosureRecord.history.model)
    ]
    return sum(-(-rows // max(connection.ops.bulk_batch_size(f, [None] * rows), 1)) for f in fields)


@pytest.mark.django_db
def test_audit_entries_and_revisions_are_written_in_bulk_not_per_row(vocabulary):
    """57 more rows add no statement to a create, and at most a handful (SQLite's bound on
    parameters a statement) to an update: per-row writes would add 57 audit entries and 114
    revisions."""
    publisher = office_publisher()
    few = _queries(publisher, 3, publish=True)
    DisclosureRecord.objects.all().delete()
    # the first import made the counters; more rows add only whole batches of the bulk insert
    assert _queries(publisher, 60, publish=True) <= few + _insert_batches(60) - _insert_batches(3)
    assert AuditEntry.objects.filter(action=AuditAction.PUBLISH).count() == 63
    # the first revision of 3 records, then 57; each import changes every row it names
    updates = _queries(publisher, 3, publish=True, summary="改一")
    assert _queries(publisher, 60, publish=True, summary="改二") - updates < 10
    assert DisclosureRecord.history.filter(history_type="~").count() == 63
    assert DisclosureRecord.history.filter(history_change_reason="原始版本(导入)").count() == 60
    assert first_broken_link() is None


@pytest.mark.django_db
def test_command_applies_the_same_rules_to_its_actor(tmp_path, vocabulary):
    office()
    office(YIXING, username="yixing")
    path = tmp_path / "r.jsonl"
    rows = [dict(zip([*HEADER, *FORGED], [*wuxi_row(1), *FORGED.values()], strict=True))]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    with pytest.raises(CommandError):
        call_command("import_records", str(path), "--commit")  # --actor is required
    out = io.StringIO()
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_records", str(path), "--commit", "--publish", "--actor", "office",
                     stdout=out)  # fmt: skip
    assert "没有发布权限" in out.getvalue()
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_records", str(path), "--commit", "--actor", "yixing", stdout=out)
    assert "第 1 行「发布机构」" in out.getvalue()
    assert not DisclosureRecord.objects.exists()
    call_command("import_records", str(path), "--commit", "--actor", "office", stdout=out)
    record = DisclosureRecord.objects.get()
    assert record.status == RecordStatus.DRAFT and record.created_by.username == "office"
    assert "文件中的值未采用" in out.getvalue()
