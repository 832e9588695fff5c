"""Working days (工作日) on the Chinese public-holiday calendar, for statutory deadlines.

Article 26 (publish within 20 working days) and Article 33 (answer requests within 20 working
days, extendable by 20) count working days: weekends and public holidays do not count, adjusted
working weekends (调休上班) do. `chinese-calendar` knows the State Council's announced years;
`CalendarOverride` rows (edited in the admin) take precedence and cover years it does not know,
for which plain weekends are assumed otherwise: `unknown_years` says which years a period
crosses without data, so staff are told (issue 18, item 8), and an administrator enters the
year (`HolidayYear`, disclosure.services.holidays), which recomputes open deadlines.
"""

from __future__ import annotations

import datetime

import chinese_calendar

from disclosure.models import CalendarOverride, HolidayYear


class WorkingCalendar:
    """A calendar with the overrides loaded once; cheap to query day by day."""

    def __init__(
        self,
        overrides: dict[datetime.date, bool] | None = None,
        entered_years: set[int] | None = None,
    ) -> None:
        """Without arguments, the admin's overrides and entered years are read from the
        database; given overrides (tests, what-if counts) stand alone."""
        if entered_years is None:
            entered_years = (
                set(HolidayYear.objects.values_list("year", flat=True))
                if overrides is None
                else set()
            )
        if overrides is None:
            overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
        self.overrides = overrides
        self.entered_years = entered_years

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def is_known(self, day: datetime.date) -> bool:
        """Whether the official calendar, an entered year or an override covers `day`'s year."""
        if day.year in self.entered_years:
            return True
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return any(d.year == day.year for d in self.overrides)
        return True

    def unknown_years(self, start: datetime.date, end: datetime.date) -> list[int]:
        """The years from `start` to `end` whose holidays nobody knows yet: a deadline counted
        across them assumed plain weekends (1 January counted as a working day)."""
        return [
            year
            for year in range(start.year, end.year + 1)
            if not self.is_known(datetime.date(year, 7, 1))
        ]

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
