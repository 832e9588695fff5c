import datetime
import threading
from dataclasses import dataclass

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from disclosure.choices import DisclosureMethod, RecordStatus, ValidityStatus
from disclosure.models import AuditAction, AuditEntry, DisclosureRecord
from disclosure.roles import AUDITOR, EDITOR, PUBLISHER, REVIEWER
from disclosure.selectors import public_records
from disclosure.workflow import (
    ActionPermissionDenied,
    ApprovalIncomplete,
    FourEyesViolation,
    ReasonRequired,
    TransitionNotAllowed,
    approve_record,
    publish_record,
    redraft_record,
    reject_record,
    repeal_record,
    submit_record,
    withdraw_record,
)
from tests.factories import make_organization, make_record, make_staff

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


@dataclass
class Team:
    editor: object
    reviewer: object
    publisher: object
    auditor: object


def make_team(organization) -> Team:
    return Team(
        editor=make_staff(EDITOR, organization=organization, email="editor@example.invalid"),
        reviewer=make_staff(REVIEWER, organization=organization, email="rev@example.invalid"),
        publisher=make_staff(PUBLISHER, organization=organization),
        auditor=make_staff(AUDITOR),
    )


def draft_by(editor, organization, **fields) -> DisclosureRecord:
    return make_record(organization=organization, created_by=editor, updated_by=editor, **fields)


def approve(record, reviewer, **kwargs):
    kwargs.setdefault("confidentiality_reviewed", True)
    kwargs.setdefault("disclosure_method", DisclosureMethod.PROACTIVE)
    return approve_record(record=record, actor=reviewer, **kwargs)


def refusals(record) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=AuditAction.PERMISSION_DENIED, object_id=str(record.pk)
        ).order_by("id")
    )


@pytest.mark.django_db
def test_full_procedure_draft_review_publish_withdraw_is_audited_and_revised():
    org = make_organization()
    team = make_team(org)
    record = draft_by(team.editor, org)

    submit_record(record=record, actor=team.editor, ip="10.0.0.1")
    approve(record, team.reviewer)
    published = publish_record(record=record, actor=team.publisher)
    assert published.status == RecordStatus.PUBLISHED
    assert published.index_number == f"{org.code}/{published.publication_date.year}-00001"
    assert published.publication_date == timezone.localdate()
    assert public_records().filter(pk=record.pk).exists()

    withdraw_record(record=record, actor=team.publisher, reason="内容有误")
    record.refresh_from_db()
    assert record.status == RecordStatus.WITHDRAWN and record.withdrawal_reason == "内容有误"
    assert not public_records().filter(pk=record.pk).exists()

    actions = list(
        AuditEntry.objects.filter(object_id=str(record.pk))
        .order_by("id")
        .values_list("action", "actor_name")
    )
    assert actions == [
        (AuditAction.SUBMIT, team.editor.username),
        (AuditAction.APPROVE, team.reviewer.username),
        (AuditAction.PUBLISH, team.publisher.username),
        (AuditAction.WITHDRAW, team.publisher.username),
    ]
    assert AuditEntry.objects.filter(action=AuditAction.SUBMIT).get().ip == "10.0.0.1"
    statuses = list(record.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[-4:] == ["submitted", "approved", "published", "withdrawn"]
    assert record.history.latest("history_id").history_user == team.publisher


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "action"),
    [
        (EDITOR, RecordStatus.SUBMITTED, "approve"),
        (EDITOR, RecordStatus.APPROVED, "publish"),
        (EDITOR, RecordStatus.PUBLISHED, "withdraw"),
        (REVIEWER, RecordStatus.APPROVED, "publish"),
        (REVIEWER, RecordStatus.PUBLISHED, "withdraw"),
        (PUBLISHER, RecordStatus.DRAFT, "submit"),
        (PUBLISHER, RecordStatus.SUBMITTED, "approve"),
        (PUBLISHER, RecordStatus.SUBMITTED, "reject"),
        (AUDITOR, RecordStatus.DRAFT, "submit"),
        (AUDITOR, RecordStatus.SUBMITTED, "approve"),
        (AUDITOR, RecordStatus.APPROVED, "publish"),
        (AUDITOR, RecordStatus.PUBLISHED, "withdraw"),
    ],
)
def test_each_role_is_refused_the_transitions_of_other_roles(role, status, action):
    org = make_organization()
    team = make_team(org)
    actor = {EDITOR: team.editor, REVIEWER: team.reviewer, PUBLISHER: team.publisher}.get(
        role, team.auditor
    )
    record = draft_by(make_staff(EDITOR, organization=org), org, status=status)
    calls = {
        "submit": lambda: submit_record(record=record, actor=actor),
        "approve": lambda: approve(record, actor),
        "reject": lambda: reject_record(record=record, actor=actor, reason="不行"),
        "publish": lambda: publish_record(record=record, actor=actor),
        "withdraw": lambda: withdraw_record(record=record, actor=actor, reason="不行"),
    }
    with pytest.raises(ActionPermissionDenied, match="没有"):
        calls[action]()
    record.refresh_from_db()
    assert record.status == status and record.version == 1
    [refusal] = refusals(record)
    assert refusal.actor_name == actor.username and refusal.details == {"attempted": action}


