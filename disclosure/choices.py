"""Controlled values of the record page, named as the 无锡市教育局 site names them."""

from django.db import models


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class DisclosurePeriod(models.TextChoices):
    LONG_TERM = "long_term", "长期公开"
    TIME_LIMITED = "time_limited", "限时公开"


class DisclosureForm(models.TextChoices):
    WEBSITE = "website", "网站"
    DOCUMENT = "document", "文件"
    GAZETTE = "gazette", "政府公报"
    PRESS_CONFERENCE = "press_conference", "新闻发布会"
    NEWSPAPER = "newspaper", "报刊"
    BROADCAST = "broadcast", "广播电视"
    BULLETIN_BOARD = "bulletin_board", "公开栏"
    READING_ROOM = "reading_room", "政府信息查阅场所"
    NEW_MEDIA = "new_media", "政务新媒体"
    OTHER = "other", "其他"


class DisclosureMethod(models.TextChoices):
    PROACTIVE = "proactive", "主动公开"
    ON_REQUEST = "on_request", "依申请公开"
    NOT_DISCLOSED = "not_disclosed", "不予公开"


class DisclosureScope(models.TextChoices):
    PUBLIC = "public", "面向社会"
    SPECIFIC = "specific", "特定对象"


class ValidityStatus(models.TextChoices):
    """Derived from the record's dates, never stored (see DisclosureRecord.validity_status)."""

    VALID = "valid", "有效"
    EXPIRED = "expired", "失效"
    REPEALED = "repealed", "废止"


class NormativeKind(models.TextChoices):
    """规章 / 行政规范性文件: what table two of the annual report counts (第二十条第（一）项)."""

    NONE = "", "非规章或规范性文件"
    RULE = "rule", "规章"
    NORMATIVE = "normative", "行政规范性文件"


class NationalColumn(models.TextChoices):
    """The first-level columns fixed by 国办公开办函〔2019〕61号, plus 依申请公开."""

    GUIDE = "guide", "政府信息公开指南"
    RULES = "rules", "政府信息公开制度"
    STATUTORY = "statutory", "法定主动公开内容"
    ANNUAL_REPORT = "annual_report", "政府信息公开工作年度报告"
    ON_REQUEST = "on_request", "依申请公开"
