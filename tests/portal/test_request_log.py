import io
import json
import logging

import pytest
from django.test import Client
from django.urls import path

from portal.request_log import LogFormatter, RequestContextFilter
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def failing_view(request, pk):
    """An error whose message carries personal data, as a database error quoting a row does."""
    raise ValueError("duplicate key (phone)=(13800138000) name=张三 id=11010519491231002X")


urlpatterns = [path("records/<int:pk>/fail/", failing_view, name="failing")]


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(LogFormatter(as_json=True))
    loggers = [logging.getLogger(name) for name in ("portal.requests", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_response_carries_a_generated_request_id():
    first = Client().get("/healthz")["X-Request-ID"]
    second = Client().get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_request_id_from_outside_is_ignored_unless_the_proxy_is_trusted(settings):
    settings.TRUST_PROXY_REQUEST_ID = False
    sent = "abcdef0123456789abcdef0123456789"
    assert Client().get("/healthz", headers={"X-Request-ID": sent})["X-Request-ID"] != sent
    settings.TRUST_PROXY_REQUEST_ID = True
    assert Client().get("/healthz", headers={"X-Request-ID": sent})["X-Request-ID"] == sent
    forged = "abc\r\ninjected log line"
    assert Client().get("/healthz", headers={"X-Request-ID": forged})["X-Request-ID"] != forged


def test_request_log_is_one_json_line_per_request_with_its_id(json_log):
    response = Client().get("/healthz?phone=13800138000")
    (entry,) = lines(json_log)
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["method"] == "GET" and entry["path"] == "/healthz"
    assert entry["status"] == 200 and entry["duration_ms"] >= 0
    assert entry["view"] == "healthz"
    assert "13800138000" not in json_log.getvalue()  # no query strings in the log


def test_error_log_names_path_record_and_user_but_no_personal_data(json_log, settings):
    settings.ROOT_URLCONF = __name__
    user = make_user(username="clerk")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get("/records/42/fail/")
    assert response.status_code == 500
    error = next(e for e in lines(json_log) if e["level"] == "ERROR")
    assert error["request_id"] == response["X-Request-ID"]
    assert error["path"] == "/records/42/fail/"
    assert error["object_id"] == "42" and error["user_id"] == user.pk
    assert error["exc_type"] == "builtins.ValueError"
    assert any("failing_view" in frame for frame in error["stack"])
    text = json_log.getvalue()
    for personal in ("13800138000", "张三", "11010519491231002X", "clerk"):
        assert personal not in text


def test_text_format_also_leaves_the_exception_message_out(settings):
    settings.ROOT_URLCONF = __name__
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(LogFormatter(as_json=False))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client(raise_request_exception=False).get("/records/7/fail/")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "builtins.ValueError" in text and f"request_id={response['X-Request-ID']}" in text
    assert "object_id=7" in text and "13800138000" not in text