@pytest.mark.django_db
def test_forbidden_transition_is_refused_with_the_current_state_and_audited():
    org = make_organization()
    team = make_team(org)
    record = draft_by(team.editor, org)
    with pytest.raises(TransitionNotAllowed, match="当前状态为「草稿」,不能发布"):
        publish_record(record=record, actor=team.publisher)
    with pytest.raises(TransitionNotAllowed, match="不能审核通过"):
        approve(record, team.reviewer)
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT and record.index_number is None
    assert len(refusals(record)) == 2


@pytest.mark.django_db
def test_reviewer_cannot_approve_own_draft_or_one_they_last_edited():
    org = make_organization()
    team = make_team(org)
    own = draft_by(team.reviewer, org, status=RecordStatus.SUBMITTED)
    edited = make_record(
        organization=org,
        created_by=team.editor,
        updated_by=team.reviewer,
        status=RecordStatus.SUBMITTED,
    )
    for record in (own, edited):
        with pytest.raises(FourEyesViolation, match="四眼原则"):
            approve(record, team.reviewer)
        record.refresh_from_db()
        assert record.status == RecordStatus.SUBMITTED
        assert "四眼原则" in refusals(record)[0].reason
    other_reviewer = make_staff(REVIEWER, organization=org)
    assert approve(own, other_reviewer).status == RecordStatus.APPROVED


def edit(record, actor, **changes):
    from disclosure.services.editing import update_record

    current = DisclosureRecord.objects.get(pk=record.pk)
    for name, value in changes.items():
        setattr(current, name, value)
    return update_record(record=current, actor=actor, expected_version=current.version)


@pytest.mark.django_db
def test_reviewer_who_edited_the_body_earlier_cannot_approve_after_a_trivial_edit_by_another():
    """Issue 13, item 4: four-eyes looked at the last editor only."""
    from disclosure.services.editing import create_draft

    org = make_organization()
    team = make_team(org)
    record = create_draft(
        record=DisclosureRecord(
            title="校舍安全检查结果", organization=org, category=make_record().category,
            issued_on=datetime.date(2020, 7, 28), body="<p>原文</p>",
        ),
        actor=team.editor,
    )  # fmt: skip
    edit(record, team.reviewer, body="<p>审核人改写的正文:全部合格</p>")
    edit(record, team.editor, title="校舍安全检查结果。")
    submit_record(record=record, actor=team.editor)
    with pytest.raises(FourEyesViolation, match="四眼原则"):
        approve(record, team.reviewer)
    assert DisclosureRecord.objects.get(pk=record.pk).status == RecordStatus.SUBMITTED
    assert "四眼原则" in refusals(record)[0].reason
    assert approve(record, make_staff(REVIEWER, organization=org)).status == RecordStatus.APPROVED


