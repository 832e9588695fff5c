"""Checking uploaded attachments (文件下载) by their content, not their name.

A file is accepted only when its first bytes (and, for ZIP containers, its member names) show
one of the formats government sites publish, and its extension names that same format: an
executable renamed `.pdf` is refused. The size limit is `DISCLOSURE_ATTACHMENT_MAX_BYTES`.

Then the structure is checked (issue 13: `%PDF-` followed by HTML, and a zip holding an .exe,
were accepted): a PDF must parse (pypdf) and have pages; a ZIP container (docx, xlsx, pptx,
ofd, zip) must open, hold no executable (by extension or by its first bytes: MZ, ELF, #!,
Mach-O), no archive nested deeper than MAX_ARCHIVE_DEPTH nor one of a kind we cannot open,
and not expand past MAX_UNCOMPRESSED_BYTES or MAX_COMPRESSION_RATIO (a zip bomb).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from pypdf import PdfReader

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
EXECUTABLE_MAGICS = {
    b"MZ": "Windows 可执行程序",
    b"\x7fELF": "Linux 可执行程序",
    b"#!": "脚本",
    b"\xcf\xfa\xed\xfe": "macOS 可执行程序",
    b"\xca\xfe\xba\xbe": "macOS/Java 可执行程序",
    b"\xfe\xed\xfa\xce": "macOS 可执行程序",
    b"\xfe\xed\xfa\xcf": "macOS 可执行程序",
    b"\xce\xfa\xed\xfe": "macOS 可执行程序",
}
# Office files hold `.bin` parts (vbaProject.bin, printerSettings1.bin): judged by their bytes.
EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "dll", "sys", "cpl", "ocx",
        "jar", "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "lnk", "reg",
        "inf", "sh", "bash", "csh", "ksh", "elf", "run", "dmg", "pkg", "apk", "deb", "rpm",
        "py", "pl", "rb", "php",
    }
)  # fmt: skip
OTHER_ARCHIVE_EXTENSIONS = frozenset(
    {"rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "arj", "lzh", "lha", "zst", "iso"}
)
OTHER_ARCHIVE_MAGICS = (b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"MSCF")
MAX_ARCHIVE_DEPTH = 1  # a zip may hold zips; those may hold none
MAX_ARCHIVE_MEMBERS = 10_000
MAX_NESTED_ARCHIVE_BYTES = 50 * 1024 * 1024
#: What a container may expand to: MAX_COMPRESSION_RATIO times its size, at least
#: RATIO_CHECK_FROM (small files may compress well), at most MAX_UNCOMPRESSED_BYTES. Counted
#: while decompressing, so sizes a zip bomb declares falsely do not matter.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM = 10 * 1024 * 1024
_CHUNK = 1024 * 1024

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


class StructureError(Exception):
    """The content is not the well-formed file its type promises; the message says why."""


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
    try:
        check_structure(uploaded, family)
    except StructureError as error:
        raise ValidationError(f"文件「{name}」{error},已拒绝上传。", code="structure") from None
    finally:
        uploaded.seek(0)
    return CheckedUpload(original_name=name, size=size, content_type=content_type)


def check_structure(fileobj: IO[bytes], family: str) -> None:
    """Raise StructureError unless the content is a well-formed file of `family`."""
    fileobj.seek(0)
    if family == "pdf":
        _check_pdf(fileobj)
    elif family in ("docx", "xlsx", "pptx", "ofd", "zip"):
        try:
            archive = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise StructureError("不是完整的压缩结构(ZIP 已损坏)") from None
        size = _size_of(fileobj)
        limit = min(MAX_UNCOMPRESSED_BYTES, max(RATIO_CHECK_FROM, MAX_COMPRESSION_RATIO * size))
        with archive:
            _check_archive(archive, limit=limit, depth=0)


def _size_of(fileobj: IO[bytes]) -> int:
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


def _check_pdf(fileobj: IO[bytes]) -> None:
    try:
        reader = PdfReader(fileobj, strict=False)
        pages = len(reader.pages)
        has_root = reader.trailer.get("/Root") is not None
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on hostile input
        raise StructureError("不是有效的 PDF 文件(无法解析其结构)") from None
    if not has_root or pages < 1:
        raise StructureError("不是有效的 PDF 文件(没有页面)")


def _member_kind(name: str, head: bytes) -> str | None:
    """Why a member may not be in an archive, or None (nested zips are checked on their own)."""
    base = name.rsplit("/", 1)[-1]
    extension = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    for magic, kind in EXECUTABLE_MAGICS.items():
        if head.startswith(magic):
            return kind
    if extension in EXECUTABLE_EXTENSIONS:
        return f"可执行文件(.{extension})"
    if extension in OTHER_ARCHIVE_EXTENSIONS or head.startswith(OTHER_ARCHIVE_MAGICS):
        return "无法检查的压缩文件"
    return None


def _too_big(limit: int) -> StructureError:
    return StructureError(f"解压后超过 {filesizeformat(limit)}(解压总量或压缩比异常,疑似压缩炸弹)")


def _read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int
) -> tuple[bytes, int, bytes | None]:
    """(first bytes, size decompressed, whole content if it is a zip) within `budget` bytes."""
    with archive.open(member) as stream:
        head = stream.read(8)
        nested = [head] if head.startswith(ZIP_MAGICS) else None
        size = len(head)
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                raise _too_big(budget)
            if nested is not None:
                if size > MAX_NESTED_ARCHIVE_BYTES:
                    raise StructureError(f"中的压缩文件「{member.filename}」过大,无法检查")
                nested.append(chunk)
    if size > budget:
        raise _too_big(budget)
    return head, size, b"".join(nested) if nested is not None else None


def _check_archive(archive: zipfile.ZipFile, *, limit: int, depth: int) -> int:
    """Check every member; the bytes decompressed, at most `limit`."""
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise StructureError(f"中的文件超过 {MAX_ARCHIVE_MEMBERS} 个")
    if sum(m.file_size for m in members) > limit:
        raise _too_big(limit)
    used = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise StructureError(f"中的「{member.filename}」已加密,无法检查")
        try:
            head, size, nested = _read_member(archive, member, limit - used)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            raise StructureError(f"中的「{member.filename}」已损坏,无法检查") from None
        used += size
        kind = _member_kind(member.filename, head)
        if kind is not None:
            raise StructureError(f"中含有{kind}「{member.filename}」")
        if nested is None:
            continue
        if depth >= MAX_ARCHIVE_DEPTH:
            raise StructureError(f"中的压缩文件「{member.filename}」嵌套层数过多")
        try:
            inner = zipfile.ZipFile(io.BytesIO(nested))
        except (zipfile.BadZipFile, OSError, ValueError):
            raise StructureError(f"中的压缩文件「{member.filename}」已损坏,无法检查") from None
        with inner:
            used += _check_archive(inner, limit=limit - used, depth=depth + 1)
    return used
