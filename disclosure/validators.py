"""Checks on identifiers an applicant gives: resident ID, organization codes, phone numbers."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[1-9]\d{5}(?P<birth>\d{8})\d{3}[0-9X]$")


def validate_resident_id(value: str) -> None:
    """An 18-digit mainland resident ID (GB 11643-1999): birth date and ISO 7064 check digit."""
    value = (value or "").strip().upper()
    match = _ID_RE.match(value)
    if not match:
        raise ValidationError("身份证号码应为18位(最后一位可为X)。", code="id_format")
    try:
        birth = datetime.datetime.strptime(match["birth"], "%Y%m%d").date()  # noqa: DTZ007
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效。", code="id_birth") from None
    if birth.year < 1900 or birth > datetime.date.today():  # noqa: DTZ011
        raise ValidationError("身份证号码中的出生日期无效。", code="id_birth")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValidationError("身份证号码校验位不正确,请核对。", code="id_check")


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_RE = re.compile(r"^[0-9A-Z]{8}[0-9X]$")


def _org_code_check(body: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_organization_code(value: str) -> None:
    """A unified social credit code (GB 32100-2015, 18 characters) or a 9-character
    organization code (GB 11714-1997), both with their check characters.
    """
    value = (value or "").strip().upper().replace("-", "")
    if len(value) == 18:
        if not _USCC_RE.match(value):
            raise ValidationError("统一社会信用代码格式不正确。", code="uscc_format")
        total = sum(
            _USCC_CHARS.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True)
        )
        if _USCC_CHARS[(31 - total % 31) % 31] != value[17]:
            raise ValidationError("统一社会信用代码校验位不正确,请核对。", code="uscc_check")
        return
    if len(value) == 9 and _ORG_RE.match(value):
        if _org_code_check(value[:8]) != value[8]:
            raise ValidationError("组织机构代码校验位不正确,请核对。", code="org_check")
        return
    raise ValidationError("请填写18位统一社会信用代码或9位组织机构代码。", code="org_format")


_MOBILE_RE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(?:-\d{1,6})?$")
#: Outside the mainland (香港 +852, 澳门 +853, 台湾 +886, abroad): a country code, then the
#: national number, E.164 (at most 15 digits in all).
_INTERNATIONAL_RE = re.compile(r"^(?:\+|00)(?!86)[1-9]\d{6,14}$")


def normalize_phone(value: str) -> str:
    """Digits only, without the +86 country code: what the status lookup compares."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    return digits


def validate_phone(value: str) -> None:
    """A mainland mobile number (11 digits, 1[3-9]…), a landline with its area code, or a
    number outside the mainland with its country code (+852 9123 4567)."""
    compact = re.sub(r"[\s()（）]", "", value or "")
    if _MOBILE_RE.match(compact) or _LANDLINE_RE.match(compact):
        return
    if _INTERNATIONAL_RE.match(compact.replace("-", "")):
        return
    raise ValidationError(
        "联系电话格式不正确:请填写11位手机号码、带区号的固定电话(如 0510-81234567)"
        "或带国家(地区)代码的号码(如 +852 9123 4567)。",
        code="phone",
    )
