"""disclosure/numbers.py: the one parser of numbers from public input."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from disclosure.models import Organization
from disclosure.numbers import (
    BadNumber,
    NumberField,
    NumberKeyChoiceField,
    number_or_none,
    parse_number,
)
from tests.factories import make_organization


@pytest.mark.parametrize(("raw", "value"), [("2020", 2020), (" 7 ", 7), ("007", 7), ("0", 0)])
def test_ascii_digits_are_numbers(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_absent_or_blank_is_none(raw):
    assert parse_number(raw) is None


@pytest.mark.parametrize(
    "raw",
    # int() refuses the first two although isdigit() accepts them; it accepts the next five.
    ["²", "①", "１２", "٣", "1_000", "+5", " 12\u3000x", "-1", "2020.0", "1e3", "0x10", "NaN"],
)
def test_anything_but_ascii_digits_is_refused(raw):
    with pytest.raises(BadNumber):
        parse_number(raw)


def test_more_than_18_digits_is_refused_without_converting_them():
    with pytest.raises(BadNumber):
        parse_number("1" * 19)
    with pytest.raises(BadNumber):
        parse_number("1" * 5000)  # int() itself would raise past 4,300 digits


def test_bounds_are_checked_and_named_in_the_message():
    assert parse_number("2100", minimum=1949, maximum=2100) == 2100
    with pytest.raises(BadNumber) as refused:
        parse_number("2147483648", minimum=1949, maximum=2100, label="年份")
    assert str(refused.value) == "年份“2147483648”无效:须为 1949 至 2100 之间的整数。"


def test_message_shows_no_control_characters():
    with pytest.raises(BadNumber) as refused:
        parse_number("1\x00\x1b[2J", label="页码")
    assert "\x00" not in str(refused.value) and "\x1b" not in str(refused.value)


def test_number_or_none_ignores_bad_values():
    assert number_or_none("①") is None
    assert number_or_none("5", minimum=1, maximum=9) == 5
    assert number_or_none("10", minimum=1, maximum=9) is None


def test_number_field_gives_a_form_error():
    class YearForm(forms.Form):
        year = NumberField(label="年份", min_value=1949, max_value=2100, required=False)

    assert YearForm({"year": "2020"}).is_valid()
    form = YearForm({"year": "２０２０"})
    assert not form.is_valid()
    assert form.errors["year"] == ["年份“２０２０”无效:须为 1949 至 2100 之间的整数。"]


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["²", "１", "9" * 30, "-1", "0"])
def test_key_choice_field_refuses_bad_keys_as_an_invalid_choice(raw):
    field = NumberKeyChoiceField(queryset=Organization.objects.all())
    with pytest.raises(ValidationError) as refused:
        field.clean(raw)
    assert refused.value.code == "invalid_choice"


@pytest.mark.django_db
def test_key_choice_field_finds_the_organization_by_its_key():
    organization = make_organization()
    field = NumberKeyChoiceField(queryset=Organization.objects.all())
    assert field.clean(str(organization.pk)) == organization
