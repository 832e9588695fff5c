"""Site settings (portal/models.py): what the header and footer show, edited by staff."""

import pytest

from portal.models import SiteSettings
from tests.factories import make_user
from tests.portal.pages import page_text


@pytest.mark.django_db
def test_fresh_site_shows_default_header_and_footer(client):
    text = page_text(client.get("/").content.decode())
    for shown in (
        "欢迎访问无锡市教育局网站",
        "本站支持IPv6",
        "主办单位:无锡市教育局",
        "网站标识码:",
    ):
        assert shown in text
    assert "ICP备案号:" in text and "公安机关备案号:" in text and "党政机关网站标识" in text


@pytest.mark.django_db
def test_edited_settings_show_on_every_page_in_both_scripts(client):
    SiteSettings.objects.create(
        pk=1,
        site_name="宜兴市教育局",
        welcome_line="欢迎访问宜兴市教育局网站",
        supports_ipv6=False,
        host_organization="宜兴市教育局",
        contact="电话:0510-87000000",
        site_code="3202820001",
        icp_record="苏ICP备12345678号",
        police_record="苏公网安备 32028202000001号",
    )
    markup = client.get("/records/").content.decode()
    text = page_text(markup)
    assert "欢迎访问宜兴市教育局网站" in text and "本站支持IPv6" not in text
    assert "网站标识码:3202820001" in text and "苏ICP备12345678号" in text
    assert "<title>信息检索 - 宜兴市教育局</title>" in markup
    hant = page_text(client.get("/zh-hant/records/").content.decode())
    assert "歡迎訪問宜興市教育局網站" in hant


@pytest.mark.django_db
def test_admin_edits_the_one_settings_row_and_cannot_add_another(client):
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/portal/sitesettings/add/").status_code == 200
    SiteSettings.objects.create(pk=1)
    assert client.get("/admin/portal/sitesettings/add/").status_code == 403
    response = client.get("/admin/portal/sitesettings/1/change/")
    assert response.status_code == 200
    assert "网站标识码" in response.content.decode()
    assert client.get("/admin/portal/sitesettings/1/delete/").status_code == 403
