"""The documents sent to an applicant, each a named, editable template (ReplyTemplate), else a
default: 政府信息公开告知书 / 不予公开告知书 (the answer, Article 36), 补正通知书 (Article 30),
延期答复告知书 (Article 33), 第三方意见征询函 (Article 32), 收费通知书 (Article 42 and
国办函〔2020〕109号). Filled from the request; printable from the admin.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from applications.choices import NoticeKind, ReplyReason, ReplyType
from applications.models import InformationRequest, ReplyTemplate

OPENING = (
    "{applicant}:\n本机关于{received_on}收到您(单位)的政府信息公开申请"
    "(申请编号 {tracking_number})。"
)
CLOSING = "\n{organization}\n{today}"
REMEDY = "如对本告知不服,可依法申请行政复议或者提起行政诉讼。\n"

DEFAULT_LETTERS: dict[str, str] = {
    ReplyType.DISCLOSED: (
        OPENING + "经审查,您申请获取的政府信息属于公开范围,现予以公开,请按您选择的方式获取。\n"
        "{organization}\n{replied_on}"
    ),
    ReplyType.PARTIAL: (
        OPENING
        + "经审查,您申请获取的政府信息中含有不应当公开的内容,依据《中华人民共和国政府信息公开条例》"
        "第三十七条,本机关向您提供可以公开的部分,并对不予公开的部分说明理由。\n"
        "如对本答复不服,可依法申请行政复议或者提起行政诉讼。\n{organization}\n{replied_on}"
    ),
    ReplyType.REFUSED: (
        OPENING + "经审查,您申请获取的政府信息{reason},依据《中华人民共和国政府信息公开条例》"
        "第十四条至第十六条的规定,本机关决定不予公开。\n"
        "如对本答复不服,可依法申请行政复议或者提起行政诉讼。\n{organization}\n{replied_on}"
    ),
    ReplyType.UNABLE: (
        OPENING
        + "经审查,{reason},依据《中华人民共和国政府信息公开条例》第三十六条,本机关无法提供。\n"
        "如对本答复不服,可依法申请行政复议或者提起行政诉讼。\n{organization}\n{replied_on}"
    ),
    ReplyType.NOT_PROCESSED: (
        OPENING + "经审查,您的申请属于{reason}的情形,依据《中华人民共和国政府信息公开条例》"
        "第三十六条、第三十九条,本机关不作为政府信息公开申请处理。\n{organization}\n{replied_on}"
    ),
    ReplyType.OTHER: (OPENING + "{reason}。\n{organization}\n{replied_on}"),
}

#: The notices other than the answer itself.
DEFAULT_NOTICES: dict[str, str] = {
    NoticeKind.CORRECTION: (
        OPENING + "经审查,您的申请内容不明确。依据《中华人民共和国政府信息公开条例》第三十条,"
        "请您对以下事项作出补正:\n{correction_notice}\n"
        "请于{correction_due_on}前提交补正材料。答复期限自本机关收到补正后的申请之日起计算;"
        "无正当理由逾期不补正的,视为放弃申请,本机关不再处理该申请。" + CLOSING
    ),
    NoticeKind.EXTENSION: (
        OPENING + "因{extension_reason},本机关不能在规定期限内作出答复。依据《中华人民共和国"
        "政府信息公开条例》第三十三条第二款,经政府信息公开工作机构负责人同意,"
        "答复期限延长{extension_days}个工作日,本机关将于{due_on}前作出答复。" + CLOSING
    ),
    NoticeKind.CONSULTATION: (
        "关于征求第三方意见的函\n"
        "本机关于{received_on}收到政府信息公开申请(申请编号 {tracking_number}),"
        "申请公开的信息为:{description}。\n该信息可能损害您(单位)的合法权益。依据《中华人民共和国"
        "政府信息公开条例》第三十二条,现书面征求您(单位)的意见:{consultation_note}\n"
        "请自收到本函之日起15个工作日内提出意见;逾期未提出意见的,由本机关依照条例规定决定。"
        + CLOSING
    ),
    NoticeKind.FEE: (
        OPENING + "您申请的政府信息数量、频次明显超过合理范围。依据《中华人民共和国政府信息公开"
        "条例》第四十二条和《政府信息公开信息处理费管理办法》(国办函〔2020〕109号),"
        "本机关决定{fee_basis}收取信息处理费,计费数量{fee_quantity},金额{fee_amount}元。\n"
        "请于{fee_due_on}前缴纳;收费通知书送达至您缴纳费用期间不计入答复期限。"
        "逾期未缴纳的,视为放弃申请,本机关不再处理该申请。" + CLOSING
    ),
}


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    number: str
    body: str


def notice_kind_for_reply(reply_type: str) -> str:
    return NoticeKind.REFUSAL if reply_type == ReplyType.REFUSED else NoticeKind.DISCLOSURE


def _day(value: datetime.date | None) -> str:
    return f"{value:%Y年%m月%d日}" if value else ""


def _values(request: InformationRequest) -> dict[str, str]:
    return {
        "applicant": request.applicant_name,
        "tracking_number": request.tracking_number,
        "received_on": _day(request.received_on),
        "description": request.description,
        "organization": request.organization.name,
        "reason": ReplyReason(request.reply_reason).label if request.reply_reason else "",
        "replied_on": _day(request.replied_on),
        "today": _day(timezone.localdate()),
        "correction_notice": request.correction_notice,
        "correction_due_on": _day(request.correction_due_on),
        "extension_days": str(request.extension_days),
        "extension_reason": request.extension_reason,
        "due_on": _day(request.due_on),
        "consultation_note": "",
        "fee_basis": request.get_fee_basis_display() if request.fee_basis else "",
        "fee_quantity": str(request.fee_quantity or ""),
        "fee_amount": f"{request.fee_amount:.2f}" if request.fee_amount is not None else "",
        "fee_due_on": _day(request.fee_due_on),
    }


def _fill(body: str, request: InformationRequest) -> str:
    try:
        return body.format(**_values(request))
    except (KeyError, IndexError, ValueError):
        return body


def render_reply_letter(*, request: InformationRequest) -> str:
    """The letter for the request's reply type and sub-reason, filled in; staff may edit it."""
    kind = notice_kind_for_reply(request.reply_type)
    templates = ReplyTemplate.objects.filter(kind=kind, reply_type=request.reply_type)
    template = (
        templates.filter(reply_reason=request.reply_reason).first()
        or templates.filter(reply_reason="").first()
    )
    body = template.body if template else DEFAULT_LETTERS.get(request.reply_type, "{applicant}:")
    return _fill(body, request)


