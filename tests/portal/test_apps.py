"""The OpenCC backend check: reported by `check --deploy`, never as an "issue" at every start."""

from io import StringIO

from django.core.management import call_command

from disclosure.convert import active_backend


def test_check_reports_the_opencc_backend_in_the_deploy_checklist():
    out = StringIO()
    call_command("check", "--deploy", "--tag", "opencc", stdout=out, stderr=out)
    assert f"OpenCC backend for Traditional script: {active_backend()}" in out.getvalue()


def test_plain_check_and_server_start_print_no_issue_for_the_backend():
    """runserver runs these checks: an info message made it print "identified some issues"."""
    out = StringIO()
    call_command("check", stdout=out, stderr=out)
    assert "System check identified no issues" in out.getvalue()
    assert "some issues" not in out.getvalue()
