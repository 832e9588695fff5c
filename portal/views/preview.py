"""「预览」: a draft or a published record's pending revision shown exactly as its public page
will look (in either script: /preview/… and /zh-hant/preview/…), for the staff who may see
the record. Never public (a reader gets the sign-in page, staff outside the record's scope a
404) and never cached (Cache-Control: private, no-store)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from accounts import two_factor
from disclosure.models import DisclosureRecord
from disclosure.roles import can_access_record
from disclosure.services.revisions import pending_revision_of, with_revision
from portal.views.records import VIEW_COUNT_SLOT


def record_preview(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not user.is_authenticated or two_factor.must_verify(user):
        return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
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
    shown = with_revision(record, pending_revision_of(record))
    markup = render_to_string(
        "portal/record.html",
        {
            "record": shown,
            "validity": shown.validity_status(),
            "attachments": record.attachments.all(),
        },
        request,
    )
    response = HttpResponse(markup.replace(VIEW_COUNT_SLOT, str(record.view_count), 1))
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
