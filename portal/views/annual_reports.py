"""Published annual reports (Article 49-50): HTML in both scripts and the XLSX download.

A report is public exactly when the record it was published as is public (`public_records`).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from disclosure.selectors import public_records
from reports.models import AnnualReport
from reports.services import report_context
from reports.xlsx import annual_report_xlsx


def _public_reports():
    return AnnualReport.objects.filter(record__in=public_records()).select_related(
        "organization", "record"
    )


def _get(pk: int) -> AnnualReport:
    try:
        return _public_reports().get(pk=pk)
    except AnnualReport.DoesNotExist:
        raise Http404("没有找到该年度报告。") from None


def annual_report_list(request: HttpRequest) -> HttpResponse:
    reports = _public_reports().order_by("-year", "organization__ordering")
    return render(request, "portal/annual_reports/list.html", {"reports": reports})


def annual_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/annual_reports/detail.html", report_context(_get(pk)))


def annual_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get(pk)
    response = HttpResponse(
        annual_report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"annual-report-{report.year}-{report.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
