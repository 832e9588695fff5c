import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from applications.models import InformationRequest, RequestState
from applications.services import request_correction, submit_online_request
from disclosure.models import AuditEntry
from tests.factories import (
    applicant_fields,
    make_organization,
    make_request_handler,
    tiny_pdf,
)

pytestmark = pytest.mark.django_db

FORM = reverse("portal:request_form")
STATUS = reverse("portal:request_status")


def post_data(organization, **fields):
    data = applicant_fields(**fields)
    data.update({"organization": organization.pk, "medium": "electronic", "delivery": "email"})
    return data


def test_form_is_protected_by_csrf():
    org = make_organization()
    response = Client(enforce_csrf_checks=True).post(FORM, post_data(org))
    assert response.status_code == 403
    assert not InformationRequest.objects.exists()
    page = Client().get(FORM).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and 'name="website"' in page
    assert "style=" not in page and "<script" not in page and " onclick" not in page


def test_submission_gives_tracking_number_and_receipt(client):
    org = make_organization(name="某市教育局")
    pdf = SimpleUploadedFile("身份证.pdf", tiny_pdf(), content_type="application/pdf")
    response = client.post(FORM, {**post_data(org), "attachment": pdf})
    assert response.status_code == 302
    submitted = InformationRequest.objects.get()
    assert submitted.attachment and submitted.attachment_name == "身份证.pdf"
    receipt = client.get(response["Location"]).content.decode()
    assert submitted.tracking_number in receipt and "某市教育局" in receipt
    assert "11010519491231002X" not in receipt
    assert AuditEntry.objects.filter(action="request_submit").exists()
    # another visitor cannot see the receipt
    assert Client().get(reverse("portal:request_receipt")).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id_number": "110105194912310021"}, "身份证号码校验位不正确"),
        ({"phone": "12345"}, "联系电话格式不正确"),
        ({"description": ""}, "请填写所需信息的内容描述"),
        ({"description": "x" * 2001}, "2000"),
    ],
)
def test_bad_input_shows_a_clear_message_and_saves_nothing(client, fields, message):
    response = client.post(FORM, post_data(make_organization(), **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_attachment_is_checked_by_its_bytes_not_its_name(client):
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(FORM, {**post_data(make_organization()), "attachment": fake})
    assert response.status_code == 400
    page = response.content.decode()
    assert "附件(限 PDF、JPG、PNG)" in page and "Windows 可执行程序" in page
    assert not InformationRequest.objects.exists()


def test_html_behind_a_pdf_header_is_refused_and_nothing_is_saved(client):
    fake = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>", "application/pdf"
    )
    response = client.post(FORM, {**post_data(make_organization()), "attachment": fake})
    assert response.status_code == 400
    assert "文件「scan.pdf」不是有效的 PDF 文件" in response.content.decode()
    assert not InformationRequest.objects.exists()
    assert not AuditEntry.objects.filter(action="request_submit").exists()


def test_attachment_of_a_type_records_accept_but_applications_do_not_is_refused(client):
    docx_like = SimpleUploadedFile("scan.docx", b"PK\x03\x04rest", content_type="application/zip")
    response = client.post(FORM, {**post_data(make_organization()), "attachment": docx_like})
    assert response.status_code == 400
    assert "不支持「.docx」文件" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_honeypot_submission_is_dropped(client):
    response = client.post(FORM, {**post_data(make_organization()), "website": "http://spam"})
    assert response.status_code == 400
    assert not InformationRequest.objects.exists()


def test_submissions_are_rate_limited_per_ip(client, settings):
    settings.REQUEST_SUBMIT_RATE = "2/h"
    org = make_organization()
    assert client.post(FORM, post_data(org)).status_code == 302
    assert client.post(FORM, post_data(org)).status_code == 302
    response = client.post(FORM, post_data(org))
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert InformationRequest.objects.count() == 2
    other_ip = client.post(FORM, post_data(org), REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 302


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_status_shows_state_and_deadline_with_the_matching_phone_only(client):
    submitted = submit_online_request(organization=make_organization(), fields=applicant_fields())
    page = client.post(
        STATUS, {"tracking_number": submitted.tracking_number, "phone": "13912345678"}
    ).content.decode()
    assert "已受理" in page and f"{submitted.due_on:%Y}年" in page
    assert "张三" not in page and "11010519491231002X" not in page

    wrong_phone = client.post(
        STATUS, {"tracking_number": submitted.tracking_number, "phone": "13912345679"}
    )
    unknown = client.post(STATUS, {"tracking_number": "2026-ZZZZZZZZZZ", "phone": "13912345679"})
    assert wrong_phone.status_code == unknown.status_code == 200
    wrong_html = _without_token(wrong_phone.content.decode())
    assert "已受理" not in wrong_html and "答复期限" not in wrong_html
    assert "未找到与该申请编号和联系电话相符的申请" in wrong_html
    # the same answer whether the number exists or not, apart from the echoed input
    assert wrong_html.replace(submitted.tracking_number, "N") == _without_token(
        unknown.content.decode()
    ).replace("2026-ZZZZZZZZZZ", "N")


def test_failed_status_lookups_are_audited_with_the_number_and_ip(client):
    from disclosure.models import AuditEntry

    submitted = submit_online_request(organization=make_organization(), fields=applicant_fields())
    before = AuditEntry.objects.count()
    client.post(
        STATUS,
        {"tracking_number": submitted.tracking_number, "phone": "13912345678"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert AuditEntry.objects.count() == before  # a matching lookup is not a refusal
    client.post(
        STATUS,
        {"tracking_number": "2026-ZZZZZZZZZZ", "phone": "13912345679"},
        REMOTE_ADDR="10.1.2.3",
    )
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "permission_denied" and entry.ip == "10.1.2.3"
    assert entry.details["tracking_number"] == "2026-ZZZZZZZZZZ"
    assert "13912345679" not in str(entry.details) + entry.reason  # no phone in the log


def test_status_shows_a_paused_deadline_during_correction(client):
    org = make_organization()
    submitted = submit_online_request(organization=org, fields=applicant_fields())
    request_correction(
        request=submitted,
        actor=make_request_handler(),
        notice="请补充",
        correction_due_on=submitted.received_on + datetime.timedelta(days=30),
        today=submitted.received_on,
    )
    page = client.post(
        STATUS, {"tracking_number": submitted.tracking_number, "phone": "13912345678"}
    ).content.decode()
    assert RequestState.CORRECTION.label in page and "暂停计算" in page


def test_guessing_tracking_numbers_is_rate_limited(client, settings):
    settings.REQUEST_LOOKUP_RATE = "3/h"
    submitted = submit_online_request(organization=make_organization(), fields=applicant_fields())
    for n in range(3):
        client.post(STATUS, {"tracking_number": f"2026-AAAAAAAAA{n}", "phone": "13912345678"})
    response = client.post(
        STATUS, {"tracking_number": submitted.tracking_number, "phone": "13912345678"}
    )
    assert response.status_code == 429
    assert "已受理" not in response.content.decode()


@pytest.mark.django_db
def test_on_request_column_links_to_the_form_and_the_status_lookup(client, vocabulary):
    html = client.get("/catalogue/on-request/").content.decode()
    assert 'href="/requests/apply/"' in html
    assert 'href="/requests/status/"' in html


@pytest.mark.django_db
def test_application_form_in_traditional_script(client):
    response = client.get("/zh-hant/requests/apply/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hant-TW"' in html
    assert "政府信息公開申請" in html
    assert 'name="csrfmiddlewaretoken"' in html
