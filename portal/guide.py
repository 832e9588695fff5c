"""政府信息公开指南 (Article 12 of the Regulations): the one current guide of the site's bureau,
edited in the admin, every version kept (django-simple-history), shown at /guide/.

Article 12 names what a guide holds: the classification and arrangement of the information
(信息分类、编排体系), how to obtain it (获取方式), and the name, office address, office hours,
telephone and fax of the office in charge of disclosure (工作机构名称、办公地址、办公时间、
联系电话、传真号码); and it must be kept current (Article 53 lists not updating it as a ground
for correction). `guide_warnings` tells staff when it is out of date or its contact details no
longer match the site's footer (SiteSettings.contact).

It lives in `portal`, next to SiteSettings, because it is a page of the site and is checked
against the site's settings; no context app needs it (docs/architecture.md).
"""

from __future__ import annotations

import datetime
import re

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

#: Article 53: a guide not updated in this long is flagged to staff.
STALE_AFTER = datetime.timedelta(days=365)


def _text(label: str, help_text: str = "", *, blank: bool = False) -> models.TextField:
    return models.TextField(label, help_text=help_text, blank=blank)


class InformationGuide(models.Model):
    # 一、工作机构 (Article 12 第二款)
    agency_name = models.CharField("工作机构名称", max_length=100)
    address = models.CharField("办公地址", max_length=200)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    office_hours = models.CharField("办公时间", max_length=200)
    phone = models.CharField("联系电话", max_length=50)
    fax = models.CharField("传真", max_length=50)
    email = models.EmailField("电子邮箱", blank=True)
    # 二、机构设置
    organization_structure = _text("机构设置", "本机关的内设机构、下属单位及其职能。")
    # 三、信息分类和编排体系
    classification = _text("信息分类", "主动公开信息的分类(栏目)及其内容。")
    arrangement = _text("编排体系", "信息索引号的编排规则、目录的排列方式。")
    # 四、获取方式 (the page adds search, Atom feeds and the API from the site itself)
    access_methods = _text("获取方式", "网站、政府公报、新闻发布会、政务新媒体等主动公开途径。")
    reading_rooms = _text("查阅场所", "政府信息查阅场所的名称、地址、开放时间。")
    # 五、依申请公开
    application_channels = _text("申请渠道", "网上申请、信函申请、当面申请等方式及其地址。")
    correction = _text("补正", "申请内容不明确时一次性告知补正;补正期限不计入办理期限。")
    third_party = _text("第三方意见征询", "涉及第三方合法权益时书面征求意见,时间不计入办理期限。")
    extension = _text(
        "延期答复", "20个工作日内答复;需延长的,经负责人同意并告知申请人,最长延长20个工作日。"
    )
    fees = _text("收费", "信息处理费的收取标准(国办函〔2020〕109号)。", blank=True)
    remedies = _text("监督和救济", "投诉举报、行政复议、行政诉讼的途径。", blank=True)
    updated_on = models.DateField("更新日期", default=timezone.localdate)
    history = HistoricalRecords(verbose_name="指南修订记录")

    class Meta:
        verbose_name = "政府信息公开指南"
        verbose_name_plural = "政府信息公开指南"

    def __str__(self) -> str:
        return f"政府信息公开指南({self.updated_on:%Y-%m-%d}更新)"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:guide")

    @classmethod
    def current(cls) -> InformationGuide | None:
        return cls.objects.order_by("-updated_on", "-pk").first()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def guide_warnings(
    *, guide: InformationGuide | None, contact: str, today: datetime.date | None = None
) -> list[str]:
    """What staff should fix: no guide, a guide older than a year, or a phone number or address
    that the site's footer (站点设置 · 联系方式) does not show."""
    if guide is None:
        return ["尚未编制政府信息公开指南(《条例》第十二条):请在「政府信息公开指南」中填写。"]
    today = today or timezone.localdate()
    warnings = []
    if today - guide.updated_on > STALE_AFTER:
        warnings.append(
            f"政府信息公开指南{guide.updated_on:%Y年%m月%d日}更新,已超过一年:"
            "请核对内容并更新(《条例》第十二条、第五十三条)。"
        )
    phone = _digits(guide.phone)
    if phone and phone not in _digits(contact):
        warnings.append(f"指南的联系电话「{guide.phone}」与站点设置的联系方式「{contact}」不一致。")
    if guide.address and guide.address not in contact:
        warnings.append(
            f"指南的办公地址「{guide.address}」与站点设置的联系方式「{contact}」不一致。"
        )
    return warnings
