"""The step pages of a request (补正, 征求意见, 延期, 收费, 答复, 办结): one small form per step.

Each form hands its cleaned data to the step's service, which checks the state and the actor's
scope and writes the deadline, the history and the audit entry together.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils import timezone

from applications import services
from applications.choices import FeeBasis, ReplyReason, ReplyType
from applications.models import InformationRequest
from disclosure.actors import Actor
from disclosure.roles import users_scoped_to


class StepForm(forms.Form):
    """A step's form: `run` calls the step's service; `limit_to` narrows the choices to what
    fits the request (by default nothing to narrow)."""

    def limit_to(self, request: InformationRequest) -> None:
        """Nothing to narrow for most steps."""

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        raise NotImplementedError


class CorrectionForm(StepForm):
    notice = forms.CharField(label="需要补正的事项", widget=forms.Textarea)
    notice_date = forms.DateField(
        label="告知日期", initial=timezone.localdate, help_text="不能早于收到申请日期。"
    )
    correction_due_on = forms.DateField(label="补正期限")

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        data = dict(self.cleaned_data)
        data["today"] = data.pop("notice_date")
        return services.request_correction(request=request, actor=actor, **data)


class CorrectionReceivedForm(StepForm):
    received_on = forms.DateField(label="收到补正日期")

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.receive_correction(request=request, actor=actor, **self.cleaned_data)


class ConsultationStartForm(StepForm):
    started_on = forms.DateField(label="开始日期")
    note = forms.CharField(label="征求对象和事项", required=False, widget=forms.Textarea)

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.start_consultation(request=request, actor=actor, **self.cleaned_data)


class ConsultationEndForm(StepForm):
    ended_on = forms.DateField(label="结束日期")
    note = forms.CharField(label="意见情况", required=False, widget=forms.Textarea)

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.end_consultation(request=request, actor=actor, **self.cleaned_data)


class ExtendForm(StepForm):
    days = forms.IntegerField(label="延长工作日", min_value=1, max_value=20, initial=20)
    reason = forms.CharField(label="延长理由", widget=forms.Textarea)
    approver = forms.ModelChoiceField(label="批准人", queryset=get_user_model().objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._approver_field().queryset = extension_approvers()

    def _approver_field(self) -> forms.ModelChoiceField:
        field = self.fields["approver"]
        assert isinstance(field, forms.ModelChoiceField)
        return field

    def limit_to(self, request: InformationRequest) -> None:
        """Only approvers whose organization scope covers the request (the service checks it
        again)."""
        self._approver_field().queryset = users_scoped_to(
            request.organization, extension_approvers()
        )

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.extend_request(request=request, actor=actor, **self.cleaned_data)


def extension_approvers() -> QuerySet[Actor]:
    """Active users who may approve an extension (Article 33), by their own permission or a
    group's."""
    granted = Permission.objects.filter(
        codename="approve_request_extension", content_type__app_label="applications"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=granted)
            | Q(groups__permissions__in=granted)
        )
        .distinct()
    )


class AnswerForm(StepForm):
    reply_type = forms.ChoiceField(
        label="答复类型", choices=[("", "请选择"), *ReplyType.choices], required=False
    )
    reply_reason = forms.ChoiceField(
        label="具体情形", choices=[("", "—"), *ReplyReason.choices], required=False
    )
    replied_on = forms.DateField(label="答复日期", initial=timezone.localdate)
    letter = forms.CharField(
        label="答复书",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="留空则按答复类型的模板(可在「答复书模板」中修改)生成。",
    )

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.answer_request(request=request, actor=actor, **self.cleaned_data)


class LetterForm(StepForm):
    letter = forms.CharField(label="答复书", widget=forms.Textarea(attrs={"rows": 16}))

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.update_reply_letter(request=request, actor=actor, **self.cleaned_data)


class CloseForm(StepForm):
    note = forms.CharField(label="办结说明", required=False)

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.close_request(request=request, actor=actor, **self.cleaned_data)


class FeeNoticeForm(StepForm):
    basis = forms.ChoiceField(label="计收方式", choices=FeeBasis.choices)
    quantity = forms.IntegerField(
        label="计费数量",
        min_value=1,
        help_text="按件:该申请人本月第几件申请;按量:所需信息的页数。金额按国办函〔2020〕109号计算。",
    )
    notified_on = forms.DateField(label="通知日期", initial=timezone.localdate)

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.notify_fee(request=request, actor=actor, **self.cleaned_data)


class FeePaidForm(StepForm):
    paid_on = forms.DateField(label="缴费日期")

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.record_fee_paid(request=request, actor=actor, **self.cleaned_data)


class FeeDeclinedForm(StepForm):
    declined_on = forms.DateField(label="申请人表示不缴费的日期")

    def run(self, *, request: InformationRequest, actor: Actor) -> InformationRequest:
        return services.record_fee_declined(request=request, actor=actor, **self.cleaned_data)


#: The admin's step pages: (label, form, the row of the services' transition table).
STEPS: dict[str, tuple[str, type[StepForm], str]] = {
    "correction": ("告知补正", CorrectionForm, "correction"),
    "correction-received": ("收到补正", CorrectionReceivedForm, "correction_received"),
    "consultation-start": ("开始征求第三方意见", ConsultationStartForm, "consultation_start"),
    "consultation-end": ("结束征求第三方意见", ConsultationEndForm, "consultation_end"),
    "extend": ("延长答复期限", ExtendForm, "extend"),
    "fee-notice": ("发出收费通知", FeeNoticeForm, "fee_notice"),
    "fee-paid": ("申请人已缴费", FeePaidForm, "fee_paid"),
    "fee-declined": ("申请人不缴费", FeeDeclinedForm, "fee_declined"),
    "answer": ("答复", AnswerForm, "answer"),
    "letter": ("修改答复书", LetterForm, "letter"),
    "close": ("办结", CloseForm, "close"),
}
