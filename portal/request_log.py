"""Request ids and the request log: one line per request, JSON lines when LOG_FORMAT=json.

Every request gets an id: the trusted proxy's `X-Request-ID` (nginx sets it to `$request_id`
and logs the same id, see deploy/nginx/portal.conf) when TRUST_PROXY_REQUEST_ID is on, else a
new one. The id is echoed in the response's `X-Request-ID` and added to every log record made
while the request runs, with the path (never the query string), the view, the record id from
the URL and the user id. Personal data stays out of the logs: no form values, no query
strings, and an exception is logged by its type and stack frames, never its message (a
database error quotes the row it refused, with the applicant's phone or ID number).
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import time
import traceback
import uuid
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

logger = logging.getLogger("portal.requests")

REQUEST_ID_HEADER = "X-Request-ID"
#: An id from the proxy is taken only in this form, so it cannot forge or break a log line.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: URL keywords that name the record (or other object) a request is about.
OBJECT_ID_KWARGS = ("pk", "object_id", "record_id", "request_id", "job_id", "report_id")

_current: ContextVar[HttpRequest | None] = ContextVar("portal_current_request", default=None)

CONTEXT_FIELDS = (
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "view",
    "object_id",
    "user_id",
)


def request_id_for(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if getattr(settings, "TRUST_PROXY_REQUEST_ID", False) and VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Outermost middleware: sets the id, times the request, logs one line when it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_for(request)  # type: ignore[attr-defined]
        token = _current.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _current.reset(token)


def _user_id(request: HttpRequest, *, load: bool) -> int | None:
    """The user's id; the session is read for it only when `load` (an error), so the request
    log adds no query to a page that did not look at the user."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    if not load and getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


def request_context(request: HttpRequest, *, load_user: bool = False) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    object_id = next((str(kwargs[k]) for k in OBJECT_ID_KWARGS if k in kwargs), None)
    return {
        "request_id": getattr(request, "request_id", None),
        "method": request.method,
        "path": request.path,
        "view": match.view_name if match else None,
        "object_id": object_id,
        "user_id": _user_id(request, load=load_user),
    }


class RequestContextFilter(logging.Filter):
    """Adds the current request's context to each record (only fields not already set)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current.get()
        if request is not None:
            context = request_context(request, load_user=record.levelno >= logging.ERROR)
            for key, value in context.items():
                if getattr(record, key, None) is None:
                    setattr(record, key, value)
        return True


def describe_exception(exc_info: Any) -> dict[str, Any]:
    """The exception's type and frames (file, line, function): where it failed, never what the
    message says."""
    exc_type, exc, tb = exc_info
    frames = traceback.extract_tb(tb)
    return {
        "exc_type": f"{exc_type.__module__}.{exc_type.__qualname__}",
        "stack": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames],
    }


class LogFormatter(logging.Formatter):
    """One line per record: JSON (as_json) for a log collector, or readable text."""

    def __init__(self, as_json: bool = False) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry.update(describe_exception(record.exc_info))
        if self.as_json:
            return json.dumps(entry, ensure_ascii=False, default=str)
        head = f"{entry.pop('time')} {entry.pop('level')} {entry.pop('logger')}: "
        head += entry.pop("message")
        stack = entry.pop("stack", [])
        extras = " ".join(f"{key}={value}" for key, value in entry.items())
        return "\n  ".join([f"{head} [{extras}]" if extras else head, *stack])
