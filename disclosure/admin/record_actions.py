"""Record admin pages beyond the status transitions: a published record's pending revision
(提交/审核/退回/发布/放弃修订), 废止, the revisions and their diffs, 我的待办. Thin: parse the
form, call the service, show refusals."""

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

from disclosure.admin.record_forms import audit_denial, beijing
from disclosure.admin.workflow import client_ip
from disclosure.choices import RecordStatus
from disclosure.dashboard import dashboard_for
from disclosure.models import DisclosureRecord
from disclosure.roles import can_access_record
from disclosure.services.editing import published_revision, restore_revision, revision_changes
from disclosure.services.revisions import (
    REVISION_ACTIONS,
    REVISION_TRANSITIONS,
    pending_revision_of,
    revision_diff,
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
        # the reviewer sees what the revision changes: fields, keywords and 附件
        diff = revision_diff(live=record, revision=revision) if revision else None
        return self._page(
            request, record, transition.label, form, revision=revision,
            changes_since_published=diff,
        )  # fmt: skip

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

    def revisions_view(self, request, object_id):
        record = self._get_scoped(request, object_id)
        revisions = list(
            DisclosureRecord.history.filter(id=record.pk)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        )
        if request.method == "POST" and "restore" in request.POST:
            try:
                restore_revision(
                    record=record,
                    history_id=int(request.POST["restore"]),
                    actor=request.user,
                    ip=client_ip(request),
                )
            except (WorkflowError, ValueError, DisclosureRecord.history.model.DoesNotExist) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已将该版本恢复为新的草稿,请检查后提交审核。")
                return HttpResponseRedirect(
                    reverse("admin:disclosure_disclosurerecord_change", args=[record.pk])
                )
        by_id = {str(r.history_id): r for r in revisions}
        old, new = by_id.get(request.GET.get("old", "")), by_id.get(request.GET.get("new", ""))
        since_published = request.GET.get("since") == "published"
        if since_published:
            old, new = published_revision(record=record), revisions[0] if revisions else None
        if old is None and new is None and len(revisions) >= 2:
            old, new = revisions[1], revisions[0]
        return TemplateResponse(
            request,
            "admin/disclosure/disclosurerecord/revisions.html",
            {
                **self.admin_site.each_context(request),
                "title": f"修订版本:{record.title}",
                "record": record,
                "revisions": [(r, beijing(r.history_date)) for r in revisions],
                "old": old,
                "new": new,
                "changes": revision_changes(old, new),
                "since_published": since_published,
                "can_restore": request.user.has_perm("disclosure.change_disclosurerecord")
                and record.status in ("draft", "withdrawn"),
                "opts": self.model._meta,
            },
        )

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            audit_denial(request, "dashboard", None)
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/disclosure/dashboard.html",
            {
                **self.admin_site.each_context(request),
                "title": "我的待办",
                "board": dashboard_for(user=request.user),
                "can_review": request.user.has_perm("disclosure.approve_record"),
                "can_publish": request.user.has_perm("disclosure.publish_record"),
                "opts": self.model._meta,
            },
        )
