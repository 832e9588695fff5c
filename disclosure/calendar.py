"""Working days (工作日) on the Chinese public-holiday calendar, for statutory deadlines.

Article 26 (publish within 20 working days) and Article 33 (answer requests within 20 working
days, extendable by 20) count working days: weekends and public holidays do not count, adjusted
working weekends (调休上班) do. `chinese-calendar` knows the State Council's announced years;
`CalendarOverride` rows (edited in the admin) take precedence and cover years it does not know,
for which plain weekends are assumed otherwise.
"""

from __future__ import annotations

import datetime

import chinese_calendar

from disclosure.models import CalendarOverride


class WorkingCalendar:
    """A calendar with the overrides loaded once; cheap to query day by day."""

    def __init__(self, overrides: dict[datetime.date, bool] | None = None) -> None:
        if overrides is None:
            overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
        self.overrides = overrides

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def is_known(self, day: datetime.date) -> bool:
        """Whether the official calendar (or an override) covers `day`'s year."""
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return any(d.year == day.year for d in self.overrides)
        return True

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The day on which a period of `days` working days counted from `start` ends.

        The day of receipt (`start`) does not count; counting begins with the next working day,
        as for statutory periods generally.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        counted = 0
        while counted < days:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    return WorkingCalendar().add_working_days(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return WorkingCalendar().working_days_between(start, end)
