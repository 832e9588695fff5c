"""The Content-Security-Policy (portal/settings.py) breaks nothing in real Chromium: public
pages, the admin (sign-in, list, change form with its widgets, two-factor set-up) and the API
docs load without a single policy violation."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from disclosure.models import DisclosureRecord
from tests.factories import make_user

pytestmark = [pytest.mark.browser]


def violations_on(context, url: str) -> list[str]:
    page = context.new_page()
    messages: list[str] = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status < 400, url
    page.close()
    return messages


def test_public_admin_and_api_pages_load_without_csp_violations(
    browser, live_server, site_data, settings
):
    settings.STAFF_2FA_REQUIRED = True
    record = DisclosureRecord.objects.filter(status="published").first()
    root = make_user(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    anonymous, staff = browser.new_context(), browser.new_context()
    staff.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    public = ["/", record.get_absolute_url(), "/zh-hant/records/", "/search/?q=教育", "/plans/"]
    admin_pages = [
        "/admin/",
        "/admin/disclosure/disclosurerecord/",
        "/admin/disclosure/disclosurerecord/add/",
        f"/admin/disclosure/disclosurerecord/{record.pk}/change/",
        "/admin/auth/user/add/",
        "/admin/disclosure/auditentry/",
    ]
    try:
        for path in [*public, "/api/docs", "/admin/login/"]:
            assert violations_on(anonymous, live_server.url + path) == [], path
        assert violations_on(staff, live_server.url + "/admin/2fa/setup/") == []
        settings.STAFF_2FA_REQUIRED = False
        for path in admin_pages:
            assert violations_on(staff, live_server.url + path) == [], path
    finally:  # an open context keeps live-server connections alive past the server's end
        anonymous.close()
        staff.close()
