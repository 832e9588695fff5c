"""The 政府信息公开指南 (Article 12) of the demo bureau."""

from __future__ import annotations

import datetime

from portal.demo import BUREAU
from portal.models import InformationGuide, SiteSettings

#: The guide's sections as the bureau wrote them (Article 12: what, where, how to ask).
GUIDE_TEXT = {
    "organization_structure": (
        f"{BUREAU}内设办公室、发展规划处、基础教育处、高等教育处、职业教育与社会教育处、"
        "人事处等机构。各机构职能见「机构概况」栏目。"
    ),
    "classification": (
        "主动公开的政府信息按「政府信息公开指南」「政府信息公开制度」「法定主动公开内容」"
        "「政府信息公开工作年度报告」「依申请公开」分类,法定主动公开内容下设机构概况、"
        "法规文件及解读、规划计划、财政信息等栏目。"
    ),
    "arrangement": (
        "每条信息有唯一的信息索引号,由机构代码、年份和顺序号组成(如014006470/2024-00001);"
        "目录内的信息按公开日期倒序排列,可按主题、体裁、发布机构和年份筛选。"
    ),
    "access_methods": (
        "本机关通过本网站、《无锡市人民政府公报》、新闻发布会、政务新媒体以及政府信息"
        "查阅场所主动公开政府信息。"
    ),
    "reading_rooms": (
        "无锡市档案馆、无锡市图书馆政府信息查阅点:工作日9:00—17:00,"
        "提供本机关主动公开的政府信息查阅。"
    ),
    "application_channels": (
        "网上申请:通过本网站「依申请公开」在线提交;信函申请:寄至本机关办公地址,"
        "信封注明「政府信息公开申请」;当面申请:办公时间内到本机关办公室填写申请表。"
    ),
    "correction": (
        "申请内容不明确的,本机关自收到申请之日起7个工作日内一次性告知申请人补正,"
        "补正所需时间不计入答复期限;无正当理由逾期不补正的,视为放弃申请。"
    ),
    "third_party": (
        "申请公开的信息涉及第三方合法权益的,本机关书面征求第三方意见,第三方应在15个工作日"
        "内提出意见;征求意见所需时间不计入答复期限。"
    ),
    "extension": (
        "本机关自收到申请之日起20个工作日内答复;需要延长的,经政府信息公开工作机构负责人"
        "同意并告知申请人,延长期限最长不超过20个工作日。"
    ),
    "fees": (
        "申请公开政府信息一般不收费;申请数量、频次明显超过合理范围的,依照国办函〔2020〕"
        "109号按件或按量收取信息处理费。"
    ),
    "remedies": (
        "认为本机关在政府信息公开工作中侵犯其合法权益的,可以向上一级行政机关或政府信息"
        "公开工作主管部门投诉、举报,也可以依法申请行政复议或者提起行政诉讼。"
    ),
}


def add_guide(today: datetime.date) -> None:
    """A guide whose contact details are the footer's (站点设置), updated this year."""
    if InformationGuide.objects.exists():
        return
    contact = SiteSettings.load().contact  # 地址:… 电话:…
    address = contact.split("地址:")[-1].split()[0] if "地址:" in contact else "无锡市"
    phone = contact.split("电话:")[-1].split()[0] if "电话:" in contact else "0510-00000000"
    InformationGuide.objects.create(
        agency_name=f"{BUREAU}办公室(政府信息公开工作机构)",
        address=address,
        postcode="214000",
        office_hours="工作日 上午8:30—12:00,下午13:30—17:30(法定节假日除外)",
        phone=phone,
        fax=phone,
        email="xxgk@example.gov.cn",
        **GUIDE_TEXT,
        updated_on=today,
    )
