import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.attachments import check_upload
from tests.factories import make_zip, tiny_pdf

PDF = tiny_pdf()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def zipped(*names: str) -> bytes:
    return make_zip(dict.fromkeys(names, b"<x/>"))


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


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile(name, content))
    return refused.value.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>",
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        PDF[: len(PDF) // 2],
    ],
)
def test_a_pdf_that_does_not_parse_is_refused(content):
    assert refusal("通知.pdf", content).startswith("文件「通知.pdf」不是有效的 PDF 文件")


@pytest.mark.parametrize(
    ("member", "content", "shown"),
    [
        ("setup.exe", b"just text", "可执行文件(.exe)「setup.exe」"),
        ("说明.txt", EXE, "Windows 可执行程序「说明.txt」"),
        ("tool", b"\x7fELF\x02\x01\x01" + b"\x00" * 16, "Linux 可执行程序「tool」"),
        ("install", b"#!/bin/sh\nrm -rf ~\n", "脚本「install」"),
        ("app", b"\xcf\xfa\xed\xfe" + b"\x00" * 16, "macOS 可执行程序「app」"),
        ("dir/run.BAT", b"echo", "可执行文件(.bat)「dir/run.BAT」"),
        ("资料.rar", b"Rar!\x1a\x07\x00", "无法检查的压缩文件「资料.rar」"),
    ],
)
def test_an_archive_holding_an_executable_is_refused(member, content, shown):
    message = refusal("附件.zip", make_zip({"readme.txt": b"ok", member: content}))
    assert message == f"文件「附件.zip」中含有{shown},已拒绝上传。"


def test_an_office_file_holding_an_executable_is_refused():
    docx = make_zip(
        {"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>", "word/a.exe": EXE}
    )
    assert "中含有Windows 可执行程序「word/a.exe」" in refusal("通知.docx", docx)


def test_an_office_file_with_its_usual_binary_parts_is_accepted():
    docx = make_zip(
        {
            "[Content_Types].xml": b"<x/>",
            "word/document.xml": b"<x/>",
            "word/vbaProject.bin": OLE2,
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": zipped(
                "[Content_Types].xml", "xl/workbook.xml"
            ),
        }
    )
    assert check_upload(SimpleUploadedFile("通知.docx", docx)).size == len(docx)


def test_one_level_of_nested_zips_is_checked_and_accepted():
    inner = make_zip({"表.csv": b"a,b\n"})
    outer = make_zip({"inner.zip": inner})
    assert check_upload(SimpleUploadedFile("附件.zip", outer)).size == len(outer)
    hidden = make_zip({"inner.zip": make_zip({"setup.exe": EXE})})
    assert "中含有Windows 可执行程序「setup.exe」" in refusal("附件.zip", hidden)


def test_archives_nested_deeper_are_refused():
    deep = make_zip({"a.zip": make_zip({"b.zip": make_zip({"表.csv": b"a,b\n"})})})
    assert (
        refusal("附件.zip", deep)
        == "文件「附件.zip」中的压缩文件「b.zip」嵌套层数过多,已拒绝上传。"
    )


def test_a_zip_bomb_is_refused_by_its_expansion():
    bomb = make_zip({"zeros.txt": b"\x00" * (12 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    message = refusal("附件.zip", bomb)
    assert "解压后超过 10.0\xa0MB" in message and "疑似压缩炸弹" in message


def test_a_zip_bomb_inside_a_zip_is_refused():
    bomb = make_zip({"inner.zip": make_zip({"zeros.txt": b"\x00" * (12 * 1024 * 1024)})})
    assert "疑似压缩炸弹" in refusal("附件.zip", bomb)


def test_a_damaged_zip_is_refused():
    damaged = zipped("[Content_Types].xml", "word/document.xml")[:-30]
    assert "已拒绝上传" in refusal("通知.docx", damaged)


def test_the_upload_is_rewound_for_saving():
    upload = SimpleUploadedFile("通知.pdf", PDF)
    check_upload(upload)
    assert upload.read() == PDF
