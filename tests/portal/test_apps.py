"""`manage.py check` reports which OpenCC backend converts the Traditional pages."""

from io import StringIO

from django.core.management import call_command

from disclosure.convert import active_backend


def test_check_reports_the_opencc_backend():
    out = StringIO()
    call_command("check", stdout=out, stderr=out)
    assert f"OpenCC backend for Traditional script: {active_backend()}" in out.getvalue()
