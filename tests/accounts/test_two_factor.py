"""Two-factor sign-in to the admin (accounts/two_factor.py, views.py, middleware.py)."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosure.models import AuditAction, AuditEntry
from disclosure.roles import AUDITOR, EDITOR, PUBLISHER, REVIEWER
from tests.factories import make_staff, make_user

ADMIN_PAGES = ["/admin/", "/admin/disclosure/disclosurerecord/", "/admin/disclosure/auditentry/"]


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.STAFF_2FA_REQUIRED = True
    settings.STAFF_2FA_GROUPS = [PUBLISHER]


def confirmed_authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def recovery_code(user, code: str = "abcd2345") -> str:
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    StaticToken.objects.create(device=device, token=code)
    return code


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_publisher_without_an_authenticator_is_sent_to_set_one_up(client, path):
    client.force_login(make_staff(PUBLISHER))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/2fa/setup/?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "设置双因素认证" in page.content.decode() and "<svg" in page.content.decode()


@pytest.mark.django_db
def test_the_second_factor_is_asked_for_when_the_site_is_mounted_under_a_path(client):
    """Under SCRIPT_NAME (e.g. /xxgk/ behind the bureau's gateway) reverse() carries the prefix
    and path_info does not: the admin must still be guarded."""
    from django.urls import set_script_prefix

    client.force_login(make_staff(PUBLISHER))
    set_script_prefix("/xxgk/")  # as Django's WSGI handler does from SCRIPT_NAME
    try:
        response = client.get("/admin/", SCRIPT_NAME="/xxgk")
    finally:
        set_script_prefix("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/xxgk/admin/2fa/setup/?next=")


@pytest.mark.django_db
def test_an_unverified_publisher_cannot_act_in_the_admin(client):
    publisher = make_staff(PUBLISHER)
    confirmed_authenticator(publisher)
    client.force_login(publisher)
    response = client.post("/admin/auth/user/add/", {"username": "intruder"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/2fa/?next=")
    assert not type(publisher).objects.filter(username="intruder").exists()


@pytest.mark.django_db
def test_a_superuser_needs_the_second_factor_too(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", [EDITOR, REVIEWER, AUDITOR])
def test_other_roles_need_it_only_when_the_setting_names_them(client, settings, role):
    client.force_login(make_staff(role))
    assert client.get("/admin/").status_code == 200
    settings.STAFF_2FA_GROUPS = [PUBLISHER, role]
    assert client.get("/admin/").status_code == 302
    settings.STAFF_2FA_GROUPS = ["*"]
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_portal_staff_2fa_off_lets_a_publisher_in_with_the_password_alone(client, settings):
    settings.STAFF_2FA_REQUIRED = False
    client.force_login(make_staff(PUBLISHER))
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_valid_authenticator_code_lets_the_publisher_in(client):
    publisher = make_staff(PUBLISHER)
    device = confirmed_authenticator(publisher)
    client.force_login(publisher)
    response = client.post(
        "/admin/2fa/", {"token": current_token(device), "next": "/admin/disclosure/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/disclosure/"
    for path in ADMIN_PAGES[:2]:
        assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_audited(client):
    publisher = make_staff(PUBLISHER)
    device = confirmed_authenticator(publisher)
    client.force_login(publisher)
    wrong = f"{(int(current_token(device)) + 1) % 1000000:06d}"
    response = client.post("/admin/2fa/", {"token": wrong})
    assert response.status_code == 200
    assert "动态口令或恢复码不正确" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor_id == publisher.pk and failed.details["second_factor"] is True
    # The device now makes the next try wait (django-otp throttling): even the right code.
    response = client.post("/admin/2fa/", {"token": current_token(device)})
    assert "尝试过于频繁" in response.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_a_recovery_code_works_once(client):
    publisher = make_staff(PUBLISHER)
    confirmed_authenticator(publisher)
    code = recovery_code(publisher)
    client.force_login(publisher)
    assert client.post("/admin/2fa/", {"token": code.upper()}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(reason__contains="恢复码登录(剩余 0 个)").exists()
    client.post("/admin/logout/")
    client.force_login(publisher)
    response = client.post("/admin/2fa/", {"token": code})
    assert response.status_code == 200 and "不正确" in response.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_setting_up_an_authenticator_confirms_it_and_shows_recovery_codes_once(client):
    publisher = make_staff(PUBLISHER)
    client.force_login(publisher)
    client.get("/admin/2fa/setup/")
    device = TOTPDevice.objects.get(user=publisher, confirmed=False)
    page = client.get("/admin/2fa/setup/").content.decode()
    assert TOTPDevice.objects.filter(user=publisher).count() == 1  # reused, not piled up
    assert "确认并启用" in page
    response = client.post("/admin/2fa/setup/", {"token": current_token(device)})
    page = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(reason="启用双因素认证(身份验证器)").exists()
    regenerated = client.post("/admin/2fa/recovery-codes/").content.decode()
    new_codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", regenerated)
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert StaticToken.objects.filter(device__user=publisher).count() == 10


@pytest.mark.django_db
def test_a_wrong_code_does_not_confirm_the_authenticator(client):
    publisher = make_staff(PUBLISHER)
    client.force_login(publisher)
    client.get("/admin/2fa/setup/")
    device = TOTPDevice.objects.get(user=publisher)
    wrong = f"{(int(current_token(device)) + 1) % 1000000:06d}"
    response = client.post("/admin/2fa/setup/", {"token": wrong})
    assert response.status_code == 200 and "动态口令不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not StaticToken.objects.exists()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_a_stolen_password_cannot_add_a_second_authenticator(client):
    """Signed in with the password only, the set-up page sends the user to enter a code."""
    publisher = make_staff(PUBLISHER)
    confirmed_authenticator(publisher)
    client.force_login(publisher)
    response = client.get("/admin/2fa/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/2fa/?next=")
    assert client.post("/admin/2fa/recovery-codes/").status_code == 302
    assert TOTPDevice.objects.filter(user=publisher).count() == 1
    assert not StaticToken.objects.filter(device__user=publisher).exists()


@pytest.mark.django_db
def test_the_next_parameter_cannot_send_the_user_off_site(client):
    publisher = make_staff(PUBLISHER)
    device = confirmed_authenticator(publisher)
    client.force_login(publisher)
    response = client.post(
        "/admin/2fa/", {"token": current_token(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_anonymous_visitors_get_the_login_page_not_the_two_factor_pages(client):
    for path in ("/admin/2fa/", "/admin/2fa/setup/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_the_public_site_is_not_redirected_for_an_unverified_publisher(client, seed_data):
    client.force_login(make_staff(PUBLISHER))
    assert client.get("/").status_code == 200
