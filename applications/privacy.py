"""Masking of applicants' personal data in lists and exports (PIPL Articles 28, 51).

Only users holding `applications.view_request_personal_data` see ID and phone numbers in full.
"""

from __future__ import annotations

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


def can_see_personal_data(user) -> bool:
    return bool(user and user.has_perm(PERSONAL_DATA_PERMISSION))
