from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from portal.guide import guide_warnings
from portal.models import InformationGuide, SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row of settings: staff can edit it, never add a second or delete it."""

    list_display = ["site_name", "host_organization", "site_code", "updated_at"]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"},
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SiteSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(InformationGuide)
class InformationGuideAdmin(SimpleHistoryAdmin):
    """政府信息公开指南 (Article 12): edited here, every version kept in 历史; the change page and
    the admin index warn when it is stale or disagrees with 站点设置's contact details."""

    list_display = ["__str__", "agency_name", "phone", "updated_on"]
    readonly_fields = ["warnings_view"]
    fieldsets = [
        ("核对", {"fields": ["warnings_view"]}),
        (
            "一、政府信息公开工作机构",
            {
                "fields": [
                    "agency_name",
                    "address",
                    "postcode",
                    "office_hours",
                    "phone",
                    "fax",
                    "email",
                ]
            },
        ),
        ("二、机构设置", {"fields": ["organization_structure"]}),
        ("三、信息分类和编排体系", {"fields": ["classification", "arrangement"]}),
        (
            "四、获取方式",
            {
                "fields": ["access_methods", "reading_rooms"],
                "description": "全文检索、订阅(Atom)和开放数据接口的链接由网站自动列出。",
            },
        ),
        (
            "五、依申请公开",
            {"fields": ["application_channels", "correction", "third_party", "extension", "fees"]},
        ),
        ("六、监督和救济", {"fields": ["remedies"]}),
        ("更新日期", {"fields": ["updated_on"]}),
    ]

    @admin.display(description="提醒")
    def warnings_view(self, obj):
        if obj is None or obj.pk is None:
            return "保存后核对与站点设置的联系方式是否一致。"
        problems = guide_warnings(guide=obj, contact=SiteSettings.load().contact)
        return "\n".join(problems) or "指南的联系方式与站点设置一致,更新日期在一年以内。"
