"""依申请公开: a request for government information and its history (Articles 27-45).

The state, the dates and the reply type are stored; the answer deadline (`due_on`) is kept up to
date by the services in `applications.services`, which alone change a request. The choices
(states, reply types, …) are in `applications.choices`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.choices import (
    OPEN_STATES,
    ApplicantType,
    DeliveryMethod,
    FeeBasis,
    IdType,
    MediumForm,
    NoticeKind,
    OrganizationKind,
    ReceiptChannel,
    ReplyReason,
    ReplyType,
    RequestState,
)


def request_attachment_upload_to(instance: InformationRequest, filename: str) -> str:
    import uuid

    suffix = "." + filename.rsplit(".", 1)[1].lower()[:8] if "." in filename else ""
    return f"requests/{uuid.uuid4().hex}{suffix}"


class InformationRequest(models.Model):
    tracking_number = models.CharField("申请编号", max_length=32, unique=True, editable=False)
    organization = models.ForeignKey(
        "disclosure.Organization",
        verbose_name="受理机关",
        on_delete=models.PROTECT,
        related_name="information_requests",
    )
    applicant_type = models.CharField("申请人类型", max_length=20, choices=ApplicantType.choices)
    organization_kind = models.CharField(
        "法人或其他组织类别",
        max_length=20,
        choices=OrganizationKind.choices,
        blank=True,
        help_text="申请人为法人或其他组织时填写;用于年度报告表三的分列统计。",
    )
    applicant_name = models.CharField("申请人姓名或名称", max_length=200)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, blank=True)
    id_number = models.CharField("证件号码", max_length=40, blank=True)
    organization_code = models.CharField(
        "统一社会信用代码或组织机构代码", max_length=18, blank=True
    )
    work_unit = models.CharField("工作单位", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=100, blank=True)
    contact_person = models.CharField("联系人", max_length=100, blank=True)
    contact_phone = models.CharField("联系人电话", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=30)
    fax = models.CharField("传真", max_length=30, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    address = models.CharField("通信地址", max_length=300, blank=True)
    postal_code = models.CharField("邮政编码", max_length=10, blank=True)
    description = models.TextField("所需信息的内容描述")
    document_reference = models.CharField("文件编号或信息索引号", max_length=200, blank=True)
    purpose = models.TextField("所需信息的用途", blank=True, help_text="选填。")
    medium = models.CharField(
        "信息的载体形式",
        max_length=20,
        choices=MediumForm.choices,
        default=MediumForm.ELECTRONIC,
    )
    delivery = models.CharField(
        "获取信息的方式",
        max_length=20,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.EMAIL,
    )
    attachment = models.FileField(
        "附件(如身份证明)",
        upload_to=request_attachment_upload_to,
        max_length=200,
        blank=True,
    )
    attachment_name = models.CharField("附件原文件名", max_length=255, blank=True)

    channel = models.CharField(
        "申请方式", max_length=20, choices=ReceiptChannel.choices, default=ReceiptChannel.ONLINE
    )
    submitted_at = models.DateTimeField("提交时间")
    received_on = models.DateField("收到申请日期", help_text="《条例》第三十一条确定的收到日期。")
    state = models.CharField(
        "办理状态", max_length=20, choices=RequestState.choices, default=RequestState.RECEIVED
    )
    due_on = models.DateField(
        "答复期限", null=True, blank=True, help_text="征求第三方意见期间暂停,显示为空。"
    )
    correction_requested_on = models.DateField("补正告知日期", null=True, blank=True)
    correction_due_on = models.DateField("补正期限", null=True, blank=True)
    correction_notice = models.TextField("补正告知内容", blank=True)
    correction_received_on = models.DateField("收到补正日期", null=True, blank=True)
    consultation_started_on = models.DateField("征求意见开始日期", null=True, blank=True)
    consultation_ended_on = models.DateField("征求意见结束日期", null=True, blank=True)
    paused_working_days = models.PositiveIntegerField(
        "不计入期限的工作日", default=0, help_text="征求第三方和其他机关意见所用工作日。"
    )
    extension_days = models.PositiveSmallIntegerField("延长工作日", default=0)
    extension_reason = models.TextField("延长理由", blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="延期批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extended_on = models.DateField("延期日期", null=True, blank=True)
    fee_basis = models.CharField(
        "信息处理费计收方式", max_length=20, choices=FeeBasis.choices, blank=True
    )
    fee_quantity = models.PositiveIntegerField(
        "计费数量", null=True, blank=True, help_text="按件:本月第几件申请;按量:页数。"
    )
    fee_amount = models.DecimalField(
        "信息处理费(元)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    fee_notified_on = models.DateField("收费通知日期", null=True, blank=True)
    fee_due_on = models.DateField("缴费期限", null=True, blank=True)
    fee_paid_on = models.DateField("缴费日期", null=True, blank=True)
    reply_type = models.CharField("答复类型", max_length=20, choices=ReplyType.choices, blank=True)
    reply_reason = models.CharField(
        "答复具体情形", max_length=40, choices=ReplyReason.choices, blank=True
    )
    reply_letter = models.TextField("答复书", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    anonymized_at = models.DateTimeField("匿名化时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        db_table = "disclosure_informationrequest"
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        ordering = ["-received_on", "-id"]
        permissions = [
            ("view_request_personal_data", "可查看申请人证件号码和电话"),
            ("approve_request_extension", "可批准延长答复期限"),
            ("export_requests", "可导出公开申请"),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"], name="request_state_due"),
            models.Index(fields=["organization", "received_on"], name="request_org_received"),
            models.Index(fields=["organization", "replied_on"], name="request_org_replied"),
        ]
        constraints = [
            models.CheckConstraint(
                name="request_state_valid",
                condition=Q(state__in=RequestState.values),
                violation_error_message="办理状态取值无效。",
            ),
            models.CheckConstraint(
                name="request_extension_at_most_20",
                condition=Q(extension_days__lte=20),
                violation_error_message="延长答复期限最长不得超过20个工作日。",
            ),
            models.CheckConstraint(
                name="request_answered_has_reply_type",
                condition=~Q(state=RequestState.ANSWERED)
                | (~Q(reply_type="") & Q(replied_on__isnull=False)),
                violation_error_message="已答复的申请须有答复类型和答复日期。",
            ),
            models.CheckConstraint(
                name="request_organization_kind_for_organizations",
                condition=Q(applicant_type=ApplicantType.CITIZEN, organization_kind="")
                | (Q(applicant_type=ApplicantType.ORGANIZATION) & ~Q(organization_kind="")),
                violation_error_message="法人或其他组织须选择类别;公民不填类别。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RequestEvent(models.Model):
    """One step in a request's history, as the staff and the applicant's status page see it."""

    request = models.ForeignKey(
        InformationRequest,
        verbose_name="申请",
        on_delete=models.CASCADE,
        related_name="events",
    )
    happened_on = models.DateField("日期")
    state = models.CharField("办理状态", max_length=20, choices=RequestState.choices)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        db_table = "disclosure_requestevent"
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.happened_on:%Y-%m-%d} {self.get_state_display()}"


class ReplyTemplate(models.Model):
    """An editable template of a named notice (告知书, 补正通知书, 延期答复告知书, 第三方意见征询函,
    收费通知书); for the answer, per reply type (and optionally per sub-reason).

    Placeholders: {applicant}, {tracking_number}, {received_on}, {description}, {organization},
    {reason}, {replied_on}, {today}, {correction_notice}, {correction_due_on}, {extension_days},
    {extension_reason}, {due_on}, {consultation_note}, {fee_basis}, {fee_quantity},
    {fee_amount}, {fee_due_on}.
    """

    kind = models.CharField(
        "文书", max_length=20, choices=NoticeKind.choices, default=NoticeKind.DISCLOSURE
    )
    reply_type = models.CharField("答复类型", max_length=20, choices=ReplyType.choices, blank=True)
    reply_reason = models.CharField(
        "具体情形", max_length=40, choices=ReplyReason.choices, blank=True
    )
    body = models.TextField("文书模板")

    class Meta:
        db_table = "disclosure_replytemplate"
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["kind", "reply_type", "reply_reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reply_type", "reply_reason"], name="notice_template_unique"
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.reply_type:
            label += f" {self.get_reply_type_display()}"
        return f"{label} {self.get_reply_reason_display()}" if self.reply_reason else label
