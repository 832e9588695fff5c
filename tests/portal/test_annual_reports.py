import pytest
from django.urls import reverse

from disclosure.choices import DisclosureMethod
from disclosure.roles import PUBLISHER, REVIEWER
from disclosure.workflow import approve_record, publish_record
from reports.models import AnnualReport
from reports.services import refresh_annual_report, submit_annual_report
from tests.factories import make_organization, make_staff

pytestmark = pytest.mark.django_db


def published_report():
    """Compiled and submitted by one reviewer, approved by another, published by a publisher."""
    organization = make_organization(name="某市教育局")
    compiler = make_staff(REVIEWER, organization=organization)
    report = AnnualReport.objects.create(organization=organization, year=2023, overview="本年度……")
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


def test_submitted_report_is_not_public_until_published(client, vocabulary):
    organization = make_organization()
    compiler = make_staff(REVIEWER, organization=organization)
    report = refresh_annual_report(
        report=AnnualReport.objects.create(organization=organization, year=2023), actor=compiler
    )
    submit_annual_report(report=report, actor=compiler)
    assert client.get(reverse("portal:annual_report", args=[report.pk])).status_code == 404
    assert report.title not in client.get(reverse("portal:annual_reports")).content.decode()


def test_draft_report_is_not_public(client):
    report = AnnualReport.objects.create(organization=make_organization(), year=2023)
    assert client.get(reverse("portal:annual_report", args=[report.pk])).status_code == 404
    assert client.get(reverse("portal:annual_report_xlsx", args=[report.pk])).status_code == 404
    assert report.title not in client.get(reverse("portal:annual_reports")).content.decode()


def test_published_report_as_html_and_xlsx(client, vocabulary):
    report = published_report()
    page = client.get(reverse("portal:annual_report", args=[report.pk])).content.decode()
    assert "某市教育局2023年政府信息公开工作年度报告" in page
    assert "三、收到和处理政府信息公开申请情况" in page and "结转下年度继续办理" in page
    assert "style=" not in page and "<script" not in page
    listing = client.get(reverse("portal:annual_reports")).content.decode()
    assert report.get_absolute_url() in listing
    download = client.get(reverse("portal:annual_report_xlsx", args=[report.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download.content[:2] == b"PK"
