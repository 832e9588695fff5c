"""Staff compile the annual report: data-driven tables are recomputed, the rest typed in, the
totals checked, and the report submitted as a record for review and publication (Articles 49-50).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from disclosure.choices import RecordStatus
from disclosure.http import client_ip
from reports.consistency import check_annual_report
from reports.models import AnnualReport, AnnualReportStatus
from reports.services import (
    AnnualReportError,
    record_annual_report_edit,
    refresh_annual_report,
    report_context,
    submit_annual_report,
)

COMPUTED = [
    "rules_issued",
    "rules_repealed",
    "rules_valid",
    "normative_issued",
    "normative_repealed",
    "normative_valid",
]


class StatusFilter(admin.SimpleListFilter):
    """The report's status is its record's (no record yet: 编制中)."""

    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return AnnualReportStatus.choices

    def queryset(self, request, queryset):
        if self.value() == AnnualReportStatus.DRAFT:
            return queryset.filter(Q(record__isnull=True) | Q(record__status=RecordStatus.DRAFT))
        if self.value():
            return queryset.filter(record__status=self.value())
        return queryset


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "organization", "status_view", "computed_at", "record"]
    list_filter = [StatusFilter, "year", "organization"]
    list_select_related = ["organization", "record"]
    actions = ["refresh", "submit"]
    fieldsets = [
        (None, {"fields": ["organization", "year", "status_view", "record", "computed_at"]}),
        ("一、总体情况", {"fields": ["overview"]}),
        (
            "二、主动公开政府信息情况",
            {
                "fields": [
                    *COMPUTED,
                    "licensing_decisions",
                    "punishment_decisions",
                    "coercion_decisions",
                    "fees_amount",
                    "table_two_source",
                ],
                "description": (
                    "第（一）项由标为规章、行政规范性文件的已发布信息自动统计"
                    "(公开信息的「规章或规范性文件」一项);第（五）（六）（八）项由工作人员"
                    "填写,并注明数据来源。"
                ),
            },
        ),
        ("三、收到和处理政府信息公开申请情况(自动统计)", {"fields": ["table_three_view"]}),
        (
            "四、政府信息公开行政复议、行政诉讼情况",
            {
                "fields": [
                    (
                        "review_upheld",
                        "review_corrected",
                        "review_other",
                        "review_pending",
                        "review_total",
                    ),
                    ("suit_upheld", "suit_corrected", "suit_other", "suit_pending", "suit_total"),
                    (
                        "suit_after_review_upheld",
                        "suit_after_review_corrected",
                        "suit_after_review_other",
                        "suit_after_review_pending",
                        "suit_after_review_total",
                    ),
                ]
            },
        ),
        ("五、六", {"fields": ["problems", "other_matters"]}),
        ("核对", {"fields": ["check_view"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status_view", "record", "computed_at", *COMPUTED]
        fixed += ["table_three_view", "check_view"]
        if obj is not None:
            fixed = ["organization", "year", *fixed]
        return fixed

    def has_change_permission(self, request, obj=None):
        """Frozen from submission on; a rejection or withdrawal makes it editable again."""
        if obj is not None and obj.status != AnnualReportStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="状态")
    def status_view(self, obj):
        return obj.get_status_display() if obj else AnnualReportStatus.DRAFT.label

    @admin.display(description="表三")
    def table_three_view(self, obj):
        if not obj or not obj.table_three:
            return "尚未统计:保存后在列表中选择「更新统计数据」。"
        html = render_to_string("admin/reports/annualreport/table_three.html", report_context(obj))
        return mark_safe(html)  # noqa: S308 - rendered by our own template, values escaped there

    @admin.display(description="合计核对")
    def check_view(self, obj):
        if not obj or not obj.pk:
            return ""
        problems = check_annual_report(obj)
        return "\n".join(problems) if problems else "各项合计相符,可以生成公开信息并提交审核。"

    def save_model(self, request, obj, form, change):
        """Saving a draft also recomputes the tables that come from the data; an edit is
        audited, and its editor counts as an author of the report (四眼原则)."""
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            record_annual_report_edit(
                report=obj, actor=request.user, fields=form.changed_data, ip=client_ip(request)
            )
        refresh_annual_report(report=obj, actor=request.user)

    @admin.action(description="更新统计数据(表二第（一）项、表三)", permissions=["change"])
    def refresh(self, request, queryset):
        for report in queryset:
            try:
                refresh_annual_report(report=report, actor=request.user)
            except AnnualReportError as error:
                self.message_user(request, f"{report}:{error}", messages.ERROR)
            else:
                self.message_user(request, f"{report}:统计数据已更新。")

    @admin.action(description="生成公开信息并提交审核", permissions=["change"])
    def submit(self, request, queryset):
        for report in queryset:
            try:
                submit_annual_report(report=report, actor=request.user)
            except AnnualReportError as error:
                self.message_user(request, f"{report}:{error}", messages.ERROR)
            else:
                self.message_user(request, f"{report}:已生成公开信息并提交审核,审核通过后发布。")
