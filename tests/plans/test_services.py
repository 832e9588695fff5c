import datetime

import pytest

from disclosure.audit import first_broken_link
from disclosure.models import AuditAction, AuditEntry, DisclosureRecord
from plans.choices import PlanItemStatus, PlanSectionKind
from plans.models import PlanItem, PlanProgressNote, WorkPlan
from plans.parser import parse_plan
from plans.services import (
    PlanError,
    add_evidence,
    add_progress_note,
    change_item_status,
    link_follow_up,
    remove_evidence,
    split_plan,
    suggest_follow_ups,
)
from tests.factories import make_published_record, make_record, make_user

PLAN_BODY = (
    "<p>一、上半年工作总结</p><p>一是加强党的建设。内容甲。</p><p>二是深化教育改革。内容乙。</p>"
    "<p>二、下半年工作计划</p><p>一是推动高教职教重点突破。建设新校区。</p>"
    "<p>二是提升教育保障水平。落实经费。</p>"
)
ANNUAL_SUMMARY_BODY = (
    "<p>一、2020年工作总结</p>"
    "<p>一是教育保障水平全面提升。经费全面落实。</p>"
    "<p>二是高教职教实现重点突破。新校区建成投用。</p>"
    "<p>三是疫情防控扎实有效。</p>"
    "<p>二、2021年工作计划</p><p>一是推动高教职教重点突破。继续建设。</p>"
)


def seed_record() -> DisclosureRecord:
    return DisclosureRecord.objects.get(index_number="014006470/2020-00120")


def plan_items(record: DisclosureRecord) -> list[tuple[int, int, str]]:
    return list(
        PlanItem.objects.filter(section__plan__record=record)
        .order_by("section__ordinal", "ordinal")
        .values_list("section__ordinal", "ordinal", "heading")
    )


@pytest.mark.django_db
def test_splitting_the_seed_record_from_scratch_gives_seven_and_five_items(seed_data):
    record = seed_record()
    fixture_items = plan_items(record)
    WorkPlan.objects.filter(record=record).delete()
    result = split_plan(record=record, actor=make_user(is_superuser=True))
    assert result.created == 12
    assert plan_items(record) == fixture_items
    assert len([i for i in fixture_items if i[0] == 1]) == 7
    assert [h for s, _, h in fixture_items if s == 2] == [
        "推进落实教育优先发展", "提高基础教育发展质量", "推动高教职教重点突破",
        "巩固素质教育发展成效", "提升教育发展保障水平",
    ]  # fmt: skip
    assert result.plan.parser_flags == []


@pytest.mark.django_db
def test_resplitting_the_seed_changes_nothing_and_keeps_the_fixture_rows(seed_data):
    record = seed_record()
    before = list(PlanItem.objects.filter(section__plan__record=record).values_list("pk", "text"))
    user = make_user(is_superuser=True)
    result = split_plan(record=record, actor=user)
    assert (result.created, result.updated, result.removed) == (0, 0, 0)
    after = list(PlanItem.objects.filter(section__plan__record=record).values_list("pk", "text"))
    assert after == before
    sections = list(result.plan.sections.order_by("ordinal"))
    assert [(s.heading, s.kind, s.items.count()) for s in sections] == [
        ("上半年任务完成情况", PlanSectionKind.SUMMARY, 7),
        ("下半年工作计划安排", PlanSectionKind.PLAN, 5),
    ]
    assert sections[1].items.get(ordinal=3).heading == "推动高教职教重点突破"


@pytest.mark.django_db
def test_splitting_twice_never_duplicates_and_keeps_tracking(vocabulary):
    user = make_user(is_superuser=True)
    record = make_published_record(body=PLAN_BODY)
    first = split_plan(record=record, actor=user)
    assert first.created == 4
    item = PlanItem.objects.get(section__ordinal=2, ordinal=1, section__plan__record=record)
    change_item_status(item=item, status=PlanItemStatus.IN_PROGRESS, actor=user, note="已开工")

    second = split_plan(record=record, actor=user)
    assert (second.created, second.updated, second.removed) == (0, 0, 0)
    assert WorkPlan.objects.filter(record=record).count() == 1
    assert PlanItem.objects.filter(section__plan__record=record).count() == 4
    item.refresh_from_db()
    assert item.status == PlanItemStatus.IN_PROGRESS
    assert item.progress_notes.get().text == "已开工"


