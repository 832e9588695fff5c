"""政府信息公开指南 (Article 12): every element on the public page in both scripts, edited in the
admin with its history, and staff warned when it is stale or disagrees with the site settings."""

import datetime

import pytest
from django.urls import reverse

from disclosure.roles import EDITOR, REVIEWER
from portal.guide import guide_warnings
from portal.models import InformationGuide, SiteSettings
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

#: Article 12's elements, as the page labels them.
ELEMENTS = [
    "工作机构名称", "办公地址", "办公时间", "联系电话", "传真", "机构设置", "信息分类", "编排体系",
    "获取方式", "查阅场所", "申请渠道", "补正", "第三方意见征询", "延期答复", "更新日期",
]  # fmt: skip


def make_guide(**fields) -> InformationGuide:
    values = {
        "agency_name": "某市教育局办公室",
        "address": "某市人民路1号",
        "office_hours": "工作日8:30—17:30",
        "phone": "0510-81234567",
        "fax": "0510-81234568",
        "organization_structure": "内设办公室、基础教育处。",
        "classification": "按法定主动公开内容分类。",
        "arrangement": "信息索引号由机构代码、年份和顺序号组成。",
        "access_methods": "网站、政府公报。",
        "reading_rooms": "市档案馆查阅点,工作日9:00—17:00。",
        "application_channels": "网上申请、信函申请、当面申请。",
        "correction": "一次性告知补正。",
        "third_party": "书面征求第三方意见。",
        "extension": "最长延长20个工作日。",
        "updated_on": datetime.date(2026, 3, 1),
        **fields,
    }
    return InformationGuide.objects.create(**values)


def test_guide_page_shows_every_article_12_element(client, vocabulary):
    guide = make_guide()
    page = client.get("/guide/").content.decode()
    for label in ELEMENTS:
        assert label in page, label
    for value in (guide.agency_name, guide.address, guide.phone, guide.fax, guide.reading_rooms):
        assert value in page
    assert "2026年3月1日" in page and 'datetime="2026-03-01"' in page
    # the site's own ways to obtain information, and the way to apply
    for name in ("portal:search", "portal:feed_latest", "api:openapi-view", "portal:request_form"):
        assert f'href="{reverse(name)}"' in page
    assert "<script" not in page and "style=" not in page


def test_guide_page_in_traditional_script(client, vocabulary):
    make_guide()
    page = client.get("/zh-hant/guide/")
    text = page.content.decode()
    assert page.status_code == 200 and "政府信息公開指南" in text and "辦公地址" in text
    assert 'href="/zh-hant/search/"' in text


def test_no_guide_yet_is_a_clear_not_found(client, vocabulary):
    page = client.get("/guide/")
    assert page.status_code == 404 and "政府信息公开指南尚未发布" in page.content.decode()


def test_footer_and_on_request_column_link_the_guide(client, vocabulary):
    make_guide()
    assert 'href="/guide/"' in client.get("/").content.decode()
    column = client.get(reverse("portal:category", args=["on-request"])).content.decode()
    assert 'href="/guide/#on-request"' in column


def test_warnings_when_stale_or_contact_details_disagree(settings):
    contact = "地址:某市人民路1号  电话:0510-81234567"
    today = datetime.date(2026, 12, 5)
    guide = make_guide(updated_on=datetime.date(2026, 3, 1))
    assert guide_warnings(guide=guide, contact=contact, today=today) == []
    guide.updated_on = datetime.date(2025, 12, 1)
    guide.phone = "0510 8123 9999"
    guide.address = "某市解放路2号"
    warnings = guide_warnings(guide=guide, contact=contact, today=today)
    assert len(warnings) == 3
    assert "已超过一年" in warnings[0] and "0510 8123 9999" in warnings[1]
    assert "某市解放路2号" in warnings[2]
    assert "尚未编制" in guide_warnings(guide=None, contact=contact, today=today)[0]


def test_office_edits_the_guide_in_the_admin_and_each_version_is_kept(client, vocabulary):
    SiteSettings.objects.create(pk=1, contact="地址:某市人民路1号  电话:0510-81234567")
    guide = make_guide(updated_on=datetime.date(2024, 1, 2))
    office = make_staff(REVIEWER)
    client.force_login(office)
    index = client.get("/admin/").content.decode()
    assert "已超过一年" in index  # the admin index warns at once
    url = reverse("admin:portal_informationguide_change", args=[guide.pk])
    form = client.get(url)
    assert form.status_code == 200 and "已超过一年" in form.content.decode()
    data = {
        field.name: getattr(guide, field.name)
        for field in InformationGuide._meta.fields
        if field.name not in {"id"}
    }
    data.update(phone="0510-87654321", updated_on="2026-12-01", email="")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    guide.refresh_from_db()
    assert guide.phone == "0510-87654321"
    assert guide.history.count() == 2  # created, then edited: both versions kept
    assert guide.history.earliest().phone == "0510-81234567"
    index = client.get("/admin/").content.decode()
    assert "0510-87654321" in index and "不一致" in index  # the footer still shows the old one


def test_an_editor_may_not_change_the_guide(client, vocabulary):
    guide = make_guide()
    client.force_login(make_staff(EDITOR))
    url = reverse("admin:portal_informationguide_change", args=[guide.pk])
    assert client.post(url, {"phone": "110"}).status_code == 403
    guide.refresh_from_db()
    assert guide.phone == "0510-81234567"
