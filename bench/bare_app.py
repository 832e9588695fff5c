"""The reference of bench/pages.py: a bare one-view Django app on the same gunicorn settings.

    gunicorn -c deploy/gunicorn.conf.py --chdir bench bare_app:application

Minimal settings (no database, no middleware, DEBUG off); the one view returns a small HTML page
of about the size of a page's head, so its req/s is what Django and gunicorn cost by themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

PAGE = (
    '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
    "<title>政府信息公开</title></head><body><h1>政府信息公开</h1>"
    "<p>基准参照页:一个视图,不查数据库。</p></body></html>"
)


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE)


if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare-app-not-secret",  # noqa: S106 - a loopback benchmark
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )

urlpatterns = [path("", page)]
application = get_wsgi_application()
