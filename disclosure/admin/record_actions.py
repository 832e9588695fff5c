"""Record admin pages beyond the status transitions: a published record's pending revision
(提交/审核/退回/发布/放弃修订) and 废止. Thin: parse the form, call the service, show refusals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from disclosure.admin.record_forms import audit_denial
from disclosure.admin.workflow import client_ip
from disclosure.choices import RecordStatus
from disclosure.models import DisclosureRecord
from disclosure.roles import can_access_record
from disclosure.services.revisions import (
    REVISION_ACTIONS,
    REVISION_TRANSITIONS,
    pending_revision_of,
)
from disclosure.workflow import WorkflowError, repeal_record

REPEAL_PERMISSION = "disclosure.publish_record"


def may_repeal(user: Any, record: DisclosureRecord) -> bool:
    """废止 is the publisher's (the permission 「可发布、撤回和废止」), for published records."""
    return (
        record.status == RecordStatus.PUBLISHED
        and record.repealed_on is None
        and user.has_perm(REPEAL_PERMISSION)
        and can_access_record(user, record)
    )


class RevisionForm(forms.Form):
    reason = forms.CharField(
        label="退回理由(必填)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    confidentiality_reviewed = forms.BooleanField(
        label="已完成保密审查(《政府信息公开条例》第十七条)", required=False
    )

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"reject": {"reason"}, "approve": {"confidentiality_reviewed"}}.get(action, set())
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class RepealForm(forms.Form):
    repealed_on = forms.DateField(
        label="废止日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    repealed_by = forms.ModelChoiceField(
        label="废止依据文件",
        queryset=DisclosureRecord.objects.filter(status=RecordStatus.PUBLISHED),
        required=False,
        help_text="填写废止本文件的文件的编号(ID);可留空。",
    )
    reason = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, admin_site: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = DisclosureRecord._meta.get_field("repealed_by")
        self.fields["repealed_by"].widget = ForeignKeyRawIdWidget(field.remote_field, admin_site)
        self.fields["repealed_on"].initial = timezone.localdate()


class RecordActionsMixin:
    """Mixed into DisclosureRecordAdmin: URLs and views of revisions and 废止."""

    admin_site: Any
    model: type[DisclosureRecord]

    def record_action_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/revision/<str:name>/",
                view(self.revision_action_view),
                name="disclosure_disclosurerecord_revision",
            ),
            path(
                "<int:object_id>/repeal/",
                view(self.repeal_view),
                name="disclosure_disclosurerecord_repeal",
            ),
        ]

    def _get_scoped(self, request: HttpRequest, object_id: Any) -> DisclosureRecord:
        raise NotImplementedError

    def _page(self, request: HttpRequest, record: DisclosureRecord, title: str, form, **extra):
        return TemplateResponse(
            request,
            "admin/disclosure/transition_form.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{title}:{record.title}",
                "form": form,
                "records": [record],
                "record": record,
                "bulk": False,
                "opts": self.model._meta,
                **extra,
            },
        )

    def _done(self, request: HttpRequest, record: DisclosureRecord, text: str) -> HttpResponse:
        messages.success(request, text)
        return HttpResponseRedirect(
            reverse("admin:disclosure_disclosurerecord_change", args=[record.pk])
        )

    def revision_action_view(self, request: HttpRequest, object_id: int, name: str):
        record = self._get_scoped(request, object_id)
        transition = REVISION_TRANSITIONS.get(name)
        if transition is None or not request.user.has_perm(transition.permission):
            audit_denial(request, f"revision:{name}", object_id)
            raise PermissionDenied
        form = RevisionForm(request.POST if request.method == "POST" else None, action=name)
        if request.method == "POST" and form.is_valid():
            data: dict[str, Any] = {
                "record": record,
                "actor": request.user,
                "ip": client_ip(request),
            }
            if name == "reject":
                data["reason"] = form.cleaned_data["reason"]
            if name == "approve":
                data["confidentiality_reviewed"] = form.cleaned_data["confidentiality_reviewed"]
            try:
                REVISION_ACTIONS[name](**data)
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                return self._done(request, record, f"「{record.title}」已{transition.label}。")
        revision = pending_revision_of(record)
        return self._page(request, record, transition.label, form, revision=revision)

    def repeal_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        record = self._get_scoped(request, object_id)
        if not request.user.has_perm(REPEAL_PERMISSION):
            audit_denial(request, "repeal", object_id)
            raise PermissionDenied
        form = RepealForm(request.POST or None, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            try:
                repeal_record(
                    record=record,
                    actor=request.user,
                    repealed_on=form.cleaned_data["repealed_on"],
                    repealed_by=form.cleaned_data["repealed_by"],
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                return self._done(request, record, f"「{record.title}」已废止。")
        return self._page(request, record, "废止", form)
