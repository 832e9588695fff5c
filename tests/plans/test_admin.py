import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from disclosure.models import AuditAction, AuditEntry, DisclosureRecord
from plans.choices import PlanItemStatus
from plans.models import PlanItem, WorkPlan
from plans.services import split_plan
from tests.factories import make_published_record, make_record, make_user

BODY = (
    "<p>一、上半年工作总结</p><p>一是加强党的建设。内容甲。</p><p>三是深化教育改革。内容乙。</p>"
    "<p>二、下半年工作计划</p><p>（一）推动高教职教重点突破。建设新校区。</p>"
)


def staff(client):
    user = make_user(username="editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def split_url(record: DisclosureRecord) -> str:
    return reverse("admin:plans_workplan_split", args=[record.pk])


def proposal_data(**overrides) -> dict[str, str]:
    data = {
        "s1-heading": "上半年工作总结",
        "s1-kind": "summary",
        "s1-item_count": "2",
        "s1-i1-heading": "加强党的建设",
        "s1-i1-text": "内容甲。",
        "s1-i2-heading": "深化教育改革",
        "s1-i2-text": "内容乙。",
        "s2-heading": "下半年工作计划",
        "s2-kind": "plan",
        "s2-item_count": "1",
        "s2-i1-heading": "推动高教职教重点突破",
        "s2-i1-text": "建设新校区。",
    }
    data.update(overrides)
    return data


def saved(record: DisclosureRecord) -> list[tuple[int, int, str]]:
    return list(
        PlanItem.objects.filter(section__plan__record=record)
        .order_by("section__ordinal", "ordinal")
        .values_list("section__ordinal", "ordinal", "heading")
    )


@pytest.mark.django_db
def test_split_page_proposes_items_and_shows_the_parser_flags(client, vocabulary):
    staff(client)
    record = make_record(body=BODY)
    html = client.get(split_url(record)).content.decode()
    assert 'value="加强党的建设"' in html and 'value="推动高教职教重点突破"' in html
    assert "从“一是”跳到“三是”,缺少“二是”" in html
    assert not WorkPlan.objects.exists()


@pytest.mark.django_db
def test_staff_edit_the_proposal_and_saving_twice_never_duplicates(client, vocabulary):
    user = staff(client)
    record = make_record(body=BODY)
    edited = proposal_data(**{"s1-i2-heading": "深化教育综合改革", "s1-i1-drop": "on"})
    response = client.post(split_url(record), edited)
    assert response.status_code == 302
    assert saved(record) == [(1, 2, "深化教育综合改革"), (2, 1, "推动高教职教重点突破")]
    plan = record.work_plan
    assert [f["code"] for f in plan.parser_flags] == ["numbering_gap"]
    client.post(split_url(record), edited)
    assert saved(record) == [(1, 2, "深化教育综合改革"), (2, 1, "推动高教职教重点突破")]
    entries = AuditEntry.objects.filter(object_type="disclosure.workplan")
    assert entries.count() == 2 and {e.actor_id for e in entries} == {user.pk}
    change_page = client.get(reverse("admin:plans_workplan_change", args=[plan.pk]))
    assert "缺少“二是”" in change_page.content.decode()


@pytest.mark.django_db
def test_an_empty_heading_is_refused_with_a_message(client, vocabulary):
    staff(client)
    record = make_record(body=BODY)
    response = client.post(split_url(record), proposal_data(**{"s1-i1-heading": " "}))
    assert response.status_code == 200
    assert "事项标题不能为空" in response.content.decode()
    assert not WorkPlan.objects.exists()


@pytest.mark.django_db
def test_pick_page_finds_the_record_by_index_number(client, seed_data):
    staff(client)
    record = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    url = reverse("admin:plans_workplan_split_pick")
    response = client.get(url, {"record": "014006470/2020-00120"})
    assert response.status_code == 302 and response["Location"] == split_url(record)
    assert (
        "从公开信息拆分为计划事项"
        in client.get(reverse("admin:plans_workplan_changelist")).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "①", "9" * 30])
def test_pick_page_answers_a_bad_number_with_its_message(client, vocabulary, value):
    staff(client)
    response = client.get(reverse("admin:plans_workplan_split_pick"), {"record": value})
    assert response.status_code == 200
    assert "没有找到唯一对应的公开信息" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["²", "9" * 4400])
