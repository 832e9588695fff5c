"""A test client whose requests go through the WSGI front of the page cache first
(portal/page_cache_front.py), as gunicorn runs `portal.wsgi:application`; what the front does
not answer goes on to Django's test handler, as in production it goes on to Django's."""

from __future__ import annotations

import time
from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test import Client

from portal.page_cache_front import page_cache_front
from portal.page_cache_local import DEAD_AFTER, LocalPages, local_pages

DJANGO_RESPONSE = "tests.django_response"


class FrontClient(Client):
    """`response.served_by_front` tells whether Django's handler ran for a response."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        django_handler = self.handler

        def django_application(environ, start_response):
            environ[DJANGO_RESPONSE] = django_handler(environ)
            start_response("200 OK", [])
            return []

        front = page_cache_front(django_application)

        def handle(environ: dict[str, Any]) -> HttpResponse:
            sent: dict[str, Any] = {}

            def start_response(status: str, headers: list[tuple[str, str]]) -> None:
                sent.update(status=status, headers=headers)

            body = b"".join(front(environ, start_response))
            if DJANGO_RESPONSE in environ:
                response = environ.pop(DJANGO_RESPONSE)
                response.served_by_front = False
                return response
            response = HttpResponse(body, status=int(sent["status"].split()[0]))
            for name, value in sent["headers"]:
                response.headers[name] = value
            response.wsgi_request = WSGIRequest(environ)
            response.served_by_front = True
            return response

        self.handler = handle


def client_of(kind: str) -> Client:
    """The `client` fixture of the page-cache tests, each test run with both: "django" (the
    middleware answers) and "front" (gunicorn's path: the front answers hits before Django,
    from this worker's own copy once its subscription is live, with Redis)."""
    if kind != "front":
        return Client()
    wait_for_local_copy()
    return FrontClient()


def wait_for_local_copy(seconds: float = 5.0) -> LocalPages | None:
    """This process's copy of the pages, once its subscription is live (None without Redis)."""
    local = local_pages()
    deadline = time.monotonic() + seconds
    while local is not None and not local.live:
        assert time.monotonic() < deadline, "the page cache subscription never came up"
        time.sleep(0.01)
    return local


def wait_for_local_copy_to_pause(seconds: float = DEAD_AFTER + 2) -> None:
    """After Redis stops, until this process's copy has noticed and stopped serving: pages it
    holds are served until its listening thread hears of the lost connection (at most
    `DEAD_AFTER`, usually at once: redis-server closes its clients on the way out)."""
    local = local_pages()
    deadline = time.monotonic() + seconds
    while local is not None and local.live:
        assert time.monotonic() < deadline, "the copy went on serving with Redis stopped"
        time.sleep(0.01)
