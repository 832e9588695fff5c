"""The application form as real 政府信息公开申请表 have it (issue 19, item 4):
portal/views/requests.py and templates/portal/requests/form.html."""

import pytest
from django.urls import reverse

from applications.models import InformationRequest
from tests.factories import applicant_fields, make_organization

pytestmark = pytest.mark.django_db
FORM = reverse("portal:request_form")


def post_data(organization, **fields):
    data = applicant_fields(**fields)
    data.update({"organization": organization.pk, "medium": "paper", "delivery": "on_site"})
    return data


def _options(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start : html.index("</select>", start)]


def test_only_agencies_are_offered_and_accepted_as_the_receiving_authority(client):
    bureau = make_organization(name="无锡市教育局")
    office = make_organization(name="无锡市教育局人事处", parent=bureau, accepts_requests=False)
    html = client.get(FORM).content.decode()
    assert "无锡市教育局" in _options(html, "organization")
    assert "人事处" not in _options(html, "organization")
    response = client.post(FORM, post_data(office))
    assert response.status_code == 400 and not InformationRequest.objects.exists()


@pytest.mark.parametrize("phone", ["+852 9123 4567", "+853 6612 3456", "+886 912 345 678"])
def test_a_hong_kong_macao_or_taiwan_phone_is_accepted_and_finds_the_request(client, phone):
    response = client.post(FORM, post_data(make_organization(), phone=phone))
    assert response.status_code == 302, response.content.decode()[:3000]
    submitted = InformationRequest.objects.get()
    assert submitted.phone == phone
    status = client.post(
        reverse("portal:request_status"),
        {"tracking_number": submitted.tracking_number, "phone": phone.replace(" ", "")},
    )
    assert submitted.get_state_display() in status.content.decode()


def test_citizen_fields_use_and_article_40_delivery_are_saved(client):
    data = post_data(
        make_organization(),
        work_unit="无锡市某中学",
        fax="0510-81234567",
        purpose="学术研究",
    )
    response = client.post(FORM, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    submitted = InformationRequest.objects.get()
    assert submitted.work_unit == "无锡市某中学" and submitted.fax == "0510-81234567"
    assert submitted.purpose == "学术研究"
    assert submitted.get_medium_display() == "纸质"
    assert submitted.get_delivery_display() == "当场查阅、抄录"


def test_an_organization_gives_its_legal_representative_and_contact_separately(client):
    data = post_data(
        make_organization(),
        applicant_type="organization",
        applicant_name="无锡某科技有限公司",
        id_type="",
        id_number="",
        organization_kind="business",
        organization_code="91350100M000100Y43",
        legal_representative="王五",
        contact_person="赵六",
        contact_phone="+852 9123 4567",
    )
    response = client.post(FORM, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    submitted = InformationRequest.objects.get()
    assert submitted.legal_representative == "王五" and submitted.contact_person == "赵六"
    assert submitted.contact_phone == "+852 9123 4567"


def test_a_wrong_contact_phone_is_refused_and_nothing_saved(client):
    response = client.post(FORM, post_data(make_organization(), fax="12"))
    assert response.status_code == 400
    assert "号码格式不正确" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_email_is_a_way_of_delivery_not_a_medium(client):
    html = client.get(FORM).content.decode()
    medium = html[html.index("信息的载体形式") : html.index("获取信息的方式")]
    assert "电子邮件" not in medium and "电子文档" in medium and "纸质" in medium
    delivery = html[html.index("获取信息的方式") :]
    for label in ("邮寄", "电子邮件", "传真", "自行领取", "当场查阅、抄录"):
        assert label in delivery


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["申请须知", "一事一申请", "信访", "延长", "补正", "工作单位", "所需信息的用途"]),
        ("/zh-hant", ["申請須知", "一事一申請", "信訪", "延長", "補正", "工作單位"]),
    ],
)
def test_the_form_shows_the_applicants_notice_in_both_scripts(client, prefix, words):
    html = client.get(prefix + "/requests/apply/").content.decode()
    for word in words:
        assert word in html, word
