"""Checks on the attachment an applicant uploads (e.g. a copy of an ID card).

The same content check as record attachments (disclosure.attachments): the type is decided by
the file's first bytes, never by its name or the browser's claim; only PDF and images, and a
smaller size limit (REQUEST_ATTACHMENT_MAX_BYTES).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from disclosure.attachments import CheckedUpload, check_upload

REQUEST_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")


def validate_request_attachment(upload: UploadedFile[bytes]) -> CheckedUpload:
    try:
        return check_upload(
            upload,
            extensions=REQUEST_EXTENSIONS,
            max_bytes=settings.REQUEST_ATTACHMENT_MAX_BYTES,
        )
    except ValidationError as exc:
        raise ValidationError({"attachment": f"附件(限 PDF、JPG、PNG):{exc.messages[0]}"}) from exc
