"""Sending a stored file to whoever the view has already allowed to have it.

On one server the file is on the local disk and the application streams it. With the uploads in
an S3-compatible bucket (settings.S3_BUCKET, several servers), the objects are private and the
application, after its own checks (a public record, a permission, the audit entry), answers
with a redirect to a signed URL that is valid for S3_URL_SECONDS and names the download's file
name and type: the bytes then come from the bucket, never through a URL anyone could keep.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseBase, HttpResponseRedirect
from django.utils.http import content_disposition_header


def signs_urls(file: FieldFile) -> bool:
    """True when the file's storage hands out signed URLs (the S3 storage)."""
    return bool(getattr(file.storage, "querystring_auth", False))


def file_download(*, file: FieldFile, filename: str, content_type: str) -> HttpResponseBase:
    """The download of `file` as `filename`; Http404 when the stored file is gone."""
    if signs_urls(file):
        url = file.storage.url(  # type: ignore[call-arg]
            file.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
            },
            expire=settings.S3_URL_SECONDS,
        )
        redirect = HttpResponseRedirect(url)
        redirect["Cache-Control"] = "no-store"  # the signature is short-lived and personal
        return redirect
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("文件不存在。") from None
    # FileResponse writes filename*=utf-8''… (RFC 5987) for the original Chinese name.
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
