"""Public download of a record's attachment (文件下载), only while the record is public."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from disclosure.files import file_download
from disclosure.models import Attachment
from disclosure.selectors import public_records


def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = Attachment.objects.filter(pk=pk, record__in=public_records().values("pk")).first()
    if attachment is None:
        raise Http404("没有找到该附件。")
    return file_download(
        file=attachment.file,
        filename=attachment.original_name or attachment.title,
        content_type=attachment.content_type or "application/octet-stream",
    )