@pytest.mark.django_db
def test_resplitting_an_edited_body_updates_in_place_and_drops_vanished_items(vocabulary):
    user = make_user(is_superuser=True)
    record = make_published_record(body=PLAN_BODY)
    split_plan(record=record, actor=user)
    kept = PlanItem.objects.get(section__plan__record=record, section__ordinal=1, ordinal=1)
    record.body = "<p>一、上半年工作总结</p><p>一是全面加强党的建设。内容甲改。</p>"
    result = split_plan(record=record, actor=user)
    assert (result.created, result.updated, result.removed) == (0, 1, 3)
    assert plan_items(record) == [(1, 1, "全面加强党的建设")]
    assert PlanItem.objects.get(pk=kept.pk).text == "内容甲改。"


@pytest.mark.django_db
def test_split_stores_the_parser_flags_and_writes_an_audit_entry(vocabulary):
    user = make_user(username="editor", is_superuser=True)
    record = make_published_record(body="<p>一、计划</p><p>一是甲。</p><p>三是丙。</p>")
    result = split_plan(record=record, actor=user)
    assert [flag["code"] for flag in result.plan.parser_flags] == ["numbering_gap"]
    assert "缺少“二是”" in result.plan.parser_flags[0]["message"]
    entry = AuditEntry.objects.get(object_type="disclosure.workplan")
    assert entry.action == AuditAction.EDIT and entry.actor_name == "editor"
    assert entry.details["operation"] == "split_plan"
    assert entry.details["anomalies"] == ["numbering_gap"]
    assert first_broken_link() is None


@pytest.mark.django_db
def test_split_accepts_the_proposal_as_staff_edited_it(vocabulary):
    record = make_published_record(body=PLAN_BODY)
    proposal = parse_plan(record.body)
    proposal.sections[0].items[0].heading = "加强党的全面领导"
    del proposal.sections[1]
    split_plan(record=record, actor=make_user(is_superuser=True), parsed=proposal)
    assert plan_items(record) == [(1, 1, "加强党的全面领导"), (1, 2, "深化教育改革")]


@pytest.mark.django_db
def test_a_body_without_numbering_gives_one_section_and_no_items(vocabulary):
    record = make_published_record(body="<p>今年工作进展顺利。</p>")
    plan = split_plan(record=record, actor=make_user(is_superuser=True)).plan
    assert [s.heading for s in plan.sections.all()] == ["全文"]
    assert plan_items(record) == []


@pytest.mark.django_db
def test_status_change_is_audited_with_before_and_after(seed_data):
    user = make_user(username="tracker")
    item = seed_record().work_plan.sections.get(ordinal=2).items.get(ordinal=3)
    change_item_status(
        item=item,
        status=PlanItemStatus.DONE,
        actor=user,
        note="南京理工大学江阴校区建成投用",
        noted_on=datetime.date(2020, 12, 30),
    )
    item.refresh_from_db()
    assert item.status == PlanItemStatus.DONE and item.status_changed_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.STATUS_CHANGE)
    assert entry.object_type == "disclosure.planitem" and entry.object_id == str(item.pk)
    assert entry.details["from"] == "planned" and entry.details["to"] == "done"
    assert entry.reason == "南京理工大学江阴校区建成投用" and entry.actor_name == "tracker"
    note = PlanProgressNote.objects.get(item=item)
    assert note.noted_on == datetime.date(2020, 12, 30) and note.created_by == user


@pytest.mark.django_db
def test_setting_the_same_status_again_writes_nothing(seed_data):
    item = seed_record().work_plan.sections.get(ordinal=2).items.get(ordinal=1)
    change_item_status(item=item, status=PlanItemStatus.PLANNED, actor=make_user())
    assert not AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGE).exists()


@pytest.mark.django_db
def test_an_unknown_status_is_refused_without_an_audit_entry(seed_data):
    item = seed_record().work_plan.sections.get(ordinal=2).items.get(ordinal=1)
    with pytest.raises(PlanError, match="进展取值无效"):
        change_item_status(item=item, status="finished", actor=make_user())
    item.refresh_from_db()
    assert item.status == PlanItemStatus.PLANNED
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_progress_notes_are_dated_and_audited(seed_data):
    item = seed_record().work_plan.sections.get(ordinal=2).items.get(ordinal=1)
    note = add_progress_note(
        item=item, text="《无锡教育现代化2035》已出台", actor=make_user(), noted_on=None
    )
    assert note.noted_on is not None
    entry = AuditEntry.objects.get()
    assert entry.details["operation"] == "add_progress_note"
    with pytest.raises(PlanError):
        add_progress_note(item=item, text="  ", actor=make_user())


