"""Reads for the staff dashboard of requests (依申请公开).

Every read starts from `requests_for(user)`: staff see the requests of their own organization's
subtree only (disclosure.roles.scope_requests), counts on the dashboard included.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from applications.models import OPEN_STATES, InformationRequest, RequestState
from disclosure.calendar import WorkingCalendar
from disclosure.roles import scope_requests


def requests_for(user: Any) -> QuerySet:
    """The requests `user` may see; `None` (system tasks) sees all."""
    queryset = InformationRequest.objects.all()
    return queryset if user is None else scope_requests(user, queryset)


def requests_due_soon(*, today: datetime.date | None = None, within: int = 5, user: Any = None):
    """Open requests whose deadline falls within the next `within` working days."""
    today = today or timezone.localdate()
    horizon = WorkingCalendar().add_working_days(today, within)
    return requests_for(user).filter(state__in=OPEN_STATES, due_on__gte=today, due_on__lte=horizon)


def overdue_requests(*, today: datetime.date | None = None, user: Any = None):
    """Open requests past their deadline (Article 33)."""
    today = today or timezone.localdate()
    return requests_for(user).filter(state__in=OPEN_STATES, due_on__lt=today)


def requests_by_state(*, user: Any = None) -> list[tuple[str, int]]:
    counts = dict(requests_for(user).values_list("state").annotate(n=Count("id")).order_by())
    return [(state.label, counts.get(state.value, 0)) for state in RequestState]
