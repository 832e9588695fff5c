"""Small factory functions: each test states what it depends on."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from disclosure.choices import RecordStatus
from disclosure.models import Category, DisclosureRecord, Genre, Organization, Topic
from disclosure.services.records import create_record

_counter = itertools.count(1)


def make_organization(**fields: Any) -> Organization:
    n = next(_counter)
    fields.setdefault("name", f"测试机构{n}")
    fields.setdefault("code", f"{n:09d}" if "parent" not in fields else "")
    return Organization.objects.create(**fields)


def make_category(**fields: Any) -> Category:
    n = next(_counter)
    fields.setdefault("name", f"测试栏目{n}")
    fields.setdefault("slug", f"test-category-{n}")
    return Category.objects.create(**fields)


def make_topic(**fields: Any) -> Topic:
    fields.setdefault("name", f"测试主题{next(_counter)}")
    return Topic.objects.create(**fields)


def make_genre(**fields: Any) -> Genre:
    fields.setdefault("name", f"测试体裁{next(_counter)}")
    return Genre.objects.create(**fields)


def make_user(**fields: Any):
    fields.setdefault("username", f"user{next(_counter)}")
    password = fields.pop("password", "test-pass-123")
    user = get_user_model().objects.create_user(password=password, **fields)
    return user


def make_record(*, keywords: tuple[str, ...] = (), **fields: Any) -> DisclosureRecord:
    """A draft record (or any status given) that passes validation."""
    status = fields.pop("status", RecordStatus.DRAFT)
    published_at = fields.pop("published_at", None)
    fields.setdefault("title", f"测试公开信息{next(_counter)}")
    if "organization" not in fields:
        fields["organization"] = make_organization()
    if "category" not in fields:
        fields["category"] = make_category()
    fields.setdefault("issued_on", datetime.date(2020, 7, 28))
    record = create_record(keywords=keywords, **fields)
    if status != RecordStatus.DRAFT or published_at:
        if status in (RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN) and published_at is None:
            published_at = timezone.now() - datetime.timedelta(minutes=1)
        DisclosureRecord.objects.filter(pk=record.pk).update(
            status=status,
            published_at=published_at,
            publication_date=record.publication_date or record.issued_on,
        )
        record.refresh_from_db()
    return record


def tiny_pdf(padding: int = 0) -> bytes:
    """A real one-page PDF (uploads are parsed, disclosure.attachments); `padding` random bytes
    ride in it as an embedded file, for tests that need a large upload."""
    import io
    import os

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if padding:
        writer.add_attachment("scan.bin", os.urandom(padding))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    """A ZIP archive holding `members` (name → content), deflated."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def make_published_record(**fields: Any) -> DisclosureRecord:
    return make_record(status=RecordStatus.PUBLISHED, **fields)


def applicant_fields(**fields: Any) -> dict[str, Any]:
    """A citizen's application that passes validation (a valid resident ID and mobile number)."""
    from applications.models import ApplicantType, IdType

    values: dict[str, Any] = {
        "applicant_type": ApplicantType.CITIZEN,
        "applicant_name": "张三",
        "id_type": IdType.RESIDENT_ID,
        "id_number": "11010519491231002X",
        "phone": "13912345678",
        "email": "zhangsan@example.com",
        "address": "江苏省无锡市梁溪区解放南路1号",
        "description": "2020年全市中小学校舍安全检查结果",
    }
    values.update(fields)
    return values


def make_request_handler(**fields: Any):
    """A clerk who handles requests (add/change them) for every organization: the services
    check the actor's permission and scope (issue 17), tests about the steps use this one."""
    from django.contrib.auth.models import Permission

    user = make_user(**fields)
    for codename in (
        "add_informationrequest",
        "change_informationrequest",
        "view_informationrequest",
        "access_all_organizations",
    ):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def make_request(
    *,
    organization: Organization | None = None,
    received_on: datetime.date | None = None,
    actor=None,
    **fields: Any,
):
    """A request registered in person on `received_on` (its receipt date, Article 31)."""
    from applications.models import ReceiptChannel
    from applications.services import register_request

    return register_request(
        actor=actor or make_request_handler(username=f"clerk{next(_counter)}"),
        organization=organization or make_organization(),
        channel=ReceiptChannel.IN_PERSON,
        fields=applicant_fields(**fields),
        submitted_on=received_on or datetime.date(2020, 9, 30),
    )


def make_staff(role: str, *, organization: Organization | None = None, **fields: Any):
    """A staff member in one of the four role groups (disclosure.roles), scoped to
    `organization` (no profile: sees no organization's records unless the role grants all)."""
    from django.contrib.auth.models import Group

    from disclosure.models import StaffProfile
    from disclosure.roles import ensure_role_groups

    ensure_role_groups()
    fields.setdefault("is_staff", True)
    user = make_user(**fields)
    user.groups.add(Group.objects.get(name=role))
    if organization is not None:
        StaffProfile.objects.create(user=user, organization=organization)
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


#: A body long enough for PostgreSQL to compress it (over 2 kB).
LONG_BODY = "<p>" + "全市教育系统坚持以习近平新时代中国特色社会主义思想为指导。" * 120 + "</p>"


def require_lz4_bodies() -> None:
    """Skip unless the records' bodies are set to LZ4 (migration 0028 leaves a server built
    without LZ4 on pglz), and make pglz the transaction's default, so that a body written
    without the column's own method shows as pglz even where the server's default is LZ4."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'disclosure_disclosurerecord'::regclass AND attname = 'body'"
        )
        if cursor.fetchone()[0] != "l":
            pytest.skip("this PostgreSQL has no LZ4: bodies stay pglz (migration 0028)")
        cursor.execute("SET LOCAL default_toast_compression = 'pglz'")


def body_compressions(record_id: int) -> list[str | None]:
    """How PostgreSQL stored the body of a record, then of each of its revisions in order
    (`pg_column_compression`: "lz4", "pglz", or None for a body stored uncompressed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(body) FROM disclosure_disclosurerecord WHERE id = %s",
            [record_id],
        )
        methods = [method for (method,) in cursor.fetchall()]
        cursor.execute(
            "SELECT pg_column_compression(body) FROM disclosure_historicaldisclosurerecord "
            "WHERE id = %s ORDER BY history_id",
            [record_id],
        )
        return methods + [method for (method,) in cursor.fetchall()]
