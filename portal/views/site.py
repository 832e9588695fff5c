"""网站地图 (the human site map page) and robots.txt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from disclosure.models import Organization
from portal.views.tree import category_tree


def site_map(request: HttpRequest) -> HttpResponse:
    roots, _columns = category_tree()
    organizations = Organization.objects.filter(parent=None).prefetch_related("children")
    return render(request, "portal/site_map.html", {"roots": roots, "organizations": organizations})


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /prefs/",
        "Disallow: /zh-hant/prefs/",
        "Disallow: /zh-hk/prefs/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
