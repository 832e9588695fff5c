"""`{% guide_warnings %}` on the admin index: staff see at once when the 指南 needs attention."""

from __future__ import annotations

from typing import Any

from django import template

from portal.guide import guide_warnings as find_warnings
from portal.models import InformationGuide, SiteSettings

register = template.Library()


@register.inclusion_tag("admin/portal/guide_warnings.html", takes_context=True)
def guide_warnings(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_staff:
        return {"warnings": []}
    guide = InformationGuide.current()
    return {
        "warnings": find_warnings(guide=guide, contact=SiteSettings.load().contact),
        "guide": guide,
        "may_change": user.has_perm("portal.change_informationguide"),
    }
