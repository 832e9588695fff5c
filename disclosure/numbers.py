"""Whole numbers from untrusted input: query strings, forms, URL paths, API parameters.

Python's own parsing accepts far more than a reader types: `'²'.isdigit()` and `'①'.isdigit()`
are true while `int()` refuses both (the `?page=²` 500 of issue 13); `int()` takes full-width
`１２`, Arabic-Indic `٣`, `1_000` and a 4,000-digit string; a number past a column's range
overflows in the database driver. Every public number is therefore parsed here, and only here:
ASCII digits 0-9, at most 18 of them, within the bounds the caller states. Anything else is
refused with a message a reader can act on (callers answer 400, or treat it as absent).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
#: The largest primary key (BigAutoField): 18 digits always fit below it.
MAX_KEY = 2**63 - 1


class BadNumber(ValueError):
    """Input that is not a whole number in range; the message is shown to the reader."""


def _shown(text: str) -> str:
    return "".join(c for c in text[:20] if c.isprintable())


def parse_number(
    raw: Any, *, minimum: int = 0, maximum: int = MAX_KEY, label: str = "数值"
) -> int | None:
    """The number `raw` spells in ASCII digits, None when it is absent or blank.

    Raises BadNumber for anything else: a sign, a decimal point, other scripts' digits,
    superscripts, more than 18 digits, or a value outside [minimum, maximum].
    """
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    if ASCII_DIGITS.fullmatch(text):
        value = int(text)
        if minimum <= value <= maximum:
            return value
    raise BadNumber(f"{label}“{_shown(text)}”无效:须为 {minimum} 至 {maximum} 之间的整数。")


def number_or_none(raw: Any, *, minimum: int = 0, maximum: int = MAX_KEY) -> int | None:
    """For parameters where a bad value is simply ignored (treated as absent)."""
    try:
        return parse_number(raw, minimum=minimum, maximum=maximum)
    except BadNumber:
        return None


class NumberField(forms.IntegerField):
    """A form field for a bounded whole number, parsed by `parse_number`."""

    def __init__(self, *, min_value: int = 0, max_value: int = MAX_KEY, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        self.bounds = (min_value, max_value)

    def to_python(self, value: Any) -> int | None:
        try:
            return parse_number(
                value,
                minimum=self.bounds[0],
                maximum=self.bounds[1],
                label=str(self.label or "数值"),
            )
        except BadNumber as error:
            raise ValidationError(str(error), code="invalid") from None


class NumberKeyMixin(forms.ModelChoiceField):
    """For ModelChoiceFields chosen by primary key: the key must pass `parse_number` before
    any query runs, so '²', '１' or a 30-digit key is an invalid choice, not a driver error."""

    def to_python(self, value: Any) -> Any:
        by_key = not self.to_field_name
        model = self.queryset.model if self.queryset is not None else None
        if by_key and value not in self.empty_values and not (model and isinstance(value, model)):
            try:
                parse_number(value, minimum=1)
            except BadNumber:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                ) from None
        return super().to_python(value)


class NumberKeyChoiceField(NumberKeyMixin):
    """forms.ModelChoiceField with the key checked by `parse_number`."""


class KeyConverter:
    """URL converter for `<key:pk>`: 1 to 18 ASCII digits (`<int:>` takes any length, and a
    30-digit key overflowed SQLite on /plans/<pk>/)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        number = parse_number(value)
        if number is None:
            raise ValueError(value)  # no match: 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)
