"""Font size (字号) without JavaScript and without making pages differ between readers.

Pages are byte-for-byte the same for every reader, so any cache may keep them. The reader's
size lives in a cookie set by a plain link (this view redirects back to the page), and every
page links /prefs.css, which is answered `Cache-Control: private, no-store` with the CSS for
that cookie: the size, the marked current choice and the text screen readers announce.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from disclosure.convert import to_traditional
from portal.middleware import script_config

FONT_SIZE_COOKIE = "font_size"
# name → (label, root font size in %)
FONT_SIZES = {"default": ("默认", 100), "large": ("大", 125), "xlarge": ("特大", 150)}
ONE_YEAR = 365 * 24 * 60 * 60


def reader_font_size(request: HttpRequest) -> str:
    size = request.COOKIES.get(FONT_SIZE_COOKIE, "default")
    return size if size in FONT_SIZES else "default"


def set_font_size(request: HttpRequest) -> HttpResponse:
    size = request.GET.get("size", "")
    if size not in FONT_SIZES:
        return render(
            request, "portal/400.html", {"message": "字号只能是:默认、大、特大。"}, status=400
        )
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portal:home")
    response = HttpResponseRedirect(target.split("#")[0] + "#font-size")
    response.set_cookie(
        FONT_SIZE_COOKIE, size, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure()
    )
    response["Cache-Control"] = "private, no-store"
    return response


def prefs_css(request: HttpRequest) -> HttpResponse:
    size = reader_font_size(request)
    label, percent = FONT_SIZES[size]
    status = f"当前字号:{label}"
    current = "(当前)"
    config = script_config(request)
    if config is not None:
        status, current = to_traditional(status, config), to_traditional(current, config)
    css = (
        f"html {{ font-size: {percent}%; }}\n"
        f'.font-size a[data-size="{size}"] {{ font-weight: 700; text-decoration: none; '
        f"border-bottom: 2px solid currentColor; }}\n"
        f'.font-size a[data-size="{size}"]::after {{ content: "{current}"; }}\n'
        f'.font-size-status::after {{ content: "{status}"; }}\n'
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
