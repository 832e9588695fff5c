"""Reads for the staff dashboard of requests (依申请公开)."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from applications.models import OPEN_STATES, InformationRequest, RequestState
from disclosure.calendar import WorkingCalendar


def requests_due_soon(*, today: datetime.date | None = None, within: int = 5):
    """Open requests whose deadline falls within the next `within` working days."""
    today = today or timezone.localdate()
    horizon = WorkingCalendar().add_working_days(today, within)
    return InformationRequest.objects.filter(
        state__in=OPEN_STATES, due_on__gte=today, due_on__lte=horizon
    )


def overdue_requests(*, today: datetime.date | None = None):
    """Open requests past their deadline (Article 33)."""
    today = today or timezone.localdate()
    return InformationRequest.objects.filter(state__in=OPEN_STATES, due_on__lt=today)


def requests_by_state() -> list[tuple[str, int]]:
    counts = dict(
        InformationRequest.objects.values_list("state").annotate(n=Count("id")).order_by()
    )
    return [(state.label, counts.get(state.value, 0)) for state in RequestState]
