"""Reads for the staff dashboard of requests (依申请公开).

Every read starts from `requests_for(user)`: staff see the requests of their own organization's
subtree only (disclosure.roles.scope_requests), counts on the dashboard included.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from applications.choices import OPEN_STATES, RequestState
from applications.models import InformationRequest
from disclosure.actors import Actor
from disclosure.calendar import WorkingCalendar
from disclosure.roles import scope_requests


def requests_for(user: Actor | None) -> QuerySet[InformationRequest]:
    """The requests `user` may see; `None` (system tasks) sees all."""
    queryset = InformationRequest.objects.all()
    return queryset if user is None else scope_requests(user, queryset)


def requests_due_soon(
    *, today: datetime.date | None = None, within: int = 5, user: Actor | None = None
) -> QuerySet[InformationRequest]:
    """Open requests whose deadline falls within the next `within` working days."""
    today = today or timezone.localdate()
    horizon = WorkingCalendar().add_working_days(today, within)
    return requests_for(user).filter(state__in=OPEN_STATES, due_on__gte=today, due_on__lte=horizon)


def overdue_requests(
    *, today: datetime.date | None = None, user: Actor | None = None
) -> QuerySet[InformationRequest]:
    """Open requests past their deadline (Article 33)."""
    today = today or timezone.localdate()
    return requests_for(user).filter(state__in=OPEN_STATES, due_on__lt=today)


def requests_by_state(*, user: Actor | None = None) -> list[tuple[str, int]]:
    counts = dict(requests_for(user).values_list("state").annotate(n=Count("id")).order_by())
    return [(state.label, counts.get(state.value, 0)) for state in RequestState]


def calendar_gaps(
    request: InformationRequest, *, calendar: WorkingCalendar | None = None
) -> list[int]:
    """The years the request's answer period crosses whose holidays are not entered: its
    deadline was counted on plain weekends and may be wrong (issue 18, item 8)."""
    if request.due_on is None or not request.is_open:
        return []
    start = request.correction_received_on or request.received_on
    return (calendar or WorkingCalendar()).unknown_years(start, request.due_on)


def requests_without_holiday_data(
    *, user: Actor | None = None
) -> tuple[list[int], QuerySet[InformationRequest]]:
    """Open requests whose deadline falls in (or is counted across) a year without holiday data,
    and those years: the dashboard asks an administrator to enter them."""
    calendar = WorkingCalendar()
    open_requests = requests_for(user).filter(state__in=OPEN_STATES, due_on__isnull=False)
    years = set(open_requests.values_list("due_on__year", flat=True).distinct())
    unknown = sorted(y for y in years if not calendar.is_known(datetime.date(y, 7, 1)))
    return unknown, open_requests.filter(due_on__year__in=unknown)
