"""The applicant's personal data on the staff pages (PIPL): masked, unfilterable and unsearchable
for users who may not see it (`applications.privacy` says which fields and how).

`InformationRequestAdmin.get_object` marks the object it returns with `_show_personal`; the
displays here read that mark, so the change page shows each field in full or masked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from applications.models import InformationRequest
from applications.privacy import MASKS, can_see_personal_data, reaches_personal_field


def _masked(field: str, label: str) -> Any:
    """A read-only display of a personal field: in full only for users who may see it."""

    @admin.display(description=label)
    def show(self: PersonalDataAdmin, obj: InformationRequest) -> str:
        value: str = getattr(obj, field)
        return value if getattr(obj, "_show_personal", False) else MASKS[field](value)

    return show


class PersonalDataAdmin(admin.ModelAdmin):
    """The personal-data half of `InformationRequestAdmin`."""

    def lookup_allowed(self, lookup, value, request=None):
        """No filter on a masked field (or a path to one) for users who may not see it: the
        answer to `?phone__startswith=…` would give the number away digit by digit."""
        if reaches_personal_field(self.model, lookup) and not can_see_personal_data(
            getattr(request, "user", None)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request: HttpRequest) -> list[str] | tuple[str, ...]:
        """Handlers may find a request by the applicant's phone or ID number; others may not
        search them (a search is a filter too)."""
        if can_see_personal_data(request.user):
            return [*self.search_fields, "phone", "id_number"]
        return self.search_fields

    masked_phone = _masked("phone", "联系电话")
    masked_id_number = _masked("id_number", "证件号码")
    masked_email = _masked("email", "电子邮箱")
    masked_address = _masked("address", "通信地址")
    masked_legal_representative = _masked("legal_representative", "法定代表人")
    masked_contact_person = _masked("contact_person", "联系人")
    masked_contact_phone = _masked("contact_phone", "联系人电话")
    masked_fax = _masked("fax", "传真")

    @admin.display(description="附件")
    def attachment_link(self, obj: InformationRequest) -> str:
        if not obj.attachment:
            return "—"
        if not getattr(obj, "_show_personal", False):
            return f"{obj.attachment_name}(无权查看)"
        url = reverse("admin:applications_informationrequest_attachment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.attachment_name or "下载")

    def get_list_display(self, request):
        """The list masks ID and phone numbers unless the user may see personal data."""
        if not can_see_personal_data(request.user):
            return self.list_display
        return [
            {"masked_phone": "phone", "masked_id_number": "id_number"}.get(name, name)
            for name in self.list_display
        ]