def test_a_bad_item_count_posts_no_items_instead_of_failing(client, vocabulary, count):
    staff(client)
    record = make_record(body=BODY)
    response = client.post(split_url(record), proposal_data(**{"s1-item_count": count}))
    assert response.status_code in (200, 302)
    assert ("1", "1") not in {(str(s), str(o)) for s, o, _ in saved(record)}


@pytest.mark.django_db
def test_staff_without_plan_permissions_cannot_split(client, vocabulary):
    user = make_user(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_workplan"))
    client.force_login(user)
    record = make_record(body=BODY)
    assert client.post(split_url(record), proposal_data()).status_code == 403
    assert not WorkPlan.objects.exists()


def item_form_data(item: PlanItem, **overrides) -> dict[str, str]:
    data = {
        "heading": item.heading,
        "text": item.text,
        "responsible": "",
        "due_on": "",
        "status": item.status,
        "follow_up": "",
        "evidence": "",
        "new_note": "",
        "noted_on": "",
        "suggested_follow_up": "",
        "progress_notes-TOTAL_FORMS": "0",
        "progress_notes-INITIAL_FORMS": "0",
        "progress_notes-MIN_NUM_FORMS": "0",
        "progress_notes-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_status_change_in_the_admin_is_audited_with_its_note(client, seed_data):
    user = staff(client)
    item = PlanItem.objects.get(section__ordinal=2, ordinal=3)
    url = reverse("admin:plans_planitem_change", args=[item.pk])
    response = client.post(
        url,
        item_form_data(
            item, status=PlanItemStatus.IN_PROGRESS, new_note="已开工", noted_on="2020-09-01"
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == PlanItemStatus.IN_PROGRESS
    note = item.progress_notes.get()
    assert (note.noted_on, note.text) == (datetime.date(2020, 9, 1), "已开工")
    entry = AuditEntry.objects.get(action=AuditAction.STATUS_CHANGE)
    assert entry.actor_id == user.pk and entry.reason == "已开工"


@pytest.mark.django_db
def test_admin_suggests_the_later_summary_item_and_links_it(client, seed_data):
    staff(client)
    seed = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    annual = make_published_record(
        organization=seed.organization,
        issued_on=datetime.date(2021, 2, 1),
        body="<p>一、2020年工作总结</p><p>一是高教职教实现重点突破。新校区建成。</p>",
    )
    split_plan(record=annual, actor=None)
    target = PlanItem.objects.get(section__plan__record=annual)
    evidence = make_published_record(title="新校区建成投用")
    item = PlanItem.objects.get(section__plan__record=seed, section__ordinal=2, ordinal=3)
    url = reverse("admin:plans_planitem_change", args=[item.pk])
    assert "高教职教实现重点突破(相似度" in client.get(url).content.decode()

    client.post(
        url, item_form_data(item, suggested_follow_up=str(target.pk), evidence=str(evidence.pk))
    )
    item.refresh_from_db()
    assert item.follow_up == target and list(item.evidence.all()) == [evidence]
    operations = [e.details.get("operation") for e in AuditEntry.objects.order_by("id")]
    assert "link_follow_up" in operations and "add_evidence" in operations


@pytest.mark.django_db
def test_admin_refuses_a_follow_up_from_the_same_document(client, seed_data):
    staff(client)
    item = PlanItem.objects.get(section__ordinal=2, ordinal=3)
    same = PlanItem.objects.get(section__ordinal=1, ordinal=3)
    url = reverse("admin:plans_planitem_change", args=[item.pk])
    response = client.post(url, item_form_data(item, follow_up=str(same.pk)))
    assert response.status_code == 200 and "另一份" in response.content.decode()
    assert PlanItem.objects.get(pk=item.pk).follow_up is None


@pytest.mark.django_db
def test_resplitting_the_seed_in_the_admin_marks_every_item_unchanged(client, seed_data):
    staff(client)
    record = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    html = client.get(split_url(record)).content.decode()
    assert html.count("保存后:不变") == 12
    assert "已保存 12 项" in html


@pytest.mark.django_db
def test_leaving_an_item_out_keeps_the_tracking_on_the_right_rows(client, vocabulary):
    staff(client)
    record = make_record(body=BODY)
    client.post(split_url(record), proposal_data())
    second = PlanItem.objects.get(section__plan__record=record, heading="深化教育改革")
    PlanItem.objects.filter(pk=second.pk).update(status=PlanItemStatus.DONE)
    client.post(split_url(record), proposal_data(**{"s1-i1-drop": "on"}))
    second.refresh_from_db()
    assert second.heading == "深化教育改革" and second.status == PlanItemStatus.DONE
    assert saved(record) == [(1, 2, "深化教育改革"), (2, 1, "推动高教职教重点突破")]


@pytest.mark.django_db
def test_preview_lists_saved_items_that_the_body_no_longer_has(client, vocabulary):
    staff(client)
    record = make_record(body=BODY)
    client.post(split_url(record), proposal_data())
    DisclosureRecord.objects.filter(pk=record.pk).update(
        body="<p>一、上半年工作总结</p><p>一是加强党的建设。内容甲。</p>"
    )
    html = client.get(split_url(record)).content.decode()
    assert "保存后将删除的已保存事项" in html
    assert "<li>深化教育改革</li>" in html and "<li>推动高教职教重点突破</li>" in html


# --- links only to what the editor may see or the public may (issue 13, item 6) -------------

SUMMARY_BODY = "<p>一、2020年工作总结</p><p>一是高教职教实现重点突破。新校区建成。</p>"
SECRET_BODY = "<p>一、2020年工作总结</p><p>一是高教职教实现重点突破另有机密安排。新校区建成。</p>"


@pytest.fixture
def bureaus(vocabulary):
    """A 无锡 editor's plan item; 宜兴's draft summary (secret) and published summary."""
    from disclosure.roles import EDITOR
    from tests.factories import make_organization, make_staff

    wuxi = make_organization(name="无锡市某区教育局")
    yixing = make_organization(name="宜兴市某镇教育办")
    plan = make_published_record(organization=wuxi, body=BODY)
    split_plan(record=plan, actor=None)
    item = PlanItem.objects.get(section__plan__record=plan, heading="推动高教职教重点突破")
    draft = make_record(
        organization=yixing, title="宜兴内部草稿", issued_on=datetime.date(2021, 2, 1),
        body=SECRET_BODY,
    )  # fmt: skip
    split_plan(record=draft, actor=None)
    public = make_published_record(
        organization=yixing, title="宜兴已公开总结", issued_on=datetime.date(2021, 2, 2),
        body=SUMMARY_BODY,
    )  # fmt: skip
    split_plan(record=public, actor=None)
    editor = make_staff(EDITOR, organization=wuxi)
    return {
        "item": item,
        "editor": editor,
        "draft": draft,
        "draft_item": PlanItem.objects.get(section__plan__record=draft),
        "public": public,
        "public_item": PlanItem.objects.get(section__plan__record=public),
    }


def test_suggestions_leave_out_another_organizations_draft(client, bureaus):
    client.force_login(bureaus["editor"])
    url = reverse("admin:plans_planitem_change", args=[bureaus["item"].pk])
    page = client.get(url).content.decode()
    assert "宜兴已公开总结:" in page
    assert "宜兴内部草稿" not in page and bureaus["draft_item"].heading not in page


def test_a_typed_in_follow_up_of_another_organizations_draft_is_refused_unnamed(client, bureaus):
    item, draft_item = bureaus["item"], bureaus["draft_item"]
    client.force_login(bureaus["editor"])
    url = reverse("admin:plans_planitem_change", args=[item.pk])
    for data in ({"follow_up": str(draft_item.pk)}, {"suggested_follow_up": str(draft_item.pk)}):
        response = client.post(url, item_form_data(item, **data))
        assert response.status_code == 200
        assert draft_item.heading not in response.content.decode()
        assert PlanItem.objects.get(pk=item.pk).follow_up is None
    assert not AuditEntry.objects.filter(details__operation="link_follow_up").exists()


def test_another_organizations_draft_is_refused_as_evidence(client, bureaus):
    item = bureaus["item"]
    client.force_login(bureaus["editor"])
    url = reverse("admin:plans_planitem_change", args=[item.pk])
    response = client.post(url, item_form_data(item, evidence=str(bureaus["draft"].pk)))
    assert response.status_code == 200 and "evidence" in response.context["adminform"].form.errors
    assert "宜兴内部草稿" not in response.content.decode()
    assert not item.evidence.exists()


def test_public_documents_of_other_organizations_may_be_linked(client, bureaus):
    item = bureaus["item"]
    client.force_login(bureaus["editor"])
    url = reverse("admin:plans_planitem_change", args=[item.pk])
    response = client.post(
        url,
        item_form_data(
            item,
            follow_up=str(bureaus["public_item"].pk),
            evidence=str(bureaus["public"].pk),
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.follow_up == bureaus["public_item"]
    assert list(item.evidence.all()) == [bureaus["public"]]


def test_an_existing_link_to_a_foreign_draft_is_not_named_on_the_form(client, bureaus):
    """A link made before the fix (or by a system task) does not show its heading either."""
    item = bureaus["item"]
    PlanItem.objects.filter(pk=item.pk).update(follow_up=bureaus["draft_item"])
    client.force_login(bureaus["editor"])
    page = client.get(reverse("admin:plans_planitem_change", args=[item.pk]))
    assert bureaus["draft_item"].heading not in page.content.decode()


def test_the_services_refuse_links_the_actor_may_not_make(bureaus):
    from plans.services import PlanError, add_evidence, link_follow_up

    item, editor = bureaus["item"], bureaus["editor"]
    with pytest.raises(PlanError, match="已公开"):
        link_follow_up(item=item, follow_up=bureaus["draft_item"], actor=editor)
    with pytest.raises(PlanError, match="已公开"):
        add_evidence(item=item, record=bureaus["draft"], actor=editor)
    item.refresh_from_db()
    assert item.follow_up is None and not item.evidence.exists()
    link_follow_up(item=item, follow_up=bureaus["public_item"], actor=editor)
    add_evidence(item=item, record=bureaus["public"], actor=editor)


# Who may split (issue 18 item 4) -------------------------------------------------------------

ROLE_PASSWORD = "demo-pass-2026"


def role_client(client, username):
    from disclosure.demo import ensure_demo_accounts

    ensure_demo_accounts(password=ROLE_PASSWORD)
    assert client.login(username=username, password=ROLE_PASSWORD)
    return client


def bureau_record(**fields):
    from disclosure.models import Organization

    bureau = Organization.objects.get(name="无锡市教育局")
    department = Organization.objects.get(name="无锡市教育局发展规划处")
    return make_record(organization=bureau, department=department, body=BODY, **fields)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["demo-editor", "demo-reviewer"])
def test_roles_that_edit_plan_items_split_a_record_of_their_scope(client, vocabulary, username):
    role_client(client, username)
    record = bureau_record()
    listing = client.get(reverse("admin:plans_workplan_changelist")).content.decode()
    assert "从公开信息拆分为计划事项" in listing
    assert client.get(split_url(record)).status_code == 200
    assert client.post(split_url(record), proposal_data()).status_code == 302
    assert len(saved(record)) == 3
    plan_page = client.get(reverse("admin:plans_workplan_change", args=[record.work_plan.pk]))
    assert "重新拆分为计划事项" in plan_page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["demo-publisher", "demo-auditor"])
def test_roles_that_do_not_edit_plans_get_no_split_link_and_a_403(client, vocabulary, username):
    role_client(client, username)
    record = bureau_record()
    split_plan(record=record, actor=None)
    listing = client.get(reverse("admin:plans_workplan_changelist"))
    assert "从公开信息拆分为计划事项" not in listing.content.decode()
    plan_page = client.get(reverse("admin:plans_workplan_change", args=[record.work_plan.pk]))
    assert "重新拆分为计划事项" not in plan_page.content.decode()
    assert client.get(reverse("admin:plans_workplan_split_pick")).status_code == 403
    assert client.get(split_url(record)).status_code == 403
    assert client.post(split_url(record), proposal_data()).status_code == 403


@pytest.mark.django_db
def test_an_editor_cannot_split_another_bureaus_record(client, vocabulary):
    role_client(client, "demo-editor")
    other = make_record(body=BODY)
    assert client.get(split_url(other)).status_code == 403
    assert client.post(split_url(other), proposal_data()).status_code == 403
    assert not WorkPlan.objects.filter(record=other).exists()


@pytest.mark.django_db
def test_editing_an_item_heading_in_the_admin_is_audited_with_what_changed(client, seed_data):
    user = staff(client)
    item = PlanItem.objects.get(section__ordinal=2, ordinal=3)
    old_heading = item.heading
    url = reverse("admin:plans_planitem_change", args=[item.pk])
    response = client.post(url, item_form_data(item, heading="推动高教职教实现重点突破"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.heading == "推动高教职教实现重点突破"
    entry = AuditEntry.objects.get(object_type="disclosure.planitem", action=AuditAction.EDIT)
    assert entry.actor_id == user.pk and entry.details["fields"] == ["heading"]
    assert entry.details["before"] == {"heading": old_heading}
    client.post(url, item_form_data(item))  # nothing changed: nothing audited
    assert AuditEntry.objects.filter(action=AuditAction.EDIT).count() == 1
