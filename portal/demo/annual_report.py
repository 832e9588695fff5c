"""Last year's annual report: computed, submitted, reviewed and published like any record."""

from __future__ import annotations

import datetime

from django.db import transaction

from disclosure.choices import DisclosureMethod
from disclosure.models import DisclosureRecord, Organization
from disclosure.workflow import approve_record, publish_record
from portal.demo import BUREAU, Cast, SampleSite
from reports.models import AnnualReport
from reports.services import refresh_annual_report, submit_annual_report


def add_annual_report(
    cast: Cast, today: datetime.date, summary: SampleSite, published: list[DisclosureRecord]
) -> None:
    bureau = Organization.objects.get(name=BUREAU)
    year = today.year - 1
    last_year = [r for r in published if r.publication_date and r.publication_date.year == year]
    with transaction.atomic():
        report, created = AnnualReport.objects.get_or_create(
            organization=bureau,
            year=year,
            defaults={
                "overview": (
                    f"{year}年,{BUREAU}认真贯彻《中华人民共和国政府信息公开条例》,全年主动公开"
                    f"政府信息{len(last_year)}条,依法办理政府信息公开申请,"
                    "持续加强平台建设和监督保障。"
                )
            },
        )
    if not created:  # the bureau's own report for that year is theirs
        return
    report = refresh_annual_report(report=report, actor=cast.author)
    # 部门编制,经办公室审核后公开: compiled, reviewed and published like any record.
    report = submit_annual_report(report=report, actor=cast.author)
    record = report.record
    assert record is not None  # submission makes the report's record
    approve_record(
        record=record,
        actor=cast.reviewer,
        confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )
    publish_record(record=record, actor=cast.publisher)
    summary.reports += 1
