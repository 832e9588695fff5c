"""The public side of 依申请公开: the application form, its receipt and the status lookup.

Abuse protection needs no outside service: CSRF (the middleware), a honeypot field, per-IP rate
limits in the Django cache (django-ratelimit), field size limits and the attachment check.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from applications.models import (
    ApplicantType,
    DeliveryMethod,
    IdType,
    InformationRequest,
    MediumForm,
    OrganizationKind,
    RequestState,
)
from applications.services import lookup_request, submit_online_request
from disclosure.http import client_ip
from disclosure.models import Organization
from disclosure.numbers import NumberKeyChoiceField
from portal.cache import CACHE_ERRORS

RECEIPT_SESSION_KEY = "request_receipt"
LOOKUP_FAILED = "未找到与该申请编号和联系电话相符的申请,请核对后重试。"
RATE_LIMITED = "提交过于频繁,请稍后再试。"
#: The counters of the limits live in the cache (Redis); when it cannot be reached the form
#: refuses (fails closed) rather than accept without any limit.
LIMITS_UNAVAILABLE = (
    "系统暂时无法受理在线提交,您填写的内容未提交。请稍后再试,或通过信函、当面等方式提出申请。"
)


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "请选择"), *choices]


class RequestForm(forms.Form):
    organization = NumberKeyChoiceField(
        label="受理机关", queryset=Organization.objects.all(), empty_label="请选择"
    )
    applicant_type = forms.ChoiceField(
        label="申请人类型", choices=ApplicantType.choices, widget=forms.RadioSelect
    )
    applicant_name = forms.CharField(label="姓名或名称", max_length=200)
    id_type = forms.ChoiceField(
        label="证件类型(公民)", choices=_blank(IdType.choices), required=False
    )
    id_number = forms.CharField(label="证件号码(公民)", max_length=40, required=False)
    organization_kind = forms.ChoiceField(
        label="组织类别(法人或其他组织)",
        choices=_blank(OrganizationKind.choices),
        required=False,
    )
    organization_code = forms.CharField(
        label="统一社会信用代码(法人或其他组织)", max_length=20, required=False
    )
    legal_representative = forms.CharField(
        label="法定代表人或联系人", max_length=100, required=False
    )
    phone = forms.CharField(label="联系电话", max_length=30)
    email = forms.EmailField(label="电子邮箱", required=False)
    address = forms.CharField(label="通信地址", max_length=300, required=False)
    postal_code = forms.CharField(label="邮政编码", max_length=10, required=False)
    description = forms.CharField(
        label="所需信息的内容描述",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="请写明所需政府信息的名称、文号或便于查询的其他特征性描述。",
        error_messages={"required": "请填写所需信息的内容描述。"},
    )
    document_reference = forms.CharField(
        label="文件编号或信息索引号(如知道)", max_length=200, required=False
    )
    medium = forms.ChoiceField(label="信息的载体形式", choices=MediumForm.choices)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=DeliveryMethod.choices)
    attachment = forms.FileField(
        label="附件(如身份证明,PDF/JPG/PNG)", required=False, allow_empty_file=False
    )
    #: The honeypot: hidden from people, filled in by bots.
    website = forms.CharField(
        label="网址(请勿填写)",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@never_cache
def request_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/requests/form.html", {"form": RequestForm()})
    form = RequestForm(request.POST, request.FILES)
    try:
        limited = is_ratelimited(
            request,
            group="request-submit",
            key="ip",
            rate=settings.REQUEST_SUBMIT_RATE,
            method="POST",
            increment=True,
        )
    except CACHE_ERRORS:
        form.add_error(None, LIMITS_UNAVAILABLE)
        return render(request, "portal/requests/form.html", {"form": form}, status=503)
    if limited:
        form.add_error(None, RATE_LIMITED)
        return render(request, "portal/requests/form.html", {"form": form}, status=429)
    if form.is_valid():
        if form.cleaned_data["website"]:
            form.add_error(None, "提交未被受理。")
            return render(request, "portal/requests/form.html", {"form": form}, status=400)
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        attachment = data.pop("attachment")
        data.pop("website")
        try:
            submitted = submit_online_request(
                organization=organization,
                fields=data,
                attachment=attachment,
                ip=client_ip(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            request.session[RECEIPT_SESSION_KEY] = submitted.tracking_number
            return redirect("portal:request_receipt")
    return render(request, "portal/requests/form.html", {"form": form}, status=400)


@never_cache
def request_receipt(request: HttpRequest) -> HttpResponse:
    """Shown once to whoever just submitted: the tracking number lives in their session only."""
    number = request.session.get(RECEIPT_SESSION_KEY)
    submitted = (
        InformationRequest.objects.select_related("organization")
        .filter(tracking_number=number)
        .first()
        if number
        else None
    )
    if submitted is None:
        return redirect("portal:request_form")
    return render(request, "portal/requests/receipt.html", {"submitted": submitted})


class StatusForm(forms.Form):
    tracking_number = forms.CharField(label="申请编号", max_length=32)
    phone = forms.CharField(label="申请时填写的联系电话", max_length=30)


@never_cache
def request_status(request: HttpRequest) -> HttpResponse:
    """State and deadline for whoever presents the tracking number and the phone it was filed
    with; one and the same answer for an unknown number and a wrong phone."""
    if request.method != "POST":
        return render(request, "portal/requests/status.html", {"form": StatusForm()})
    form = StatusForm(request.POST)
    try:
        limited = is_ratelimited(
            request,
            group="request-status",
            key="ip",
            rate=settings.REQUEST_LOOKUP_RATE,
            method="POST",
            increment=True,
        )
    except CACHE_ERRORS:
        form.add_error(None, LIMITS_UNAVAILABLE)
        return render(request, "portal/requests/status.html", {"form": form}, status=503)
    if limited:
        form.add_error(None, RATE_LIMITED)
        return render(request, "portal/requests/status.html", {"form": form}, status=429)
    found = None
    if form.is_valid():
        found = lookup_request(
            tracking_number=form.cleaned_data["tracking_number"],
            phone=form.cleaned_data["phone"],
            ip=client_ip(request),
        )
        if found is None:
            form.add_error(None, LOOKUP_FAILED)
    context = {"form": form, "found": found, "paused_states": _paused_states()}
    return render(request, "portal/requests/status.html", context)


def _paused_states() -> list[str]:
    return [RequestState.CORRECTION, RequestState.CONSULTATION]
