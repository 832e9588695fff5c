"""The transition table and its checks (applications/services/base.py, steps.py): the services
refuse roles and organizations the admin would refuse, whoever calls them (issue 17)."""

import datetime
import re

import pytest

from applications.choices import ReceiptChannel, RequestState
from applications.models import InformationRequest
from applications.services import (
    STEPS,
    RequestError,
    RequestPermissionDenied,
    StepNotAllowed,
    answer_request,
    close_request,
    register_request,
    request_correction,
    start_consultation,
)
from disclosure.models import AuditEntry
from disclosure.roles import AUDITOR, EDITOR, PUBLISHER, REVIEWER
from tests.factories import (
    applicant_fields,
    make_organization,
    make_request,
    make_staff,
    make_user,
)

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_request():
    wuxi = make_organization(name="无锡市教育局")
    yixing = make_organization(name="宜兴市教育局")
    request = make_request(organization=wuxi, received_on=D(2020, 9, 30))
    return wuxi, yixing, request


@pytest.mark.parametrize("role", [EDITOR, PUBLISHER, AUDITOR])
def test_roles_without_request_handling_cannot_answer_from_a_shell(bureau_request, role):
    wuxi, _, request = bureau_request
    actor = make_staff(role, organization=wuxi)
    with pytest.raises(RequestPermissionDenied, match="没有办理公开申请「答复」的权限"):
        answer_request(request=request, actor=actor, reply_type="disclosed")
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED and request.reply_letter == ""
    assert request.events.count() == 1
    refusal = AuditEntry.objects.get(action="permission_denied", object_id=str(request.pk))
    assert refusal.actor == actor and refusal.details["attempted"] == "answer"


def test_a_reviewer_of_another_organization_cannot_take_a_step(bureau_request):
    _, yixing, request = bureau_request
    stranger = make_staff(REVIEWER, organization=yixing)
    with pytest.raises(RequestPermissionDenied, match="不属于您所在的机构"):
        start_consultation(request=request, actor=stranger, started_on=D(2020, 10, 9))
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED and request.due_on is not None


def test_a_reviewer_of_the_organization_takes_the_steps(bureau_request):
    wuxi, _, request = bureau_request
    reviewer = make_staff(REVIEWER, organization=wuxi)
    request = answer_request(
        request=request, actor=reviewer, reply_type="disclosed", replied_on=D(2020, 10, 9)
    )
    request = close_request(request=request, actor=reviewer)
    assert request.state == RequestState.CLOSED
    entry = AuditEntry.objects.filter(action="request_close").get()
    assert entry.actor == reviewer and entry.details["from"] == "answered"
    assert entry.details["to"] == "closed"


def test_an_inactive_user_and_no_user_are_refused(bureau_request):
    _, _, request = bureau_request
    gone = make_staff(REVIEWER, is_active=False)
    with pytest.raises(RequestPermissionDenied):
        close_request(request=request, actor=gone)
    with pytest.raises(RequestPermissionDenied):
        close_request(request=request, actor=None)  # type: ignore[arg-type]


def test_registering_for_another_organization_is_refused_and_audited(bureau_request):
    wuxi, yixing, _ = bureau_request
    reviewer = make_staff(REVIEWER, organization=wuxi)
    with pytest.raises(RequestPermissionDenied, match="不属于您所在的机构"):
        register_request(
            actor=reviewer,
            organization=yixing,
            channel=ReceiptChannel.IN_PERSON,
            fields=applicant_fields(),
            submitted_on=D(2020, 9, 30),
        )
    assert not InformationRequest.objects.filter(organization=yixing).exists()
    assert AuditEntry.objects.filter(action="permission_denied", actor=reviewer).exists()
    with pytest.raises(RequestPermissionDenied):
        register_request(
            actor=make_user(),
            organization=wuxi,
            channel=ReceiptChannel.IN_PERSON,
            fields=applicant_fields(),
            submitted_on=D(2020, 9, 30),
        )


def test_a_step_not_allowed_from_the_state_is_refused_with_the_tables_message(bureau_request):
    wuxi, _, request = bureau_request
    reviewer = make_staff(REVIEWER, organization=wuxi)
    with pytest.raises(StepNotAllowed, match=STEPS["close"].refusal):
        close_request(request=request, actor=reviewer)
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED and request.events.count() == 1


def test_every_step_names_its_permission_and_audit_action():
    for step in STEPS.values():
        assert step.sources and step.audit_action
        assert step.permission is None or step.permission.startswith("applications.")
    assert STEPS["expire_correction"].permission is None  # the scheduler only


# --- 补正 dated before receipt (issue 18, item 10) -----------------------------------------


def test_a_correction_notice_dated_before_receipt_is_refused(bureau_request):
    wuxi, _, request = bureau_request
    reviewer = make_staff(REVIEWER, organization=wuxi)
    with pytest.raises(RequestError, match=re.escape("不能早于收到申请日期(2020-09-30)")):
        request_correction(
            request=request,
            actor=reviewer,
            notice="请说明年份",
            correction_due_on=D(2020, 10, 20),
            today=D(2020, 9, 29),
        )
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED and request.correction_requested_on is None
    assert request.events.count() == 1
    request = request_correction(
        request=request,
        actor=reviewer,
        notice="请说明年份",
        correction_due_on=D(2020, 10, 20),
        today=D(2020, 9, 30),
    )
    assert request.state == RequestState.CORRECTION