def available_notices(request: InformationRequest) -> list[str]:
    """The notices that the request's history calls for, in the order they are sent."""
    kinds: list[str] = []
    if request.correction_requested_on:
        kinds.append(NoticeKind.CORRECTION)
    if request.consultation_started_on:
        kinds.append(NoticeKind.CONSULTATION)
    if request.extension_days:
        kinds.append(NoticeKind.EXTENSION)
    if request.fee_notified_on:
        kinds.append(NoticeKind.FEE)
    if request.reply_letter:
        kinds.append(notice_kind_for_reply(request.reply_type))
    return kinds


def render_notice(*, request: InformationRequest, kind: str) -> Notice:
    """One named document filled from the request; the answer is its (edited) reply letter."""
    if kind in (NoticeKind.DISCLOSURE, NoticeKind.REFUSAL):
        body = request.reply_letter
    else:
        template = ReplyTemplate.objects.filter(kind=kind, reply_type="", reply_reason="").first()
        body = _fill(template.body if template else DEFAULT_NOTICES[kind], request)
    number = f"{request.organization.short_name or request.organization.name}"
    number += f"依申请〔{request.received_on:%Y}〕{request.tracking_number.split('-')[-1]}号"
    return Notice(kind=kind, title=NoticeKind(kind).label, number=number, body=body)
