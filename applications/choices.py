"""The vocabularies of 依申请公开: who asks, how the request arrives, its states, the reply
types and sub-reasons of the annual report's table three, fees and the named notices."""

from __future__ import annotations

from django.db import models


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", "公民"
    ORGANIZATION = "organization", "法人或其他组织"


class OrganizationKind(models.TextChoices):
    """The requester columns of table three of the annual report (国办公开办函〔2021〕30号)."""

    BUSINESS = "business", "商业企业"
    RESEARCH = "research", "科研机构"
    NONPROFIT = "nonprofit", "社会公益组织"
    LEGAL = "legal", "法律服务机构"
    OTHER = "other", "其他"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAO_TAIWAN = "hmt_permit", "港澳台居民居住证/通行证"
    OTHER = "other", "其他证件"


class MediumForm(models.TextChoices):
    """信息的载体形式: what the information comes on (not how it travels: DeliveryMethod)."""

    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子文档"
    DISC = "disc", "光盘"
    DISK = "disk", "磁盘"
    OTHER = "other", "其他"


class DeliveryMethod(models.TextChoices):
    """获取信息的方式 (Article 40: as the applicant asks, or 查阅/抄录 on the spot)."""

    POST = "post", "邮寄"
    EMAIL = "email", "电子邮件"
    FAX = "fax", "传真"
    PICKUP = "pickup", "自行领取"
    ON_SITE = "on_site", "当场查阅、抄录"
    ONLINE = "online", "网上获取"


class ReceiptChannel(models.TextChoices):
    """How the request arrived; Article 31 fixes the receipt date for each."""

    ONLINE = "online", "互联网"
    IN_PERSON = "in_person", "当面提交"
    MAIL = "mail", "邮寄"
    FAX = "fax", "传真"
    OTHER = "other", "其他"


class RequestState(models.TextChoices):
    RECEIVED = "received", "已受理"
    CORRECTION = "correction", "待补正"
    CONSULTATION = "consultation", "征求第三方意见"
    EXTENDED = "extended", "已延期"
    FEE_PENDING = "fee_pending", "待申请人确认收费"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


class ReplyType(models.TextChoices):
    """三、本年度办理结果 of table three: （一）…（六）."""

    DISCLOSED = "disclosed", "予以公开"
    PARTIAL = "partial", "部分公开"
    REFUSED = "refused", "不予公开"
    UNABLE = "unable", "无法提供"
    NOT_PROCESSED = "not_processed", "不予处理"
    OTHER = "other", "其他处理"


class ReplyReason(models.TextChoices):
    """The numbered sub-rows of （三）…（六）; the prefix names the reply type they belong to."""

    REFUSED_STATE_SECRET = "refused_state_secret", "属于国家秘密"
    REFUSED_LAW = "refused_law", "其他法律行政法规禁止公开"
    REFUSED_SECURITY = "refused_security", "危及“三安全一稳定”"
    REFUSED_THIRD_PARTY = "refused_third_party", "保护第三方合法权益"
    REFUSED_INTERNAL = "refused_internal", "属于三类内部事务信息"
    REFUSED_PROCESS = "refused_process", "属于四类过程性信息"
    REFUSED_ENFORCEMENT = "refused_enforcement", "属于行政执法案卷"
    REFUSED_QUERY = "refused_query", "属于行政查询事项"
    UNABLE_NOT_HELD = "unable_not_held", "本机关不掌握相关政府信息"
    UNABLE_NEEDS_CREATION = "unable_needs_creation", "没有现成信息需要另行制作"
    UNABLE_UNCLEAR = "unable_unclear", "补正后申请内容仍不明确"
    NOT_PROCESSED_PETITION = "not_processed_petition", "信访举报投诉类申请"
    NOT_PROCESSED_REPEAT = "not_processed_repeat", "重复申请"
    NOT_PROCESSED_PUBLICATION = "not_processed_publication", "要求提供公开出版物"
    NOT_PROCESSED_MASS = "not_processed_mass", "无正当理由大量反复申请"
    NOT_PROCESSED_CONFIRM = (
        "not_processed_confirm",
        "要求行政机关确认或重新出具已获取信息",
    )
    OTHER_NO_CORRECTION = (
        "other_no_correction",
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    )
    OTHER_NO_FEE = (
        "other_no_fee",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    )
    OTHER_OTHER = "other_other", "其他"


#: Reply types that need a sub-reason, and the sub-reasons each allows.
REASONS_BY_TYPE: dict[str, list[str]] = {
    ReplyType.REFUSED: [r for r in ReplyReason.values if r.startswith("refused_")],
    ReplyType.UNABLE: [r for r in ReplyReason.values if r.startswith("unable_")],
    ReplyType.NOT_PROCESSED: [r for r in ReplyReason.values if r.startswith("not_processed_")],
    ReplyType.OTHER: [r for r in ReplyReason.values if r.startswith("other_")],
}

OPEN_STATES = (
    RequestState.RECEIVED,
    RequestState.CORRECTION,
    RequestState.CONSULTATION,
    RequestState.EXTENDED,
    RequestState.FEE_PENDING,
)


class FeeBasis(models.TextChoices):
    """信息处理费的计收方式 (国办函〔2020〕109号)."""

    BY_COUNT = "by_count", "按件计收"
    BY_VOLUME = "by_volume", "按量计收"


class NoticeKind(models.TextChoices):
    """The named documents a bureau sends (issue 19): each one an editable template."""

    DISCLOSURE = "disclosure", "政府信息公开告知书"
    REFUSAL = "refusal", "不予公开告知书"
    CORRECTION = "correction", "补正通知书"
    EXTENSION = "extension", "延期答复告知书"
    CONSULTATION = "consultation", "第三方意见征询函"
    FEE = "fee", "收费通知书"
