"""「预览」: a draft or a published record's pending revision shown exactly as its public page
will look (in either script: /preview/… and /zh-hant/preview/…), for the staff who may see
the record. Never public (a reader gets the sign-in page, staff outside the record's scope a
404) and never cached (Cache-Control: private, no-store). Its 附件 are the revision's (or the
draft's), downloaded through `record_preview_attachment` under the same rules: a file not yet
published never has a public URL."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from accounts import two_factor
from disclosure.files import file_download
from disclosure.models import DisclosureRecord, PendingAttachment
from disclosure.roles import can_access_record
from disclosure.services.revisions import pending_revision_of, with_revision
from portal.views.records import VIEW_COUNT_SLOT


@dataclass(frozen=True)
class ShownAttachment:
    """One 附件 as the record page lists it, downloaded through the preview."""

    title: str
    original_name: str
    size: int
    preview_url: str


def _previewable(request: HttpRequest, pk: int) -> DisclosureRecord:
    """The record, for signed-in staff who may see it; Http404 for everybody else."""
    user = request.user
    record = (
        DisclosureRecord.objects.select_related(
            "organization", "department", "category__parent", "topic__parent", "genre"
        )
        .filter(pk=pk)
        .first()
    )
    if (
        record is None
        or not user.is_staff
        or not user.has_perm("disclosure.view_disclosurerecord")
        or not can_access_record(user, record)
    ):
        raise Http404("没有找到该信息。")
    return record


def _attachments(record: DisclosureRecord, revision) -> list[ShownAttachment]:
    def url(kind: str, pk: int) -> str:
        return reverse("portal:record_preview_attachment", args=[record.pk, kind, pk])

    if revision is None:
        return [
            ShownAttachment(a.title, a.original_name, a.size, url("record", a.pk))
            for a in record.attachments.all()
        ]
    return [
        ShownAttachment(
            row.title,
            row.original_name if row.file else row.published.original_name,
            row.size if row.file else row.published.size,
            url("revision", row.pk),
        )
        for row in revision.attachments.select_related("published")
    ]


def record_preview(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not user.is_authenticated or two_factor.must_verify(user):
        return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
    record = _previewable(request, pk)
    revision = pending_revision_of(record)
    shown = with_revision(record, revision)
    markup = render_to_string(
        "portal/record.html",
        {
            "record": shown,
            "validity": shown.validity_status(),
            "attachments": _attachments(record, revision),
        },
        request,
    )
    response = HttpResponse(markup.replace(VIEW_COUNT_SLOT, str(record.view_count), 1))
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def record_preview_attachment(
    request: HttpRequest, pk: int, kind: str, attachment: int
) -> HttpResponseBase:
    """A 附件 of the preview: a revision's (new files included) or the record's own, for the
    staff who may preview the record; 404 for anybody else, signed in or not."""
    user = request.user
    if not user.is_authenticated or two_factor.must_verify(user):
        raise Http404("没有找到该附件。")
    record = _previewable(request, pk)
    if kind == "revision":
        row = (
            PendingAttachment.objects.filter(pk=attachment, record=record)
            .select_related("published")
            .first()
        )
        if row is None:
            raise Http404("没有找到该附件。")
        source = row if row.file else row.published
        if source is None:
            raise Http404("没有找到该附件。")
    elif kind == "record":
        source = record.attachments.filter(pk=attachment).first()
        if source is None:
            raise Http404("没有找到该附件。")
    else:
        raise Http404("没有找到该附件。")
    response = file_download(
        file=source.file,
        filename=source.original_name or source.title,
        content_type=source.content_type or "application/octet-stream",
    )
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response