@pytest.mark.django_db
def test_authors_count_from_the_last_publication_on():
    """An author of an earlier, published version may review the next one written by others;
    whoever edited, restored or redrafted since the publication may not."""
    from disclosure.services.editing import restore_revision
    from disclosure.workflow import authors_since_publication

    org = make_organization()
    team = make_team(org)
    first_author = make_staff(REVIEWER, organization=org)
    restorer = make_staff(REVIEWER, organization=org)
    record = draft_by(first_author, org)
    edit(record, first_author, title="第一版")
    submit_record(record=record, actor=team.editor)
    approve(record, team.reviewer)
    publish_record(record=record, actor=team.publisher)
    withdraw_record(record=record, actor=team.publisher, reason="改标题")
    redraft_record(record=record, actor=team.editor)
    edit(record, team.editor, title="第二版")
    first = DisclosureRecord.history.filter(id=record.pk).order_by("history_id").first()
    restore_revision(record=record, history_id=first.history_id, actor=restorer)
    edit(record, team.editor, title="第三版")
    current = DisclosureRecord.objects.get(pk=record.pk)
    assert authors_since_publication(current) == {team.editor.pk, restorer.pk}
    submit_record(record=record, actor=team.editor)
    with pytest.raises(FourEyesViolation):
        approve(record, restorer)
    assert approve(record, first_author).status == RecordStatus.APPROVED


@pytest.mark.django_db
def test_approval_requires_confidentiality_review_and_a_reason_for_not_disclosing():
    org = make_organization()
    team = make_team(org)
    record = draft_by(team.editor, org, status=RecordStatus.SUBMITTED)
    with pytest.raises(ApprovalIncomplete, match="保密审查"):
        approve(record, team.reviewer, confidentiality_reviewed=False)
    with pytest.raises(ApprovalIncomplete, match="法定理由"):
        approve(record, team.reviewer, disclosure_method=DisclosureMethod.NOT_DISCLOSED)
    assert DisclosureRecord.objects.get(pk=record.pk).status == RecordStatus.SUBMITTED

    approved = approve(
        record,
        team.reviewer,
        disclosure_method=DisclosureMethod.NOT_DISCLOSED,
        non_disclosure_reason="涉及国家秘密(条例第十四条)",
    )
    assert approved.confidentiality_reviewed_at is not None
    with pytest.raises(TransitionNotAllowed, match="不予公开,不能发布"):
        publish_record(record=record, actor=team.publisher)
    assert not public_records().filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_reject_needs_a_reason_returns_a_draft_and_mails_the_author(
    django_capture_on_commit_callbacks,
):
    org = make_organization()
    team = make_team(org)
    record = draft_by(team.editor, org)
    with pytest.raises(ActionPermissionDenied):
        reject_record(record=record, actor=team.editor, reason="x")
    submit_record(record=record, actor=team.editor)
    with pytest.raises(ReasonRequired):
        reject_record(record=record, actor=team.reviewer, reason="  ")
    assert DisclosureRecord.objects.get(pk=record.pk).status == RecordStatus.SUBMITTED

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reject_record(record=record, actor=team.reviewer, reason="缺少附件")
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT and record.rejection_reason == "缺少附件"
    assert [m.to for m in mail.outbox] == [["editor@example.invalid"]]
    assert "缺少附件" in mail.outbox[0].body


@pytest.mark.django_db
def test_submission_mails_the_reviewers_of_the_organization(django_capture_on_commit_callbacks):
    org = make_organization()
    team = make_team(org)
    make_staff(REVIEWER, organization=make_organization(), email="elsewhere@example.invalid")
    record = draft_by(team.editor, org)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit_record(record=record, actor=team.editor)
    assert [m.to for m in mail.outbox] == [["rev@example.invalid"]]


