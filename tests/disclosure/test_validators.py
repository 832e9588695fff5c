import pytest
from django.core.exceptions import ValidationError

from disclosure.validators import (
    normalize_phone,
    validate_organization_code,
    validate_phone,
    validate_resident_id,
)


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x"])
def test_valid_resident_ids(value):
    validate_resident_id(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "出生日期"),
        ("440524188001010014", "出生日期"),
        ("1101051949123100", "18位"),
        ("01010519491231002X", "18位"),
    ],
)
def test_invalid_resident_ids(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_resident_id(value)


@pytest.mark.parametrize("value", ["91350100M000100Y43", "123456788", "12345678-8"])
def test_valid_organization_codes(value):
    validate_organization_code(value)


@pytest.mark.parametrize("value", ["91350100M000100Y44", "123456789", "ABC", "91350100I000100Y43"])
def test_invalid_organization_codes(value):
    with pytest.raises(ValidationError):
        validate_organization_code(value)


@pytest.mark.parametrize(
    "value",
    [
        "13912345678",
        "+8613912345678",
        "139 1234 5678",
        "0510-81234567",
        "01082345678",
        "+852 9123 4567",
        "+853 6612 3456",
        "+886 912 345 678",
        "+1 (415) 555-0100",
        "00852 9123 4567",
    ],
)
def test_valid_phones(value):
    validate_phone(value)


@pytest.mark.parametrize(
    "value", ["12912345678", "1391234567", "12345", "abc", "", "+86 129 1234 5678", "+852 12"]
)
def test_invalid_phones(value):
    with pytest.raises(ValidationError, match="联系电话"):
        validate_phone(value)


def test_normalize_phone_keeps_digits():
    assert normalize_phone("139-1234 5678") == "13912345678"
    assert normalize_phone("+86 139 1234 5678") == "13912345678"
    assert normalize_phone("0510-81234567") == "051081234567"
