"""The office compiles the report in the admin: table three shown as the template lays it out,
table two's entered rows with their source noted, the computed rows read-only."""

import datetime

import pytest
from django.urls import reverse

from disclosure.choices import NormativeKind
from disclosure.roles import REVIEWER
from reports.models import AnnualReport
from tests.factories import make_organization, make_published_record, make_staff

pytestmark = pytest.mark.django_db


def test_change_page_shows_table_three_as_the_template_and_notes_the_source(client, vocabulary):
    bureau = make_organization(name="某市教育局")
    make_published_record(
        organization=bureau,
        issued_on=datetime.date(2023, 5, 1),
        normative_kind=NormativeKind.NORMATIVE,
    )
    compiler = make_staff(REVIEWER, organization=bureau)
    client.force_login(compiler)
    add = client.post(
        reverse("admin:reports_annualreport_add"),
        {
            "organization": bureau.pk,
            "year": 2023,
            "licensing_decisions": 7,
            "punishment_decisions": 0,
            "coercion_decisions": 0,
            "fees_amount": "2.02",
            "table_two_source": "市政务服务管理办公室审批系统",
            **{f"{g}_{p}": 0 for g in ("review", "suit", "suit_after_review")
               for p in ("upheld", "corrected", "other", "pending", "total")},
        },
    )  # fmt: skip
    assert add.status_code == 302, add.content.decode()[:2000]
    report = AnnualReport.objects.get()
    assert report.table_two_source == "市政务服务管理办公室审批系统"
    assert report.normative_issued == 1  # computed on save from the record's attribute
    page = client.get(reverse("admin:reports_annualreport_change", args=[report.pk]))
    html = page.content.decode()
    assert 'rowspan="22"' in html and "三、本年度办理结果" in html
    assert "数据来源" in html and 'name="normative_issued"' not in html