@pytest.mark.django_db
def test_staff_cannot_act_on_another_organizations_records():
    org, other = make_organization(), make_organization()
    team = make_team(org)
    record = make_record(organization=other, status=RecordStatus.SUBMITTED)
    with pytest.raises(ActionPermissionDenied, match="不属于您所在的机构"):
        approve(record, team.reviewer)
    assert DisclosureRecord.objects.get(pk=record.pk).status == RecordStatus.SUBMITTED


@pytest.mark.django_db
def test_withdrawn_record_can_be_redrafted_and_republished_keeping_its_number():
    org = make_organization()
    team = make_team(org)
    record = draft_by(team.editor, org)
    submit_record(record=record, actor=team.editor)
    approve(record, team.reviewer)
    first = publish_record(record=record, actor=team.publisher).index_number
    with pytest.raises(ReasonRequired, match="撤回须填写理由"):
        withdraw_record(record=record, actor=team.publisher, reason="")
    withdraw_record(record=record, actor=team.publisher, reason="需修改")
    redraft_record(record=record, actor=team.editor)
    submit_record(record=record, actor=team.editor)
    approve(record, make_staff(REVIEWER, organization=org))
    assert publish_record(record=record, actor=team.publisher).index_number == first


@pytest.mark.django_db
def test_scheduled_publication_stays_hidden_until_due_and_run_due_tasks_completes_it():
    org = make_organization()
    team = make_team(org)
    record = draft_by(team.editor, org)
    at = datetime.datetime(2030, 3, 2, 9, 0, tzinfo=BEIJING)
    with time_machine.travel(datetime.datetime(2030, 3, 1, 10, 0, tzinfo=BEIJING), tick=False):
        submit_record(record=record, actor=team.editor)
        approve(record, team.reviewer)
        scheduled = publish_record(record=record, actor=team.publisher, at=at)
        assert scheduled.status == RecordStatus.PUBLISHED
        assert scheduled.scheduled_publish_at == at
        assert scheduled.publication_date == datetime.date(2030, 3, 2)
        assert scheduled.index_number.startswith(f"{org.code}/2030-")
        assert not public_records().filter(pk=record.pk).exists()
        call_command("run_due_tasks")
        assert DisclosureRecord.objects.get(pk=record.pk).scheduled_publish_at == at

    with time_machine.travel(datetime.datetime(2030, 3, 2, 8, 59, tzinfo=BEIJING), tick=False):
        assert not public_records().filter(pk=record.pk).exists()
    with time_machine.travel(datetime.datetime(2030, 3, 2, 9, 0, 1, tzinfo=BEIJING), tick=False):
        # the query-time guard shows it on time even before the command runs
        assert public_records().filter(pk=record.pk).exists()
        call_command("run_due_tasks")
        record.refresh_from_db()
        assert record.scheduled_publish_at is None and record.status == RecordStatus.PUBLISHED
        went_live = AuditEntry.objects.filter(
            action=AuditAction.PUBLISH, object_id=str(record.pk), reason="定时发布生效"
        )
        assert went_live.count() == 1
        call_command("run_due_tasks")  # idempotent
        assert went_live.count() == 1
        # consistent and re-editable afterwards: the usual withdrawal still works
        withdraw_record(record=record, actor=team.publisher, reason="到期调整")
        assert not public_records().filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_future_publication_date_schedules_publication_for_that_day():
    org = make_organization()
    team = make_team(org)
    record = draft_by(team.editor, org, publication_date=datetime.date(2030, 5, 6))
    with time_machine.travel(datetime.datetime(2030, 5, 1, 10, 0, tzinfo=BEIJING), tick=False):
        submit_record(record=record, actor=team.editor)
        approve(record, team.reviewer)
        published = publish_record(record=record, actor=team.publisher)
    assert published.published_at == datetime.datetime(2030, 5, 6, 0, 0, tzinfo=BEIJING)
    with time_machine.travel(datetime.datetime(2030, 5, 5, 23, 59, tzinfo=BEIJING), tick=False):
        assert not public_records().filter(pk=record.pk).exists()
    with time_machine.travel(datetime.datetime(2030, 5, 6, 0, 1, tzinfo=BEIJING), tick=False):
        assert public_records().filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_record_shows_expired_once_valid_until_has_passed_without_anyone_acting():
    record = make_record(status=RecordStatus.PUBLISHED, valid_until=datetime.date(2030, 6, 30))
    with time_machine.travel(datetime.datetime(2030, 6, 30, 23, 0, tzinfo=BEIJING), tick=False):
        assert record.validity_status() == ValidityStatus.VALID
    with time_machine.travel(datetime.datetime(2030, 7, 1, 0, 30, tzinfo=BEIJING), tick=False):
        assert record.validity_status() == ValidityStatus.EXPIRED
        assert record.validity_status().label == "失效"


