"""The 数据导入导出 admin page: auditor exports of records and of the audit log.

Registered on a permission-only proxy model (RecordDataExchange), so the page appears in the
admin index for staff who hold `export_records`, `export_audit_log` or `import_records` and
for nobody else; the record admin itself is untouched. The change-list action
`export_selected_records` is offered for the record admin to list in its `actions`.

Exports stream, unless the staff member asks for a background job or the result has more than
EXPORT_STREAM_MAX_ROWS rows: then a job is queued (exchange.export_jobs) and its page shows
the progress and, when done, the download.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from disclosure.admin.records import DisclosureRecordAdmin
from disclosure.http import client_ip
from disclosure.models import AuditEntry, RecordDataExchange
from exchange.export_filters import ExportFilterError, RecordExportFilter, export_queryset
from exchange.export_jobs import (
    ExportFileGone,
    ExportJobRefused,
    can_access_export_job,
    describe_filters,
    exceeds_stream_limit,
    open_export_file,
    recent_export_jobs,
    request_export,
    visible_export_jobs,
)
from exchange.exports import (
    CONTENT_TYPES,
    export_filename,
    stream_audit_log,
    stream_plan_items,
    stream_records,
)
from exchange.models import ExportSubject
from plans.admin import PlanItemAdmin

EXPORT_PERMISSION = "disclosure.export_records"
AUDIT_EXPORT_PERMISSION = "disclosure.export_audit_log"
IMPORT_PERMISSION = "disclosure.import_records"
FORMAT_CHOICES = [
    ("csv", "CSV(Excel 可直接打开)"),
    ("xlsx", "Excel 工作簿 XLSX"),
    ("jsonl", "JSON Lines"),
]


class ExportOptionsForm(forms.Form):
    format = forms.ChoiceField(label="格式", choices=FORMAT_CHOICES, initial="csv")
    english = forms.BooleanField(label="表头用英文字段名", required=False)
    background = forms.BooleanField(
        label="后台生成(大批量时推荐)",
        required=False,
        help_text="在后台生成文件,本页可查看进度,完成后下载。超过一定行数的导出总是在后台生成。",
    )




def streaming_download(chunks, *, what: str, fmt: str) -> StreamingHttpResponse:
    """Starts sending at once; the browser's download bar shows progress for large exports."""
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(what=what, fmt=fmt)}"'
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@admin.action(description="导出所选公开信息(XLSX)")
def export_selected_records(modeladmin, request: HttpRequest, queryset) -> HttpResponse | None:
    """For DisclosureRecordAdmin.actions: the filtered, selected rows as a workbook."""
    if not request.user.has_perm(EXPORT_PERMISSION):
        modeladmin.message_user(request, "您没有导出公开信息的权限。", messages.ERROR)
        return None
    chunks = stream_records(
        queryset=queryset,  # read in keyset chunks: "select all" over a million rows is fine
        fmt="xlsx",
        actor=request.user,
        filters={"selected": queryset.count(), "changelist": request.GET.urlencode()},
        ip=client_ip(request),
    )
    return streaming_download(chunks, what="records", fmt="xlsx")


def _plan_items_action(fmt: str):
    @admin.action(description=f"导出所选计划事项({fmt.upper()})")
    def export_plan_items(modeladmin, request: HttpRequest, queryset) -> HttpResponse | None:
        """For PlanItemAdmin.actions: the auditors' plan tracker as a spreadsheet."""
        if not request.user.has_perm(EXPORT_PERMISSION):
            modeladmin.message_user(request, "您没有导出的权限。", messages.ERROR)
            return None
        chunks = stream_plan_items(
            queryset=queryset,
            fmt=fmt,
            actor=request.user,
            filters={"selected": queryset.count(), "changelist": request.GET.urlencode()},
            ip=client_ip(request),
        )
        return streaming_download(chunks, what="plan-items", fmt=fmt)

    export_plan_items.__name__ = f"export_plan_items_{fmt}"
    return export_plan_items


export_plan_items_csv = _plan_items_action("csv")
export_plan_items_xlsx = _plan_items_action("xlsx")


