"""Checking uploaded attachments (文件下载) by their content, not their name.

A file is accepted only when its first bytes (and, for ZIP containers, its member names) show
one of the formats government sites publish, and its extension names that same format: an
executable renamed `.pdf` is refused. The size limit is `DISCLOSURE_ATTACHMENT_MAX_BYTES`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
EXECUTABLE_MAGICS = {
    b"MZ": "Windows 可执行程序",
    b"\x7fELF": "Linux 可执行程序",
    b"#!": "脚本",
    b"\xcf\xfa\xed\xfe": "macOS 可执行程序",
    b"\xca\xfe\xba\xbe": "macOS/Java 可执行程序",
}

#: extension → (format family detected from the content, MIME type to store)
ALLOWED_EXTENSIONS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "ofd": ("ofd", "application/ofd"),
    "doc": ("ole2", "application/msword"),
    "wps": ("ole2", "application/vnd.ms-works"),
    "xls": ("ole2", "application/vnd.ms-excel"),
    "et": ("ole2", "application/vnd.ms-excel"),
    "ppt": ("ole2", "application/vnd.ms-powerpoint"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "zip": ("zip", "application/zip"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "png": ("png", "image/png"),
}
FAMILY_NAMES = {
    "pdf": "PDF",
    "ofd": "OFD",
    "ole2": "Office 97-2003/WPS",
    "docx": "Word(docx)",
    "xlsx": "Excel(xlsx)",
    "pptx": "PowerPoint(pptx)",
    "zip": "ZIP 压缩包",
    "jpeg": "JPEG 图片",
    "png": "PNG 图片",
}


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    size: int
    content_type: str


def detect_family(fileobj: IO[bytes]) -> str | None:
    """The format family the content shows, or None when it is none we accept."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(OLE2):
        return "ole2"
    if head.startswith(ZIP_MAGICS):
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            fileobj.seek(0)
        if "OFD.xml" in names:
            return "ofd"
        if "[Content_Types].xml" in names:
            for prefix, family in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                if any(n.startswith(prefix) for n in names):
                    return family
        return "zip"
    return None


def check_upload(
    uploaded,
    *,
    extensions: Collection[str] | None = None,
    max_bytes: int | None = None,
) -> CheckedUpload:
    """Validate an uploaded file; ValidationError with a message the uploader can act on.

    Record attachments accept every type in ALLOWED_EXTENSIONS up to
    DISCLOSURE_ATTACHMENT_MAX_BYTES; other uploads (an applicant's ID copy) narrow both.
    """
    name = (getattr(uploaded, "name", "") or "").rsplit("/", 1)[-1]
    size = uploaded.size
    limit = settings.DISCLOSURE_ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
    allowed_extensions = {e: ALLOWED_EXTENSIONS[e] for e in (extensions or ALLOWED_EXTENSIONS)}
    if size > limit:
        raise ValidationError(
            f"文件「{name}」大小为 {filesizeformat(size)},超过上限 {filesizeformat(limit)}。",
            code="too_large",
        )
    if size == 0:
        raise ValidationError(f"文件「{name}」是空文件。", code="empty")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed_extensions:
        allowed = "、".join(sorted({e for e in allowed_extensions if e != "jpeg"}))
        raise ValidationError(
            f"不支持「.{extension or '无扩展名'}」文件,允许的类型:{allowed}。", code="extension"
        )
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    for magic, kind in EXECUTABLE_MAGICS.items():
        if head.startswith(magic):
            raise ValidationError(
                f"文件「{name}」的内容是{kind},不是 .{extension} 文件,已拒绝上传。",
                code="executable",
            )
    expected, content_type = allowed_extensions[extension]
    family = detect_family(uploaded)
    if family != expected:
        shown = FAMILY_NAMES.get(family, "无法识别的格式") if family else "无法识别的格式"
        raise ValidationError(
            f"文件「{name}」的扩展名为 .{extension},但内容是{shown},与扩展名不符,已拒绝上传。",
            code="mismatch",
        )
    return CheckedUpload(original_name=name, size=size, content_type=content_type)