@pytest.mark.django_db
def test_repeal_links_the_repealing_record_and_shows_repealed():
    org = make_organization()
    team = make_team(org)
    old = make_record(organization=org, status=RecordStatus.PUBLISHED)
    new = make_record(organization=org, status=RecordStatus.PUBLISHED)
    draft = make_record(organization=org)
    with pytest.raises(TransitionNotAllowed, match="尚未发布"):
        repeal_record(record=draft, actor=team.publisher, repealed_on=datetime.date(2021, 1, 1))
    with pytest.raises(ActionPermissionDenied):
        repeal_record(record=old, actor=team.editor, repealed_on=datetime.date(2021, 1, 1))
    repeal_record(
        record=old, actor=team.publisher, repealed_on=datetime.date(2021, 1, 1), repealed_by=new
    )
    old.refresh_from_db()
    assert old.repealed_by == new and old.validity_status() == ValidityStatus.REPEALED
    assert AuditEntry.objects.filter(action=AuditAction.REPEAL, object_id=str(old.pk)).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_publish_under_concurrency_yields_one_transition_and_one_number():
    org = make_organization()
    team = make_team(org)
    record = draft_by(team.editor, org)
    submit_record(record=record, actor=team.editor)
    approve(record, team.reviewer)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def click():
        try:
            barrier.wait()
            publish_record(record=DisclosureRecord.objects.get(pk=record.pk), actor=team.publisher)
            outcomes.append("published")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["published", "refused", "refused", "refused"]
    record.refresh_from_db()
    assert record.index_number == f"{org.code}/{record.publication_date.year}-00001"
    assert AuditEntry.objects.filter(action=AuditAction.PUBLISH).count() == 1
    assert record.history.filter(status=RecordStatus.PUBLISHED).count() == 1
    from disclosure.models import IndexSerialCounter

    assert IndexSerialCounter.objects.get(code=org.code).last_serial == 1


@pytest.mark.django_db
def test_run_due_tasks_announces_records_that_expired_since_its_last_run(
    django_capture_on_commit_callbacks,
):
    from disclosure.changes import public_content_changed

    with django_capture_on_commit_callbacks(execute=True):  # committed before the runs
        expiring = make_record(
            status=RecordStatus.PUBLISHED, valid_until=datetime.date(2030, 6, 30)
        )
        lasting = make_record(status=RecordStatus.PUBLISHED)
    announced = []

    def receiver(sender, named_ids=frozenset(), **kwargs):
        announced.extend(sorted(named_ids))

    public_content_changed.connect(receiver)
    try:
        with (
            time_machine.travel(datetime.datetime(2030, 6, 30, 12, tzinfo=BEIJING), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command("run_due_tasks")
        with (
            time_machine.travel(datetime.datetime(2030, 7, 1, 0, 5, tzinfo=BEIJING), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command("run_due_tasks")
            assert expiring.validity_status() == ValidityStatus.EXPIRED
    finally:
        public_content_changed.disconnect(receiver)
    assert announced == [expiring.pk] and lasting.pk not in announced
    runs = AuditEntry.objects.filter(action=AuditAction.OTHER, reason="定时任务").order_by("id")
    assert [e.details["expired"] for e in runs] == [0, 1]
