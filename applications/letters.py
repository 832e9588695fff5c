"""Reply letters (答复书): one editable template per reply type (ReplyTemplate), else a default.

Article 36 fixes what each kind of answer must say; the defaults below follow it.
"""

from __future__ import annotations

from applications.models import InformationRequest, ReplyReason, ReplyTemplate, ReplyType

OPENING = (
    "{applicant}:\n本机关于{received_on}收到您(单位)的政府信息公开申请"
    "(申请编号 {tracking_number})。"
)

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


def render_reply_letter(*, request: InformationRequest) -> str:
    """The letter for the request's reply type and sub-reason, filled in; staff may edit it."""
    template = (
        ReplyTemplate.objects.filter(
            reply_type=request.reply_type, reply_reason=request.reply_reason
        ).first()
        or ReplyTemplate.objects.filter(reply_type=request.reply_type, reply_reason="").first()
    )
    body = template.body if template else DEFAULT_LETTERS.get(request.reply_type, "{applicant}:")
    values = {
        "applicant": request.applicant_name,
        "tracking_number": request.tracking_number,
        "received_on": f"{request.received_on:%Y年%m月%d日}",
        "description": request.description,
        "organization": request.organization.name,
        "reason": ReplyReason(request.reply_reason).label if request.reply_reason else "",
        "replied_on": f"{request.replied_on:%Y年%m月%d日}" if request.replied_on else "",
    }
    try:
        return body.format(**values)
    except (KeyError, IndexError, ValueError):
        return body
