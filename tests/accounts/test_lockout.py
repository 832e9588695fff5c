"""Admin login lockout (django-axes, configured in portal/settings.py) and its unlock paths."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from disclosure.models import AuditAction, AuditEntry
from tests.factories import make_user

PASSWORD = "right-pass-123"


@pytest.fixture(autouse=True)
def _lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]


def login(username: str, password: str, ip: str = "203.0.113.7", **headers) -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **headers
    )
    return client


def signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_is_refused():
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for _ in range(30):
        assert login("clerk", "wrong").response.status_code in (200, 429)
    client = login("clerk", PASSWORD)
    assert client.response.status_code == 429
    assert "登录已暂时锁定" in client.response.content.decode()
    assert not signed_in(client)
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN).count() == 0


@pytest.mark.django_db
def test_an_account_is_locked_after_the_limit_from_any_address():
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for attempt in range(4):
        assert login("clerk", "wrong", ip=f"198.51.100.{attempt}").response.status_code == 200
    assert login("clerk", "wrong", ip="198.51.100.9").response.status_code == 429
    assert login("clerk", PASSWORD, ip="192.0.2.50").response.status_code == 429


@pytest.mark.django_db
def test_an_address_is_locked_after_the_limit_over_any_accounts():
    """Password spraying: one wrong password for each of many accounts from one address."""
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for n in range(5):
        login(f"guess{n}", "wrong", ip="203.0.113.9")
    assert login("clerk", PASSWORD, ip="203.0.113.9").response.status_code == 429
    assert signed_in(login("clerk", PASSWORD, ip="192.0.2.1"))


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_reset_the_count():
    """The client address is REMOTE_ADDR (the project's one rule), never X-Forwarded-For."""
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for n in range(5):
        login(f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").count() == 5
    assert login("other", "wrong", HTTP_X_FORWARDED_FOR="10.9.9.9").response.status_code == 429


@pytest.mark.django_db
def test_behind_the_trusted_proxy_one_attacker_does_not_lock_everybody_out(settings):
    """Behind deploy/'s nginx every request comes from 127.0.0.1: the lockout must count the
    forwarded client, or five wrong passwords from anyone would close the admin to all."""
    settings.TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for n in range(5):
        login(f"guess{n}", "wrong", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.66").count() == 5
    locked = login("clerk", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert locked.response.status_code == 429
    assert signed_in(login("clerk", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.8"))


@pytest.mark.django_db
def test_below_the_limit_the_right_password_still_works():
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for _ in range(4):
        login("clerk", "wrong")
    assert signed_in(login("clerk", PASSWORD))


@pytest.mark.django_db
def test_a_superuser_unlocks_with_the_command():
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for n in range(5):
        login("clerk", "wrong", ip=f"198.51.100.{n}")
    assert login("clerk", PASSWORD, ip="192.0.2.1").response.status_code == 429
    call_command("axes_reset_username", "clerk")
    assert signed_in(login("clerk", PASSWORD, ip="192.0.2.1"))


@pytest.mark.django_db
def test_a_superuser_unlocks_in_the_admin_and_other_staff_cannot(settings):
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for _ in range(5):
        login("clerk", "wrong")
    attempt = AccessAttempt.objects.get(username="clerk")
    reviewer = Client()
    reviewer.force_login(make_user(is_staff=True))
    assert reviewer.get("/admin/axes/accessattempt/").status_code == 403
    root = Client()
    root.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    listing = root.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "clerk" in listing.content.decode()
    deleted = root.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert signed_in(login("clerk", PASSWORD))


@pytest.mark.django_db
def test_the_combination_setting_locks_only_that_account_from_that_address(settings):
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    make_user(username="clerk", password=PASSWORD, is_staff=True)
    for _ in range(5):
        login("clerk", "wrong", ip="203.0.113.9")
    assert login("clerk", PASSWORD, ip="203.0.113.9").response.status_code == 429
    assert signed_in(login("clerk", PASSWORD, ip="192.0.2.1"))
