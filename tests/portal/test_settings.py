"""portal/settings.py as `./scripts/demo` and an installed wheel run it: DEBUG off."""

import pytest
from django.conf import settings


def test_settings_find_project_files_in_the_checkout():
    assert (settings.PROJECT_FILES_DIR / "templates" / "base.html").is_file()
    assert not settings.INSTALLED_FROM_WHEEL
    assert settings.VAR_DIR.is_absolute()


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(client):
    assert settings.DEBUG is False
    response = client.get("/static/portal/site.css")
    assert response.status_code == 200
    assert b"font-size" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_not_found_is_the_portals_own_chinese_page_with_debug_off(client):
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-Hans">' in html and "页面不存在" in html
    assert "Django" not in html and "URLconf" not in html
