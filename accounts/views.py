"""The admin's second sign-in step: set up an authenticator, verify a code, recovery codes.

Every view is behind the admin's sign-in (accounts/urls.py), so the user is a signed-in staff
member; whether they passed the second factor in this session is django-otp's `is_verified`.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.middleware import is_verified

from accounts import two_factor
from accounts.forms import SetupForm, TokenForm
from disclosure.actors import AuthenticatedHttpRequest
from disclosure.admin.workflow import client_ip


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {**admin.site.each_context(request), "next": _next_url(request), **context}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.has_authenticator(user):
        if not is_verified(user):
            return redirect(f"{reverse('accounts:verify')}?next={_next_url(request)}")
        return _page(request, "accounts/two_factor_enabled.html", {"title": "双因素认证"})
    device = two_factor.pending_authenticator(user)
    form = SetupForm(request.POST or None)
    if form.is_valid():
        codes = two_factor.confirm_authenticator(
            actor=user, device=device, token=form.cleaned_data["token"], ip=client_ip(request)
        )
        if codes is not None:
            otp_login(request, device)
            return _page(
                request,
                "accounts/recovery_codes.html",
                {"title": "双因素认证已启用", "codes": codes},
            )
        form.add_error("token", "动态口令不正确,请核对手机时间后重试。")
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return _page(
        request,
        "accounts/two_factor_setup.html",
        {
            "title": "设置双因素认证",
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "required": two_factor.requires_two_factor(user),
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not two_factor.has_authenticator(user):
        return redirect(f"{reverse('accounts:setup')}?next={_next_url(request)}")
    if is_verified(user):
        return HttpResponseRedirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if two_factor.is_throttled(user):
            form.add_error("token", "尝试过于频繁,请稍等片刻再输入。")
        else:
            device = two_factor.verify_second_factor(
                user=user, token=form.cleaned_data["token"], ip=client_ip(request)
            )
            if device is not None:
                otp_login(request, device)
                return HttpResponseRedirect(_next_url(request))
            form.add_error("token", "动态口令或恢复码不正确。")
    return _page(request, "accounts/two_factor_verify.html", {"title": "双因素认证", "form": form})


@require_http_methods(["POST"])
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New recovery codes, for a user who has passed the second factor in this session."""
    if not is_verified(request.user):
        return redirect(f"{reverse('accounts:verify')}?next={reverse('accounts:setup')}")
    codes = two_factor.regenerate_recovery_codes(actor=request.user, ip=client_ip(request))
    return _page(request, "accounts/recovery_codes.html", {"title": "新的恢复码", "codes": codes})
