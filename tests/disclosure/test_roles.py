import logging

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from disclosure.demo import ensure_demo_accounts
from disclosure.models import DisclosureRecord, Organization
from disclosure.roles import (
    AUDITOR,
    EDITOR,
    PUBLISHER,
    REVIEWER,
    ROLE_APP_LABELS,
    ROLE_PERMISSIONS,
)
from plans.models import PlanItem
from plans.services import split_plan
from reports.models import AnnualReport
from tests.factories import make_organization, make_record, make_request

PASSWORD = "demo-pass-123"
PLAN_BODY = "<p>一、下半年工作计划</p><p>（一）推动高教职教重点突破。建设新校区。</p>"


def codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("codename", flat=True))


def existing(names: list[str]) -> set[str]:
    return set(
        Permission.objects.filter(
            content_type__app_label__in=ROLE_APP_LABELS, codename__in=names
        ).values_list("codename", flat=True)
    )


@pytest.mark.django_db
def test_after_migrate_each_group_has_exactly_its_role_permissions():
    for name, names in ROLE_PERMISSIONS.items():
        assert codenames(name) == existing(names)
        # every codename a role names exists
        assert set(names) == existing(names)


@pytest.mark.django_db
def test_auditor_sees_requests_masked_and_changes_nothing():
    auditor = codenames(AUDITOR)
    assert {"view_informationrequest", "view_annualreport", "view_planitem"} <= auditor
    assert {"view_calendaroverride", "view_auditentry"} <= auditor
    assert "view_request_personal_data" not in auditor
    # besides reading, the auditor may only export (records, the audit log, masked requests)
    assert {c for c in auditor if not c.startswith("view_")} == {
        "access_all_organizations",
        "export_records",
        "export_audit_log",
        "export_requests",
    }
    assert "view_request_personal_data" in codenames(REVIEWER)


@pytest.mark.django_db
def test_migrate_resyncs_groups_and_skips_unknown_codenames_with_a_warning(caplog, monkeypatch):
    Group.objects.get(name=PUBLISHER).permissions.clear()
    # A role may name a permission that only a later migration creates.
    monkeypatch.setitem(
        ROLE_PERMISSIONS, AUDITOR, [*ROLE_PERMISSIONS[AUDITOR], "export_future_reports"]
    )
    with caplog.at_level(logging.WARNING, logger="disclosure.roles"):
        call_command("migrate", verbosity=0)
    assert codenames(PUBLISHER) == existing(ROLE_PERMISSIONS[PUBLISHER])
    assert "export_future_reports" in caplog.text and AUDITOR in caplog.text
    Permission.objects.create(
        codename="export_future_reports",
        name="可导出未来的报告",
        content_type=ContentType.objects.get_for_model(DisclosureRecord),
    )
    call_command("migrate", verbosity=0)
    assert "export_future_reports" in codenames(AUDITOR)
    assert "export_future_reports" not in codenames(EDITOR)


@pytest.fixture
def demo(vocabulary):
    ensure_demo_accounts(password=PASSWORD)
    return Organization.objects.get(name="无锡市教育局")


def status_of(client, username: str, url: str) -> int:
    assert client.login(username=username, password=PASSWORD)
    status = client.get(url).status_code
    client.logout()
    return status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "requests", "personal_data", "reports"),
    [
        ("demo-editor", 403, False, 403),
        ("demo-reviewer", 200, True, 200),
        ("demo-publisher", 200, False, 200),
        ("demo-auditor", 200, False, 200),
    ],
)
def test_demo_accounts_open_the_request_and_annual_report_pages_by_role(
    client, demo, username, requests, personal_data, reports
):
    request = make_request(organization=demo)
    report = AnnualReport.objects.create(organization=demo, year=2023)
    request_list = reverse("admin:applications_informationrequest_changelist")
    request_page = reverse("admin:applications_informationrequest_change", args=[request.pk])
    report_page = reverse("admin:reports_annualreport_change", args=[report.pk])
    assert status_of(client, username, request_list) == requests
    assert status_of(client, username, request_page) == requests
    assert status_of(client, username, report_page) == reports
    if reports == 200:
        assert client.login(username=username, password=PASSWORD)
        reports_list = client.get(reverse("admin:reports_annualreport_changelist"))
        # only the office compiles and submits the report; the others read it
        compiles = username == "demo-reviewer"
        assert ("生成公开信息并提交审核" in reports_list.content.decode()) is compiles
        client.logout()
    if requests == 200:
        assert client.login(username=username, password=PASSWORD)
        page = client.get(request_list).content.decode()
        assert ("13912345678" in page) is personal_data
        assert "139****5678" in page or personal_data


@pytest.mark.django_db
def test_demo_editor_edits_only_their_organizations_plan_items(client, demo):
    department = Organization.objects.get(name="无锡市教育局发展规划处")
    mine = make_record(organization=demo, department=department, body=PLAN_BODY)
    other = make_record(organization=make_organization(), body=PLAN_BODY)
    split_plan(record=mine, actor=None)
    split_plan(record=other, actor=None)
    my_item = PlanItem.objects.get(section__plan__record=mine)
    other_item = PlanItem.objects.get(section__plan__record=other)
    assert client.login(username="demo-editor", password=PASSWORD)
    response = client.post(
        reverse("admin:plans_planitem_change", args=[my_item.pk]),
        {
            "heading": my_item.heading,
            "text": my_item.text,
            "status": my_item.status,
            "new_note": "新校区已开工。",
            "progress_notes-TOTAL_FORMS": "0",
            "progress_notes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert my_item.progress_notes.get().text == "新校区已开工。"
    other_url = reverse("admin:plans_planitem_change", args=[other_item.pk])
    assert client.get(other_url).status_code == 302  # not in their scope → redirected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "can_export"),
    [("demo-auditor", True), ("demo-editor", False), ("demo-publisher", False)],
)
def test_only_the_auditor_gets_the_export_action_on_the_record_list(
    client, demo, username, can_export
):
    make_record(organization=demo)
    assert client.login(username=username, password=PASSWORD)
    page = client.get(reverse("admin:disclosure_disclosurerecord_changelist")).content.decode()
    assert ('value="export_selected_records"' in page) is can_export


@pytest.mark.django_db
def test_auditor_exports_plan_items_from_the_admin_and_the_editor_cannot(client, demo):
    from plans.models import PlanItem

    call_command("loaddata", "seed_record", verbosity=0)
    url = reverse("admin:plans_planitem_changelist")
    ids = list(PlanItem.objects.values_list("pk", flat=True))
    assert client.login(username="demo-auditor", password=PASSWORD)
    response = client.post(
        url, {"action": "export_plan_items_csv", "_selected_action": ids, "index": 0}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "党的领导得到全面加强" in body and body.count("\n") == 13
    client.logout()
    assert client.login(username="demo-editor", password=PASSWORD)
    page = client.get(url).content.decode()
    assert "export_plan_items_csv" not in page
