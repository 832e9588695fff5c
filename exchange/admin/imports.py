"""The import form of the 数据导入导出 page: upload, dry run by default, then commit.

The page shows the same report as the command (summary, problems, notes), and offers the
problem rows as a CSV (issue 15, item 6): kept in the cache for an hour under a random token,
for the person who uploaded the file only.
"""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from disclosure.http import client_ip
from disclosure.models import Category
from exchange.importing import import_records
from exchange.importing.report import problem_rows_csv
from exchange.importing.service import import_limits

PROBLEM_ROWS_SECONDS = 3600

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
    renumber_lost = forms.BooleanField(
        label="缺代码的索引号重新生成",
        required=False,
        help_text="如 /2025-0000 这类缺少机构代码的信息索引号,改由本平台生成;"
        "不勾选则按原文保留并提示。",
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
    problems_token = None
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
            renumber_lost=form.cleaned_data["renumber_lost"],
        )
        if report.problem_rows:
            problems_token = secrets.token_urlsafe(16)
            cache.set(
                _problems_key(request, problems_token),
                (report.filename, problem_rows_csv(report)),
                PROBLEM_ROWS_SECONDS,
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "导入公开信息",
        "opts": model_admin.model._meta,
        "import_form": form,
        "report": report,
        "problems_token": problems_token,
    }
    return render(request, "admin/disclosure/import_report.html", context)


def _problems_key(request: HttpRequest, token: str) -> str:
    return f"import-problems:{request.user.pk}:{token}"


def problem_rows_view(model_admin, request: HttpRequest, token: str) -> HttpResponse:
    """The problem rows of the uploader's last check, as CSV; nobody else's."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    kept = cache.get(_problems_key(request, token))
    if kept is None:
        raise Http404("问题行已过期(保留一小时),请重新校验文件。")
    filename, data = kept
    stem = filename.rsplit(".", 1)[0] or "import"
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment_header(f"{stem}-问题行.csv")
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment_header(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"problems.csv\"; filename*=UTF-8''{quote(name)}"
