"""Site-wide settings the header and footer show, edited in the admin (one row)."""

from __future__ import annotations

from django.db import models

from portal.guide import InformationGuide

__all__ = ["InformationGuide", "SiteSettings"]


class SiteSettings(models.Model):
    """What a government site's header and footer carry (GB/T 网站标识, ICP and police records)."""

    site_name = models.CharField("网站名称", max_length=100, default="无锡市教育局")
    welcome_line = models.CharField("欢迎语", max_length=100, default="欢迎访问无锡市教育局网站")
    supports_ipv6 = models.BooleanField("显示“本站支持IPv6”", default=True)
    host_organization = models.CharField("主办单位", max_length=100, default="无锡市教育局")
    contact = models.CharField(
        "联系方式", max_length=200, default="地址:无锡市(示例地址)  电话:0510-00000000"
    )
    site_code = models.CharField("网站标识码", max_length=20, default="3202000000")
    icp_record = models.CharField("ICP备案号", max_length=50, default="苏ICP备00000000号")
    icp_url = models.URLField("ICP备案查询链接", default="https://beian.miit.gov.cn/")
    police_record = models.CharField(
        "公安机关备案号", max_length=50, default="苏公网安备 32020000000000号"
    )
    police_url = models.URLField("公安机关备案查询链接", default="https://beian.mps.gov.cn/")
    party_government_url = models.URLField(
        "党政机关网站标识链接", blank=True, default="https://bszs.conac.cn/"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "站点设置"
        verbose_name_plural = "站点设置"

    def __str__(self) -> str:
        return self.site_name

    @classmethod
    def load(cls) -> SiteSettings:
        """The one row; an unsaved default until staff edit it, so a fresh site renders."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
