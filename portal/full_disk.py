"""A full disk while saving an upload: a clear answer, and nothing half-saved.

The services save an upload inside the transaction that creates its row, so an `OSError`
(ENOSPC, EDQUOT) from the storage rolls the row back; the storage deletes the part of the file
it managed to write; and the middleware answers 503 with a message the person can act on
instead of a bare 500.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger("portal.storage")

FULL_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
FULL_DISK_MESSAGE = (
    "服务器存储空间不足,文件未能保存,所填内容也未提交。请稍后再试,或联系网站管理员。"
)


def is_full_disk(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in FULL_DISK_ERRNOS


class CleaningFileSystemStorage(FileSystemStorage):
    """Removes a file it could not finish writing because the disk is full.

    `Storage.save` chose `name` as a free name just before, so what is there is our partial
    file."""

    def _save(self, name: str, content: Any) -> str:
        try:
            return super()._save(name, content)  # type: ignore[misc]
        except OSError as error:
            if is_full_disk(error):
                try:
                    self.delete(name)
                except OSError:
                    logger.exception("could not remove a partial upload")
            raise


class FullDiskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_full_disk(exception):
            return None
        logger.error("disk full while handling an upload", exc_info=exception)
        response = render(
            request, "portal/503_storage.html", {"message": FULL_DISK_MESSAGE}, status=503
        )
        response["Retry-After"] = "600"
        return response
