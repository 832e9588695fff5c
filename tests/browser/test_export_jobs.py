"""The admin's export pages in real Chromium: axe-core finds nothing serious in their content.

Only `#content-main` is checked: the header and breadcrumbs are Django admin's own (its
breadcrumb links fail axe's link-in-text-block on every admin page, ours or not).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.test import Client

from exchange.export_jobs import request_export, run_export_job
from exchange.models import ExportJob, ExportJobStatus
from tests.browser.test_public_site import BLOCKING
from tests.factories import make_published_record, make_user

pytestmark = [pytest.mark.browser]
PAGE = "/admin/disclosure/recorddataexchange/"


def content_violations(page) -> list[str]:
    results = Axe().run(page, context="#content-main")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context.new_page()


def test_export_page_and_job_pages_have_no_serious_accessibility_violation(
    browser, live_server, transactional_db, settings
):
    settings.EXPORT_JOBS_IN_PROCESS = False
    make_published_record(title="可访问性检查")
    user = make_user(username="auditor", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["export_records", "export_audit_log"])
    )
    done = run_export_job(job=request_export(user=user, what="records", fmt="csv"))
    running = request_export(user=user, what="audit_log", fmt="xlsx")
    ExportJob.objects.filter(pk=running.pk).update(
        status=ExportJobStatus.RUNNING,
        started_at=running.created_at,
        heartbeat_at=running.created_at,
        rows_total=10,
        rows_done=4,
    )
    page = signed_in(browser, live_server, user)
    try:
        # the running page refreshes itself (axe's meta-refresh rule); checked with it turned off
        for path in (PAGE, f"{PAGE}jobs/{done.pk}/", f"{PAGE}jobs/{running.pk}/?refresh=off"):
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert content_violations(page) == [], path
        assert page.locator("progress#export-progress").get_attribute("value") == "4"
        assert "已导出 4 / 10 行 (40%)" in page.inner_text("#content-main")
        # no request of the admin's many static files may outlive the test (and its database)
        page.wait_for_load_state("networkidle")
    finally:
        page.context.close()
