"""The import form of the 数据导入导出 page: upload, dry run by default, then commit."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from disclosure.http import client_ip
from disclosure.models import Category
from exchange.importing import import_records
from exchange.importing.service import import_limits

IMPORT_PERMISSION = "disclosure.import_records"


class ImportForm(forms.Form):
    file = forms.FileField(label="文件", help_text="CSV(UTF-8)、XLSX、JSON 或 JSON Lines")
    commit = forms.BooleanField(
        label="正式导入", required=False, help_text="不勾选只做校验(试运行),不写入任何数据。"
    )
    publish = forms.BooleanField(
        label="导入后直接发布",
        required=False,
        help_text="仅限有发布权限的人员,且只限本机构范围;不勾选则以草稿导入,经审核、发布后公开。",
    )
    create_missing = forms.BooleanField(
        label="自动创建不存在的机构、目录、主题、体裁", required=False
    )
    default_category = forms.ModelChoiceField(
        label="默认目录",
        queryset=Category.objects.select_related("parent"),
        required=False,
        help_text="文件中没有目录的行放入此目录。",
    )


def import_view(model_admin, request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        category = form.cleaned_data["default_category"]
        report = import_records(
            source=upload.file,
            filename=upload.name,
            actor=request.user,
            commit=form.cleaned_data["commit"],
            create_missing=form.cleaned_data["create_missing"],
            default_category=category.pk if category else None,
            publish=form.cleaned_data["publish"],
            max_bytes=settings.DISCLOSURE_IMPORT_MAX_BYTES,
            limits=import_limits(),
            ip=client_ip(request),
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "导入公开信息",
        "opts": model_admin.model._meta,
        "import_form": form,
        "report": report,
    }
    return render(request, "admin/disclosure/import_report.html", context)
