"""Masking of applicants' personal data in lists and exports (PIPL Articles 28, 51).

Only users holding `applications.view_request_personal_data` see the applicant's ID and phone
numbers, e-mail, address and legal representative in full (the 审核 role that handles requests);
发布 and 审计 see them masked.
A mask is worthless if the admin answers questions about the value behind it: a filter
`?phone__startswith=1380013` that returns one row and `…1380014` that returns none gives the
number away digit by digit, and so does sorting by it. `reaches_personal_field` tells the admin
which lookups (filters, search, ordering, related paths such as `request__phone`) touch a
masked field, so they are refused to users who may not see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP

PERSONAL_DATA_PERMISSION = "applications.view_request_personal_data"


def mask_id_number(value: str) -> str:
    """`110105********002X`: the region and the last four characters stay."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """`139****5678`."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def can_see_personal_data(user: Any) -> bool:
    return bool(user and user.has_perm(PERSONAL_DATA_PERMISSION))


def reaches_personal_field(model: Any, lookup: str) -> bool:
    """Whether a lookup path (`phone__startswith`, `events__request__id_number__regex`, `-phone`)
    reads a personal field of `model` or of any model it passes through."""
    opts = model._meta
    for part in lookup.lstrip("-").split(LOOKUP_SEP):
        if part in PERSONAL_FIELDS.get(opts.label_lower, ()):
            return True
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup or transform name: the path ends here
        if not field.is_relation or field.related_model is None:
            return False
        opts = field.related_model._meta
    return False


def mask_email(value: str) -> str:
    """`z***@example.com`: enough to tell two addresses apart on the phone, not to write."""
    if not value:
        return ""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "*" * len(value)


def mask_address(value: str) -> str:
    """`江苏省无锡市****`: the region stays."""
    if not value:
        return ""
    return value[:6] + "****" if len(value) > 6 else "*" * len(value)


def mask_person_name(value: str) -> str:
    """`张*`."""
    return value[:1] + "*" * (len(value) - 1) if value else ""


@dataclass(frozen=True)
class PersonalField:
    """One personal field of a request: how staff without the permission see it (None: shown
    as it is, e.g. the name staff need to address the letter) and what anonymization leaves."""

    mask: Callable[[str], str] | None
    erased: str = ""


#: THE definition of the applicant's personal data (PIPL): masking in the admin and exports,
#: the lookups refused to users who may not see it, and anonymization after the retention
#: period (applications.services.retention) all read it.
REQUEST_PERSONAL_DATA: dict[str, PersonalField] = {
    "applicant_name": PersonalField(mask=None, erased="(已匿名)"),
    "id_number": PersonalField(mask=mask_id_number),
    "organization_code": PersonalField(mask=None),
    "work_unit": PersonalField(mask=None),
    "legal_representative": PersonalField(mask=mask_person_name),
    "contact_person": PersonalField(mask=mask_person_name),
    "contact_phone": PersonalField(mask=mask_phone),
    "phone": PersonalField(mask=mask_phone),
    "fax": PersonalField(mask=mask_phone),
    "email": PersonalField(mask=mask_email),
    "address": PersonalField(mask=mask_address),
    "postal_code": PersonalField(mask=None),
    "attachment_name": PersonalField(mask=None),
}

#: How each masked personal field of a request is shown to users without the permission.
MASKS: dict[str, Callable[[str], str]] = {
    name: spec.mask for name, spec in REQUEST_PERSONAL_DATA.items() if spec.mask is not None
}

#: What anonymization writes into each personal field.
ERASED_VALUES: dict[str, str] = {name: spec.erased for name, spec in REQUEST_PERSONAL_DATA.items()}

#: The fields shown masked to users without the permission, by model (`app_label.model`): no
#: lookup may reach them for those users either.
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "applications.informationrequest": tuple(MASKS),
}
