"""政府信息公开指南 (Article 12), the one current version; the ways to obtain information that the
site itself offers (search, Atom feeds, the open-data API) are listed from its own URLs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.models import InformationGuide
from portal.views.tree import category_tree


def guide(request: HttpRequest) -> HttpResponse:
    current = InformationGuide.current()
    if current is None:
        raise Http404("政府信息公开指南尚未发布。")
    roots, _columns = category_tree()
    return render(request, "portal/guide.html", {"guide": current, "roots": roots})
