"""A year of requests to count, a published annual report with numbers in every table, and the
template's golden layouts."""

import json
from decimal import Decimal
from pathlib import Path

from applications.choices import ApplicantType
from applications.services import answer_request
from disclosure.choices import DisclosureMethod
from disclosure.roles import PUBLISHER, REVIEWER
from disclosure.workflow import approve_record, publish_record
from reports.models import AnnualReport
from reports.services import refresh_annual_report, submit_annual_report
from tests.factories import make_organization, make_request, make_staff

GOLDEN = Path(__file__).parent / "golden"
TABLES = ["table2", "table3", "table4"]


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def published_report(**fields) -> AnnualReport:
    """Compiled and submitted by one reviewer, approved by another, published by a publisher."""
    organization = make_organization(name="某市教育局")
    compiler = make_staff(REVIEWER, organization=organization)
    values = {
        "overview": "本年度……",
        "licensing_decisions": 12,
        "fees_amount": Decimal("2.0200"),
        "review_upheld": 1,
        "review_total": 1,
        "suit_corrected": 2,
        "suit_total": 2,
        "suit_after_review_pending": 3,
        "suit_after_review_total": 3,
        **fields,
    }
    report = AnnualReport.objects.create(organization=organization, year=2023, **values)
    report = refresh_annual_report(report=report, actor=compiler)
    record = submit_annual_report(report=report, actor=compiler).record
    approve_record(
        record=record,
        actor=make_staff(REVIEWER, organization=organization),
        confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )
    publish_record(record=record, actor=make_staff(PUBLISHER, organization=organization))
    return AnnualReport.objects.get(pk=report.pk)


def org_fields(kind: str) -> dict:
    return {
        "applicant_type": ApplicantType.ORGANIZATION,
        "organization_kind": kind,
        "organization_code": "91350100M000100Y43",
        "id_type": "",
        "id_number": "",
    }


def answered(org, clerk, received, replied, reply_type, reason="", **fields):
    request = make_request(organization=org, received_on=received, actor=clerk, **fields)
    if replied:
        answer_request(
            request=request,
            actor=clerk,
            reply_type=reply_type,
            reply_reason=reason,
            replied_on=replied,
        )
    return request
