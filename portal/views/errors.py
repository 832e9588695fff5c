"""400 and 404 pages in the reader's script (the middleware converts them like any page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's own 400s (bad Host header, …) carry internals: show a neutral message."""
    return render(request, "portal/400.html", {"message": "请求的参数有误。"}, status=400)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = ""
    if exception and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    return render(request, "portal/404.html", {"message": message}, status=404)