@admin.register(RecordDataExchange)
class DataExchangeAdmin(admin.ModelAdmin):
    """No rows of its own: its change list is the export and import page."""

    def has_view_permission(self, request, obj=None) -> bool:
        user = request.user
        return user.is_active and any(
            user.has_perm(p)
            for p in (EXPORT_PERMISSION, AUDIT_EXPORT_PERMISSION, IMPORT_PERMISSION)
        )

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        from exchange.admin.imports import import_view

        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.changelist_view), name="disclosure_recorddataexchange_changelist"),
            path("export/", wrap(self.export_view), name="disclosure_export_records"),
            path("audit-log/", wrap(self.audit_log_view), name="disclosure_export_audit_log"),
            path("import/", wrap(lambda r: import_view(self, r)), name="disclosure_import_records"),
            path("jobs/<int:job_id>/", wrap(self.job_view), name="disclosure_export_job"),
            path(
                "jobs/<int:job_id>/download/",
                wrap(self.job_download_view),
                name="disclosure_export_job_download",
            ),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        from exchange.admin.imports import ImportForm

        context = {
            **self.admin_site.each_context(request),
            "title": "数据导入导出",
            "opts": self.model._meta,
            "filter_form": RecordExportFilter(data=None).form,
            "options_form": ExportOptionsForm(),
            # the same fields again: their own ids, so each label points at its own control
            "audit_options_form": ExportOptionsForm(auto_id="id_audit_%s"),
            "import_form": ImportForm(),
            "can_export": request.user.has_perm(EXPORT_PERMISSION),
            "can_export_audit": request.user.has_perm(AUDIT_EXPORT_PERMISSION),
            "can_import": request.user.has_perm(IMPORT_PERMISSION),
            "export_jobs": recent_export_jobs(user=request.user),
        }
        return render(request, "admin/disclosure/data_exchange.html", context)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied

        options = ExportOptionsForm(request.GET)
        try:
            if not options.is_valid():
                raise ExportFilterError("导出格式无效。")
            queryset, used = export_queryset(data=request.GET)
        except ExportFilterError as exc:
            messages.error(request, str(exc))
            return self.changelist_view(request)
        fmt = options.cleaned_data["format"]
        if options.cleaned_data["background"] or exceeds_stream_limit(queryset=queryset):
            return self._start_job(request, what=ExportSubject.RECORDS, options=options)
        chunks = stream_records(
            queryset=queryset,
            fmt=fmt,
            actor=request.user,
            english=options.cleaned_data["english"],
            filters=used,
            ip=client_ip(request),
        )
        return streaming_download(chunks, what="records", fmt=fmt)

    def audit_log_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(AUDIT_EXPORT_PERMISSION):
            raise PermissionDenied
        options = ExportOptionsForm(request.GET)
        if options.is_valid() and (
            options.cleaned_data["background"]
            or exceeds_stream_limit(queryset=AuditEntry.objects.all())
        ):
            return self._start_job(request, what=ExportSubject.AUDIT_LOG, options=options)
        fmt = options.cleaned_data["format"] if options.is_valid() else "csv"
        chunks = stream_audit_log(
            fmt=fmt,
            actor=request.user,
            english=options.is_valid() and options.cleaned_data["english"],
            ip=client_ip(request),
        )
        return streaming_download(chunks, what="audit-log", fmt=fmt)

    def _start_job(self, request: HttpRequest, *, what: str, options) -> HttpResponse:
        try:
            job = request_export(
                user=request.user,
                what=what,
                fmt=options.cleaned_data["format"],
                english=options.cleaned_data["english"],
                query_data=request.GET,
                ip=client_ip(request),
            )
        except (ExportFilterError, ExportJobRefused) as exc:
            messages.error(request, str(exc))
            return self.changelist_view(request)
        if options.cleaned_data["background"]:
            messages.success(request, "已开始在后台生成导出文件;完成后可在本页下载。")
        else:
            messages.success(
                request,
                f"导出超过 {settings.EXPORT_STREAM_MAX_ROWS:,} 行,已转为后台生成;"
                "完成后可在本页下载,也可在“数据导入导出”页“我的后台导出”中找到。",
            )
        return redirect("admin:disclosure_export_job", job_id=job.pk)

    def _job(self, request: HttpRequest, job_id: int):
        """Someone else's job is 404 (not even its existence shows); one's own without the
        permission any more is 403."""
        job = get_object_or_404(visible_export_jobs(user=request.user), pk=job_id)
        if not can_access_export_job(user=request.user, job=job):
            raise PermissionDenied
        return job

    def job_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"后台导出 #{job.pk}",
            "opts": self.model._meta,
            "job": job,
            "filters": describe_filters(job.filters),
            "retention_days": settings.EXPORT_RETENTION_DAYS,
            # WCAG 2.2.1: a timed refresh must be possible to turn off
            "auto_refresh": job.is_active and request.GET.get("refresh") != "off",
        }
        return render(request, "admin/disclosure/export_job.html", context)

    def job_download_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job(request, job_id)
        try:
            handle = open_export_file(job=job, user=request.user, ip=client_ip(request))
        except ExportFileGone as exc:
            raise Http404(str(exc)) from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=job.file_name,
            content_type=CONTENT_TYPES[job.format],
        )
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# The exports are also actions of the record listing and of the plan items: added here, as the
# records core and the plans app do not import the data exchange (docs/architecture.md).
DisclosureRecordAdmin.actions = [*DisclosureRecordAdmin.actions, export_selected_records]
PlanItemAdmin.actions = [*PlanItemAdmin.actions, export_plan_items_csv, export_plan_items_xlsx]
