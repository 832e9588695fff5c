"""Staff side of 依申请公开: register, process and answer requests; the deadline dashboard.

The change page is read-only: every step (补正, 征求意见, 延期, 答复, 办结) is a small form
(`applications.admin.steps`) that calls its service, so the deadline, the history and the audit
entry are always written together. Personal data is masked unless the user may see it.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from applications import services
from applications.admin.personal_data import PersonalDataAdmin
from applications.admin.register import APPLICANT_FIELDS, RegisterRequestForm
from applications.admin.steps import STEPS
from applications.choices import NoticeKind
from applications.exports import stream_requests
from applications.letters import available_notices, render_notice
from applications.models import InformationRequest, RequestEvent
from applications.privacy import (
    MASKS,
    can_see_personal_data,
)
from applications.selectors import (
    calendar_gaps,
    overdue_requests,
    requests_by_state,
    requests_due_soon,
    requests_without_holiday_data,
)
from applications.services import RequestError
from disclosure.actors import AuthenticatedHttpRequest
from disclosure.audit import record_event
from disclosure.calendar import WorkingCalendar
from disclosure.files import file_download
from disclosure.http import client_ip
from disclosure.models import AuditAction
from disclosure.roles import accessible_organizations, scope_requests
from exchange.admin.exports import streaming_download

EXPORT_PERMISSION = "applications.export_requests"


class DeadlineFilter(admin.SimpleListFilter):
    title = "答复期限"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("soon", "5个工作日内到期"), ("overdue", "已逾期")]

    def queryset(self, request, queryset):
        if self.value() == "soon":
            return queryset.filter(pk__in=requests_due_soon().values("pk"))
        if self.value() == "overdue":
            return queryset.filter(pk__in=overdue_requests().values("pk"))
        return queryset


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    readonly_fields = ("happened_on", "state", "note", "actor", "created_at")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InformationRequest)
class InformationRequestAdmin(PersonalDataAdmin):
    list_display = [
        "tracking_number",
        "applicant_name",
        "masked_phone",
        "masked_id_number",
        "organization",
        "channel",
        "received_on",
        "state",
        "deadline",
        "reply_type",
    ]
    list_filter = [DeadlineFilter, "state", "reply_type", "channel", "organization"]
    search_fields = ["tracking_number", "applicant_name"]
    date_hierarchy = "received_on"
    list_select_related = ["organization"]
    inlines = [RequestEventInline]
    actions = ["export_csv"]
    change_form_template = "admin/applications/informationrequest/change_form.html"
    change_list_template = "admin/applications/informationrequest/change_list.html"

    # -- organization scope: list, detail, steps, attachment and export all start here --

    def get_queryset(self, request):
        return scope_requests(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A request is registered only for an organization the clerk works for; the choice is
        validated against this queryset, so a forged id is refused too."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "organization" and field is not None:
            field.queryset = accessible_organizations(
                request.user, field.queryset.filter(accepts_requests=True)
            )
        return field

    def attachment_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        """The applicant's attachment (often an ID copy) is personal data: only for users who
        may see personal data, and every download is audited. Media files are never public."""
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not (self.has_view_permission(request, obj) and can_see_personal_data(request.user)):
            raise PermissionDenied
        if not obj.attachment:
            raise Http404("没有附件。")
        record_event(
            action=AuditAction.EXPORT,
            actor=request.user,
            obj=obj,
            ip=client_ip(request),
            details={"attachment": obj.attachment_name},
        )
        return file_download(  # a short-lived signed URL when the uploads are in S3
            file=obj.attachment,
            filename=obj.attachment_name or obj.attachment.name.rsplit("/", 1)[-1],
            content_type="application/octet-stream",
        )

    def get_object(self, request, object_id, from_field=None):
        """404 for a request outside the user's organizations (change, history): not Django's
        redirect; users without any permission on requests still get 403 from Django."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            if self.has_view_or_change_permission(request):
                raise Http404("没有这个申请,或它不属于您所在的机构。")
            return None
        obj._show_personal = can_see_personal_data(request.user)
        return obj

    @admin.display(description="答复期限", ordering="due_on")
    def deadline(self, obj):
        if obj.due_on is None:
            return "暂停计算" if obj.is_open else "—"
        gaps = calendar_gaps(obj)
        if gaps:
            years = "、".join(f"{y}年" for y in gaps)
            return format_html(
                '{} <strong class="calendar-gap">({}节假日安排尚未录入,期限按普通周末计算,'
                "可能有误;请管理员在「节假日年度」中录入)</strong>",
                obj.due_on,
                years,
            )
        today = timezone.localdate()
        if obj.is_open and obj.due_on < today:
            return format_html('<strong class="overdue">{}(已逾期)</strong>', obj.due_on)
        if obj.is_open and obj.due_on <= WorkingCalendar().add_working_days(today, 5):
            return format_html('<strong class="due-soon">{}</strong>', obj.due_on)
        return obj.due_on

    # -- the add form registers; the change form is read-only --

    def get_inline_instances(self, request, obj=None):
        """The history (办理记录) exists only once the service has registered the request: the
        add page has no inline, so Django does not try to save or log a formset the service
        never saw (a 500 on `new_objects`, issue 18 item 3)."""
        return [] if obj is None else super().get_inline_instances(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RegisterRequestForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "organization",
                "channel",
                "submitted_on",
                "signed_for_on",
                *APPLICANT_FIELDS,
                "attachment",
            ]
        personal = {name: f"masked_{name}" for name in MASKS}
        return [
            "tracking_number",
            "organization",
            "channel",
            "received_on",
            "state",
            "deadline",
            *[personal.get(f, f) for f in APPLICANT_FIELDS],
            "attachment_link",
            "correction_requested_on",
            "correction_due_on",
            "correction_notice",
            "correction_received_on",
            "consultation_started_on",
            "consultation_ended_on",
            "paused_working_days",
            "extension_days",
            "extension_reason",
            "extension_approved_by",
            "fee_basis",
            "fee_quantity",
            "fee_amount",
            "fee_notified_on",
            "fee_due_on",
            "fee_paid_on",
            "reply_type",
            "reply_reason",
            "replied_on",
            "replied_by",
            "reply_letter",
            "closed_at",
            "anonymized_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        created = services.register_request(
            actor=request.user,
            organization=data["organization"],
            channel=data["channel"],
            fields={f: data[f] for f in APPLICANT_FIELDS},
            submitted_on=data["submitted_on"],
            signed_for_on=data.get("signed_for_on"),
            attachment=data.get("attachment") or None,
        )
        obj.pk, obj.tracking_number = created.pk, created.tracking_number

    def save_related(self, request, form, formsets, change):
        """Nothing to save: the request and its first event were written by the service."""

    # -- steps --

    def get_urls(self):
        return [
            path(
                "<int:pk>/attachment/",
                self.admin_site.admin_view(self.attachment_view),
                name="applications_informationrequest_attachment",
            ),
            path(
                "<int:pk>/notice/<slug:kind>/",
                self.admin_site.admin_view(self.notice_view),
                name="applications_informationrequest_notice",
            ),
            path(
                "<int:pk>/step/<slug:step>/",
                self.admin_site.admin_view(self.step_view),
                name="applications_informationrequest_step",
            ),
            *super().get_urls(),
        ]

    def notice_view(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        """A named notice, filled from the request, as a page to print (A4, no admin chrome)."""
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if kind not in available_notices(obj):
            raise Http404("该申请没有这份文书。")
        notice = render_notice(request=obj, kind=kind)
        return TemplateResponse(
            request,
            "admin/applications/informationrequest/notice.html",
            {"notice": notice, "original": obj, "paragraphs": notice.body.split("\n")},
        )

    def step_view(self, request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
        if step not in STEPS:
            raise PermissionDenied
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        title, form_class, _ = STEPS[step]
        initial = {"letter": obj.reply_letter} if step == "letter" else None
        form = form_class(request.POST or None, initial=initial)
        form.limit_to(obj)
        if request.method == "POST" and form.is_valid():
            try:
                form.run(request=obj, actor=request.user)
            except RequestError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"{obj.tracking_number}:{title}已完成。")
                change_url = reverse("admin:applications_informationrequest_change", args=[pk])
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}:{obj.tracking_number}",
            "opts": self.model._meta,
            "original": obj,
            "form": form,
        }
        return TemplateResponse(request, "admin/applications/informationrequest/step.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        steps = []
        if obj is not None and self.has_change_permission(request, obj):
            steps = [
                (key, label)
                for key, (label, _, name) in STEPS.items()
                if obj.state in services.STEPS[name].sources
            ]
        extra_context = {
            **(extra_context or {}),
            "request_steps": steps,
            "request_notices": [(kind, NoticeKind(kind).label) for kind in available_notices(obj)]
            if obj is not None
            else [],
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "by_state": requests_by_state(user=request.user),
            "due_soon_count": requests_due_soon(user=request.user).count(),
            "overdue_count": overdue_requests(user=request.user).count(),
        }
        unknown_years, uncertain = requests_without_holiday_data(user=request.user)
        if unknown_years:
            extra_context["calendar_gap_years"] = "、".join(f"{y}年" for y in unknown_years)
            extra_context["calendar_gap_count"] = uncertain.count()
        return super().changelist_view(request, extra_context)

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    @admin.action(description="导出所选申请(CSV)", permissions=["export"])
    def export_csv(self, request, queryset):
        """Through the project's one CSV writer (formula cells neutralized), audited with the
        IP; numbers masked unless the user may see personal data."""
        if not self.has_export_permission(request):
            record_event(
                action=AuditAction.PERMISSION_DENIED,
                actor=request.user,
                ip=client_ip(request),
                reason="无导出公开申请的权限",
                details={"attempted": "export_requests"},
            )
            raise PermissionDenied
        chunks = stream_requests(queryset=queryset, actor=request.user, ip=client_ip(request))
        return streaming_download(chunks, what="requests", fmt="csv")
