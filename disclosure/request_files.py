"""Checks on the attachment an applicant uploads (e.g. a copy of an ID card).

Stands in for the workflow's `disclosure.attachments` validator until the branches meet: the
type is decided by the file's first bytes, never by its name or the browser's claim.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAGIC_NUMBERS = {
    b"%PDF-": "PDF",
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
}
ALLOWED_SUFFIXES = {"pdf", "jpg", "jpeg", "png"}


def validate_request_attachment(upload: UploadedFile) -> None:
    name = upload.name or ""
    if upload.size > settings.REQUEST_ATTACHMENT_MAX_BYTES:
        limit = settings.REQUEST_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"attachment": f"附件不能超过 {limit} MB。"})
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if suffix not in ALLOWED_SUFFIXES or not any(head.startswith(m) for m in MAGIC_NUMBERS):
        raise ValidationError({"attachment": "附件须为 PDF、JPG 或 PNG 文件。"})
