"""disclosure 0017 and the context apps' 0001: a database holding data keeps every row.

The contexts left the records core by moving Django's state only (their tables keep their
disclosure_* names) and their content types, so permissions, role groups and admin log entries
keep pointing at the same rows. The test goes back to 0011 (before the move), adds rows there
through the historical models, migrates forward and finds everything through the new models.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from applications.models import InformationRequest, RequestEvent
from disclosure.models import AuditEntry, DisclosureRecord
from disclosure.roles import AUDITOR, PUBLISHER, REVIEWER
from exchange.models import ExportJob
from plans.models import PlanItem, WorkPlan
from plans.services import split_plan
from reports.models import AnnualReport
from search import index_records
from search.models import SearchEntry
from tests.factories import (
    LONG_BODY,
    body_compressions,
    make_organization,
    make_published_record,
    make_request,
    make_user,
    require_lz4_bodies,
)

BEFORE = [
    ("disclosure", "0011_export_jobs"),
    ("applications", None),
    ("plans", None),
    ("reports", None),
    ("exchange", None),
    ("search", None),
]
PLAN_BODY = "<p>一、下半年工作计划</p><p>（一）推动高教职教重点突破。建设新校区。</p>"
MOVED = {
    "applications": ["informationrequest", "requestevent", "replytemplate"],
    "plans": ["workplan", "plansection", "planitem", "planprogressnote"],
    "reports": ["annualreport"],
    "exchange": ["exportjob"],
    "search": ["searchentry"],
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_with_data_migrates_from_0011_and_keeps_every_row_and_permission():
    bureau = make_organization()
    record = make_published_record(organization=bureau, body=PLAN_BODY, title="工作计划")
    split_plan(record=record, actor=None)
    index_records([record.pk])
    request = make_request(organization=bureau)
    report = AnnualReport.objects.create(organization=bureau, year=2023)
    clerk = make_user(username="exporter")
    job = ExportJob.objects.create(requested_by=clerk, what="records", format="csv")
    assert SearchEntry.objects.filter(record=record).exists()
    content_type_ids = {
        model: ContentType.objects.get(app_label=app, model=model).pk
        for app, models in MOVED.items()
        for model in models
    }
    permission_ids = set(
        Permission.objects.filter(content_type_id__in=content_type_ids.values()).values_list(
            "pk", flat=True
        )
    )
    audit_ids = set(AuditEntry.objects.values_list("pk", flat=True))
    assert audit_ids

    old = migrate(BEFORE)
    # At 0011 the content types were the core's, and the rows its models'.
    for model, pk in content_type_ids.items():
        assert ContentType.objects.get(pk=pk).app_label == "disclosure", model
    old_request = old.get_model("disclosure", "InformationRequest")
    old_event = old.get_model("disclosure", "RequestEvent")
    assert old_request.objects.filter(pk=request.pk).exists()
    # A request added while the database is still at 0011, as on a server before the upgrade.
    fields = old_request.objects.filter(pk=request.pk).values()[0]
    fields.update(id=None, tracking_number="2020-0099", applicant_name="张三")
    added = old_request.objects.create(**fields)
    event = old_event.objects.filter(request_id=request.pk).values()[0]
    event.update(id=None, request_id=added.pk)
    old_event.objects.create(**event)

    migrate(latest())

    for app, models in MOVED.items():
        for model in models:
            moved = ContentType.objects.get(pk=content_type_ids[model])
            assert (moved.app_label, moved.model) == (app, model)
            assert not ContentType.objects.filter(app_label="disclosure", model=model).exists()
    assert (
        set(
            Permission.objects.filter(content_type_id__in=content_type_ids.values()).values_list(
                "pk", flat=True
            )
        )
        == permission_ids
    )
    assert DisclosureRecord.objects.filter(pk=record.pk).exists()
    assert InformationRequest.objects.filter(pk__in=[request.pk, added.pk]).count() == 2
    assert RequestEvent.objects.filter(request_id=added.pk).count() == 1
    assert RequestEvent.objects.filter(request=request).count() >= 1
    plan = WorkPlan.objects.get(record=record)
    assert PlanItem.objects.filter(section__plan=plan).count() >= 1
    assert AnnualReport.objects.get(pk=report.pk).year == 2023
    assert ExportJob.objects.get(pk=job.pk).requested_by == clerk
    assert SearchEntry.objects.filter(record=record).exists()
    # Every entry is kept; the only new ones are 0014's seals of the unkeyed entries (migrating
    # back past 0014 and forward again seals once more).
    assert audit_ids <= set(AuditEntry.objects.values_list("pk", flat=True))
    new_entries = AuditEntry.objects.exclude(pk__in=audit_ids)
    assert all(e.reason.startswith("审计链改用密钥") for e in new_entries)

    # The role groups still hold the permissions, now under the new app labels.
    for role, permission in [
        (REVIEWER, "applications.change_informationrequest"),
        (REVIEWER, "plans.change_planitem"),
        (REVIEWER, "reports.change_annualreport"),
        (PUBLISHER, "reports.publish_annualreport"),
        (PUBLISHER, "applications.approve_request_extension"),
        (AUDITOR, "applications.view_informationrequest"),
    ]:
        member = make_user(username=f"member-{role}-{permission}")
        member.groups.add(Group.objects.get(name=role))
        member = get_user_model().objects.get(pk=member.pk)
        assert member.has_perm(permission), (role, permission)
        assert not member.has_perm(permission.replace(permission.split(".")[0], "disclosure"))


@pytest.mark.django_db(transaction=True)
def test_records_filed_under_a_normative_genre_get_the_attribute_on_migration():
    """0023_normative: what table two counted by 体裁 before, it counts by the attribute
    after; other records stay unmarked, and no row is lost."""
    from disclosure.models import Genre

    bureau = make_organization()
    normative = make_published_record(
        organization=bureau, genre=Genre.objects.create(name="规范性文件")
    )
    rule = make_published_record(organization=bureau, genre=Genre.objects.create(name="规章"))
    notice = make_published_record(organization=bureau, genre=Genre.objects.create(name="通知"))
    migrate([("disclosure", "0017_move_to_context_apps")])
    migrate(latest())
    kinds = dict(DisclosureRecord.objects.values_list("pk", "normative_kind"))
    assert kinds == {normative.pk: "normative", rule.pk: "rule", notice.pk: ""}


@pytest.mark.postgres
@pytest.mark.django_db
def test_bodies_and_their_revisions_are_stored_lz4_compressed_on_postgresql():
    """0028: a long body is compressed with LZ4 (faster to write and to read than pglz) in the
    record and in the revision that copies it; the text reads back unchanged."""
    require_lz4_bodies()
    record = make_published_record(body=LONG_BODY)
    DisclosureRecord.history.bulk_history_create([record], default_change_reason="test")
    methods = body_compressions(record.pk)
    assert len(methods) >= 2 and set(methods) == {"lz4"}
    assert DisclosureRecord.objects.get(pk=record.pk).body == LONG_BODY
