"""Public download of a record's attachment (文件下载), only while the record is public."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from disclosure.models import Attachment
from disclosure.selectors import public_records


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = Attachment.objects.filter(pk=pk, record__in=public_records().values("pk")).first()
    if attachment is None:
        raise Http404("没有找到该附件。")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件文件不存在。") from None
    # FileResponse writes filename*=utf-8''… (RFC 5987) for the original Chinese name.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or attachment.title,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
