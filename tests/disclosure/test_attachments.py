import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.attachments import check_upload

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = zipped("[Content_Types].xml", "word/document.xml")
OFD = zipped("OFD.xml", "Doc_0/Document.xml")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("2020年工作计划.pdf", PDF, "application/pdf"),
        (
            "通知.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("通知.doc", OLE2, "application/msword"),
        ("表格.et", OLE2, "application/vnd.ms-excel"),
        ("公文.ofd", OFD, "application/ofd"),
        ("附件.zip", zipped("a.txt"), "application/zip"),
        ("图.PNG", PNG, "image/png"),
        ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
    ],
)
def test_allowed_formats_are_accepted_by_their_content(name, content, content_type):
    checked = check_upload(SimpleUploadedFile(name, content))
    assert checked.original_name == name and checked.content_type == content_type
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("工作总结.pdf", EXE, "Windows 可执行程序,不是 .pdf 文件"),
        ("工作总结.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 16, "Linux 可执行程序"),
        ("工作总结.pdf", PNG, "内容是PNG 图片,与扩展名不符"),
        ("工作总结.docx", zipped("a.txt"), "内容是ZIP 压缩包"),
        ("工作总结.xlsx", DOCX, "内容是Word(docx)"),
        ("工作总结.pdf", b"<html><script>alert(1)</script></html>", "无法识别的格式"),
        ("setup.exe", EXE, "不支持「.exe」文件"),
        ("说明.html", b"<html></html>", "不支持「.html」文件"),
    ],
)
def test_disguised_or_unsupported_files_are_refused_with_a_clear_message(name, content, message):
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile(name, content))
    assert message in refused.value.messages[0]


def test_files_over_the_size_limit_are_refused(settings):
    settings.DISCLOSURE_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("大.pdf", PDF + b"0" * 2000))
    assert "超过上限 1.0\xa0KB" in refused.value.messages[0]
