import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from disclosure.annual_report import publish_annual_report, refresh_annual_report
from disclosure.models import AnnualReport
from tests.factories import make_organization, make_user

pytestmark = pytest.mark.django_db


def published_report():
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="publish_annualreport"))
    user = type(user).objects.get(pk=user.pk)
    report = AnnualReport.objects.create(
        organization=make_organization(name="某市教育局"), year=2023, overview="本年度……"
    )
    report = refresh_annual_report(report=report, actor=user)
    return publish_annual_report(report=report, actor=user)


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