def make_annual_summary(organization) -> DisclosureRecord:
    record = make_published_record(
        title="2020年全市教育工作总结和2021年工作计划",
        organization=organization,
        issued_on=datetime.date(2021, 2, 1),
        body=ANNUAL_SUMMARY_BODY,
    )
    split_plan(record=record, actor=None)
    return record


@pytest.mark.django_db
def test_follow_up_suggestions_find_the_later_summary_item(seed_data):
    record = seed_record()
    annual = make_annual_summary(record.organization)
    item = record.work_plan.sections.get(ordinal=2).items.get(heading="推动高教职教重点突破")
    suggestions = suggest_follow_ups(item=item)
    best = suggestions[0].item
    assert best.heading == "高教职教实现重点突破"
    assert best.section.plan.record == annual
    assert all(s.item.section.kind == PlanSectionKind.SUMMARY for s in suggestions)
    assert all(s.item.section.plan.record != record for s in suggestions)


@pytest.mark.django_db
def test_suggestions_work_across_scripts(seed_data):
    record = seed_record()
    annual = make_annual_summary(record.organization)
    annual_item = PlanItem.objects.get(section__plan__record=annual, heading="高教职教实现重点突破")
    PlanItem.objects.filter(pk=annual_item.pk).update(heading="高教職教實現重點突破")
    item = record.work_plan.sections.get(ordinal=2).items.get(ordinal=3)
    assert suggest_follow_ups(item=item)[0].item.pk == annual_item.pk


@pytest.mark.django_db
def test_link_follow_up_to_a_later_summary_item_is_audited(seed_data):
    record = seed_record()
    annual = make_annual_summary(record.organization)
    item = record.work_plan.sections.get(ordinal=2).items.get(ordinal=3)
    target = PlanItem.objects.get(section__plan__record=annual, heading="高教职教实现重点突破")
    link_follow_up(item=item, follow_up=target, actor=make_user())
    assert PlanItem.objects.get(pk=item.pk).follow_up == target
    assert list(target.reported_by.all()) == [item]
    entry = AuditEntry.objects.filter(details__operation="link_follow_up").get()
    assert entry.details["to"] == target.pk


@pytest.mark.django_db
def test_follow_up_must_be_another_and_not_earlier_document(seed_data):
    record = seed_record()
    item = record.work_plan.sections.get(ordinal=2).items.get(ordinal=3)
    same_plan = record.work_plan.sections.get(ordinal=1).items.get(ordinal=3)
    with pytest.raises(PlanError, match="另一份"):
        link_follow_up(item=item, follow_up=same_plan, actor=None)
    earlier = make_published_record(
        organization=record.organization, issued_on=datetime.date(2019, 12, 1), body=PLAN_BODY
    )
    split_plan(record=earlier, actor=None)
    old_item = PlanItem.objects.filter(section__plan__record=earlier).first()
    with pytest.raises(PlanError, match="不早于"):
        link_follow_up(item=item, follow_up=old_item, actor=None)
    assert PlanItem.objects.get(pk=item.pk).follow_up is None


@pytest.mark.django_db
def test_evidence_links_are_audited_and_cannot_be_the_plan_itself(seed_data):
    record = seed_record()
    item = record.work_plan.sections.get(ordinal=2).items.get(ordinal=1)
    evidence = make_record(title="无锡教育现代化2035", organization=record.organization)
    add_evidence(item=item, record=evidence, actor=None)
    assert list(item.evidence.all()) == [evidence]
    remove_evidence(item=item, record=evidence, actor=None)
    assert list(item.evidence.all()) == []
    assert [e.details["operation"] for e in AuditEntry.objects.order_by("id")] == [
        "add_evidence",
        "remove_evidence",
    ]
    with pytest.raises(PlanError):
        add_evidence(item=item, record=record, actor=None)


@pytest.mark.django_db
def test_a_user_without_the_plan_editing_role_cannot_split(vocabulary):
    record = make_record(body="<p>一、工作计划</p><p>一是加强党的建设。内容甲。</p>")
    with pytest.raises(PlanError, match="没有拆分"):
        split_plan(record=record, actor=make_user(is_staff=True))
    assert not PlanItem.objects.filter(section__plan__record=record).exists()
