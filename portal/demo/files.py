"""Attachments for the demo's records: small real PDF and DOCX files, made here (no binary
files in the repository), checked like an upload in the admin."""

from __future__ import annotations

import io
import random
import zipfile

from django.core.files.base import ContentFile

from disclosure.attachments import check_upload
from disclosure.generator import SENTENCES
from disclosure.models import Attachment, DisclosureRecord


def sample_pdf(title: str) -> bytes:
    """A one-page PDF (Latin text: the base-14 fonts hold no Chinese), built by hand."""
    text = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 770 Td (Wuxi Education Bureau - {text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def sample_docx(title: str, paragraphs: list[str]) -> bytes:
    """A minimal Word document (WordprocessingML in a zip), Chinese text included."""
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in [title, *paragraphs])
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), xml.encode("utf-8"))
    return buffer.getvalue()


def attach_files(rng: random.Random, record: DisclosureRecord) -> int:
    """One or two attachments, checked by the same content check as an upload in the admin."""
    files = [(f"{record.title}.pdf", sample_pdf(f"record {record.pk}"))]
    if rng.random() < 0.5:
        paragraphs = [p for p in SENTENCES if p[:2] in record.body][:3]
        files.append((f"{record.title}(附件).docx", sample_docx(record.title, paragraphs)))
    for position, (name, content) in enumerate(files):
        upload = ContentFile(content, name=name)
        checked = check_upload(upload)
        Attachment.objects.create(
            record=record,
            title=name.rsplit(".", 1)[0],
            file=upload,
            original_name=checked.original_name,
            size=checked.size,
            content_type=checked.content_type,
            position=position,
        )
    return len(files)
