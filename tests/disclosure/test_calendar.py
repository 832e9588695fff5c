import datetime

import pytest

from disclosure.calendar import WorkingCalendar, add_working_days, working_days_between
from disclosure.models import CalendarOverride

D = datetime.date


def test_national_day_week_does_not_count_and_adjusted_saturday_does():
    cal = WorkingCalendar(overrides={})
    # 2020: 10-01..10-08 off; Sunday 09-27 and Saturday 10-10 were adjusted working days.
    assert not cal.is_workday(D(2020, 10, 1))
    assert cal.is_workday(D(2020, 10, 10))
    # Received Wed 2020-09-30: 1 working day later is Fri 10-09, 2 is Sat 10-10 (调休上班).
    assert cal.add_working_days(D(2020, 9, 30), 1) == D(2020, 10, 9)
    assert cal.add_working_days(D(2020, 9, 30), 2) == D(2020, 10, 10)


def test_twenty_working_days_across_spring_festival():
    cal = WorkingCalendar(overrides={})
    # 2021 春节: 02-11..02-17 off; Sun 02-07 and Sat 02-20 worked.
    end = cal.add_working_days(D(2021, 2, 5), 20)
    assert cal.working_days_between(D(2021, 2, 5), end) == 20
    assert end == D(2021, 3, 10)  # counted by hand from the 2021 State Council notice


@pytest.mark.django_db
def test_overrides_cover_years_the_package_does_not_know():
    CalendarOverride.objects.create(date=D(2030, 1, 1), is_workday=False, note="元旦")
    CalendarOverride.objects.create(date=D(2030, 1, 5), is_workday=True, note="调休上班")
    # Mon 2029-12-31 +1 → Tue 01-01 is off → Wed 01-02
    assert add_working_days(D(2029, 12, 31), 1) == D(2030, 1, 2)
    # Sat 2030-01-05 counts as a working day
    assert working_days_between(D(2030, 1, 4), D(2030, 1, 5)) == 1
    assert WorkingCalendar().is_known(D(2030, 6, 1))
    assert not WorkingCalendar().is_known(D(2031, 6, 1))


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(overrides={}).add_working_days(D(2020, 1, 1), -1)


@pytest.mark.django_db
def test_a_period_into_an_unentered_year_names_the_year_until_it_is_entered():
    from disclosure.models import HolidayYear

    assert WorkingCalendar().unknown_years(D(2026, 12, 7), D(2027, 1, 4)) == [2027]
    HolidayYear.objects.create(year=2027, entered_at="2026-12-01T00:00:00Z")
    assert WorkingCalendar().unknown_years(D(2026, 12, 7), D(2027, 1, 4)) == []
