"""Who must pass a second factor, and the writes of setting one up and using it.

等保 2.0 asks for two factors for administrators: superusers and the roles named in
STAFF_2FA_GROUPS (发布 by default, "*" for all staff) must confirm a TOTP authenticator before
the admin lets them in. Anybody who has confirmed one is asked for it at every sign-in.
PORTAL_STAFF_2FA=0 (STAFF_2FA_REQUIRED = False) turns the requirement off, for the demo and
black-box checks only: `check --deploy` refuses it (accounts/checks.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosure.audit import record_event
from disclosure.models import AuditAction

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "身份验证器"
RECOVERY_DEVICE_NAME = "恢复码"


def requires_two_factor(user: Any) -> bool:
    """The staff member's role obliges them to use a second factor."""
    if not settings.STAFF_2FA_REQUIRED or not user.is_staff:
        return False
    groups = list(settings.STAFF_2FA_GROUPS)
    if user.is_superuser or "*" in groups:
        return True
    return bool(user.groups.filter(name__in=groups).exists())


def has_authenticator(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def must_verify(user: Any) -> bool:
    """Signed in with the password, the admin still needs the second factor from this user."""
    if not settings.STAFF_2FA_REQUIRED or not user.is_staff or user.is_verified():
        return False
    return requires_two_factor(user) or has_authenticator(user)


def pending_authenticator(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per user, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def confirm_authenticator(
    *, actor: Any, device: TOTPDevice, token: str, ip: str | None
) -> list[str] | None:
    """Confirm the authenticator with its first token; returns the new recovery codes, or None
    for a wrong token. Refused (None) once the user has a confirmed authenticator: adding a
    second one needs the first (or a superuser deleting it)."""
    if has_authenticator(actor) or not device.verify_token(token.strip()):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(actor)
        record_event(
            action=AuditAction.OTHER, actor=actor, ip=ip, reason="启用双因素认证(身份验证器)"
        )
    return codes


def regenerate_recovery_codes(*, actor: Any, ip: str | None) -> list[str]:
    """New recovery codes; the old ones stop working."""
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        record_event(action=AuditAction.OTHER, actor=actor, ip=ip, reason="重新生成双因素恢复码")
    return codes


def _new_recovery_codes(user: Any) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def verify_second_factor(*, user: Any, token: str, ip: str | None) -> Any:
    """The device that accepts the token — a 6-digit authenticator code, or a recovery code
    (used up by this) — or None. Each device throttles failures (django-otp: the wait doubles
    after each one), so codes cannot be guessed at speed; every failure is audited."""
    token = token.strip().replace(" ", "").replace("-", "").lower()
    if len(token) == 6 and token.isascii() and token.isdigit():
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        if device.verify_token(token):
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                record_event(
                    action=AuditAction.OTHER,
                    actor=user,
                    ip=ip,
                    reason=f"使用双因素恢复码登录(剩余 {left} 个)",
                )
            return device
    record_event(
        action=AuditAction.LOGIN_FAILED,
        actor=user,
        ip=ip,
        reason=f"双因素认证失败:{user.get_username()}"[:300],
        details={"username": user.get_username(), "second_factor": True},
    )
    return None


def is_throttled(user: Any) -> bool:
    """Every device of the user is waiting out its failure delay."""
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)
