"""导出所选申请: the request list as the staff see it, through the project's one export writer
(exchange.exports), so every text cell is neutralized and the export is audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from applications.models import InformationRequest
from applications.privacy import can_see_personal_data, mask_id_number, mask_phone
from disclosure.actors import Actor
from exchange.exports import Column, stream_rows

#: 导出所选申请: the request list as the staff see it; ID and phone numbers masked unless the
#: exporter may see personal data (applications.privacy).
REQUEST_COLUMNS = [
    Column("tracking_number", "申请编号"),
    Column("applicant_name", "申请人"),
    Column("id_number", "证件号码"),
    Column("phone", "联系电话"),
    Column("organization", "受理机关"),
    Column("received_on", "收到申请日期"),
    Column("state", "办理状态"),
    Column("due_on", "答复期限"),
    Column("reply_type", "答复类型"),
    Column("reply_reason", "具体情形"),
    Column("replied_on", "答复日期"),
]


def _request_rows(queryset: QuerySet[InformationRequest], *, full: bool) -> Iterator[list[Any]]:
    for obj in queryset.select_related("organization").order_by("id").iterator(chunk_size=2000):
        yield [
            obj.tracking_number,
            obj.applicant_name,
            obj.id_number if full else mask_id_number(obj.id_number),
            obj.phone if full else mask_phone(obj.phone),
            obj.organization.name,
            obj.received_on,
            obj.get_state_display(),
            obj.due_on,
            obj.get_reply_type_display(),
            obj.get_reply_reason_display(),
            obj.replied_on,
        ]


def stream_requests(
    *, queryset: QuerySet[InformationRequest], fmt: str = "csv", actor: Actor, ip: str | None = None
) -> Iterator[bytes]:
    """Requests through the same writers (every text cell neutralized: an applicant may call
    themselves `=HYPERLINK(…)`) and the same audit entry, which says whether numbers were full."""
    full = can_see_personal_data(actor)
    return stream_rows(
        rows=_request_rows(queryset, full=full),
        columns=REQUEST_COLUMNS,
        fmt=fmt,
        english=False,
        actor=actor,
        what="information_requests",
        filters={"personal_data": full},
        ip=ip,
    )
