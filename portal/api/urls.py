"""`/api/` URLs, each answer allowed cross-origin for GET (open data is meant to be reused)."""

from __future__ import annotations

import functools

from portal.api.views import api


def allow_cross_origin_get(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        return response

    return wrapped


patterns, app_name, namespace = api.urls
for pattern in patterns:
    pattern.callback = allow_cross_origin_get(pattern.callback)

urlpatterns = patterns
