"""Entering a year's 节假日调整 (the State Council's notice) for a year `chinese-calendar` does
not know yet, so statutory deadlines count its real holidays (issue 18, item 8).

The contexts whose deadlines depend on the calendar (依申请公开) register a listener here; it
runs in the same transaction, so the year, the recomputed deadlines and their audit entries are
written together or not at all. The core never imports them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from disclosure.actors import Actor
from disclosure.audit import record_event
from disclosure.models import AuditAction, CalendarOverride, HolidayYear

#: A listener takes the acting user and the year entered; it returns how many things it changed.
CalendarListener = Callable[[Actor, int], int]
_LISTENERS: list[CalendarListener] = []

PERMISSION = "disclosure.add_holidayyear"
_LINE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|至|—|--)\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s*(?P<note>.*)$"
)


def register_calendar_listener(listener: CalendarListener) -> CalendarListener:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def parse_days(text: str, *, year: int, label: str) -> list[tuple[datetime.date, str]]:
    """`2027-01-01 元旦` or `2027-02-06~2027-02-13 春节`, one per line; every day in `year`."""
    days: list[tuple[datetime.date, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        try:
            if match is None:
                raise ValueError
            start = datetime.date.fromisoformat(_pad(match["start"]))
            end = datetime.date.fromisoformat(_pad(match["end"])) if match["end"] else start
        except ValueError:
            raise ValidationError(
                f"{label}第{number}行「{line}」看不懂:请写成 2027-01-01 或 "
                "2027-02-06~2027-02-13,后面可加说明。"
            ) from None
        if end < start or start.year != year or end.year != year:
            raise ValidationError(f"{label}第{number}行「{line}」:日期须在{year}年内且起止有序。")
        day = start
        while day <= end:
            days.append((day, match["note"].strip()[:100]))
            day += datetime.timedelta(days=1)
    return days


def parse_year(
    *, year: int, holidays: str, workdays: str
) -> tuple[list[tuple[datetime.date, str]], list[tuple[datetime.date, str]]]:
    """The year's days off and adjusted working days, checked; raises ValidationError."""
    off = parse_days(holidays, year=year, label="放假日期")
    on = parse_days(workdays, year=year, label="调休上班日期")
    if not off:
        raise ValidationError("请至少填写一个放假日期(如元旦)。")
    both = {d for d, _ in off} & {d for d, _ in on}
    if both:
        raise ValidationError(f"{min(both):%Y-%m-%d} 不能既放假又上班。")
    return off, on


def _pad(value: str) -> str:
    y, m, d = value.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


def enter_holiday_year(
    *, actor: Actor, year: int, holidays: str, workdays: str, source: str = ""
) -> HolidayYear:
    """Replace the year's 放假 and 调休上班 days, mark the year entered, and let the contexts
    recompute what they counted on plain weekends; all audited, in one transaction."""
    if not (actor.is_active and actor.has_perm(PERMISSION)):
        raise PermissionDenied("只有管理员可以录入节假日安排。")
    off, on = parse_year(year=year, holidays=holidays, workdays=workdays)
    with transaction.atomic():
        CalendarOverride.objects.filter(date__year=year).delete()
        CalendarOverride.objects.bulk_create(
            [CalendarOverride(date=d, is_workday=False, note=n) for d, n in off]
            + [CalendarOverride(date=d, is_workday=True, note=n or "调休上班") for d, n in on]
        )
        entry, created = HolidayYear.objects.update_or_create(
            year=year,
            defaults={"source": source.strip(), "entered_by": actor, "entered_at": timezone.now()},
        )
        changed = sum(listener(actor, year) for listener in _LISTENERS)
        record_event(
            action=AuditAction.CREATE if created else AuditAction.EDIT,
            actor=actor,
            obj=entry,
            reason=f"录入{year}年节假日安排:放假{len(off)}天,调休上班{len(on)}天",
            details={"holidays": len(off), "workdays": len(on), "recomputed": changed},
        )
    return entry
