"""The 数据导入导出 admin page: auditor exports of records and of the audit log.

Registered on a permission-only proxy model (RecordDataExchange), so the page appears in the
admin index for staff who hold `export_records`, `export_audit_log` or `import_records` and
for nobody else; the record admin itself is untouched. The change-list action
`export_selected_records` is offered for the record admin to list in its `actions`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path

from disclosure.export_filters import ExportFilterError, RecordExportFilter, export_queryset
from disclosure.exports import (
    CONTENT_TYPES,
    export_filename,
    stream_audit_log,
    stream_plan_items,
    stream_records,
)
from disclosure.models import RecordDataExchange

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


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


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
        ip=_client_ip(request),
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
            ip=_client_ip(request),
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
        from disclosure.admin.imports import import_view

        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.changelist_view), name="disclosure_recorddataexchange_changelist"),
            path("export/", wrap(self.export_view), name="disclosure_export_records"),
            path("audit-log/", wrap(self.audit_log_view), name="disclosure_export_audit_log"),
            path("import/", wrap(lambda r: import_view(self, r)), name="disclosure_import_records"),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        from disclosure.admin.imports import ImportForm

        context = {
            **self.admin_site.each_context(request),
            "title": "数据导入导出",
            "opts": self.model._meta,
            "filter_form": RecordExportFilter(data=None).form,
            "options_form": ExportOptionsForm(),
            "import_form": ImportForm(),
            "can_export": request.user.has_perm(EXPORT_PERMISSION),
            "can_export_audit": request.user.has_perm(AUDIT_EXPORT_PERMISSION),
            "can_import": request.user.has_perm(IMPORT_PERMISSION),
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
        chunks = stream_records(
            queryset=queryset,
            fmt=fmt,
            actor=request.user,
            english=options.cleaned_data["english"],
            filters=used,
            ip=_client_ip(request),
        )
        return streaming_download(chunks, what="records", fmt=fmt)

    def audit_log_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(AUDIT_EXPORT_PERMISSION):
            raise PermissionDenied
        options = ExportOptionsForm(request.GET)
        fmt = options.cleaned_data["format"] if options.is_valid() else "csv"
        chunks = stream_audit_log(
            fmt=fmt,
            actor=request.user,
            english=options.is_valid() and options.cleaned_data["english"],
            ip=_client_ip(request),
        )
        return streaming_download(chunks, what="audit-log", fmt=fmt)
