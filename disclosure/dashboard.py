"""What awaits a staff member (the admin dashboard), and the Article 26 deadline.

Article 26 of the Regulations: information is published within 20 working days of being
created or changed. We count from 发文日期 on the working-day calendar (holidays and adjusted
working weekends included) and flag records still waiting past it or published after it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from disclosure.calendar import WorkingCalendar
from disclosure.choices import RecordStatus
from disclosure.models import DisclosureRecord
from disclosure.roles import scope_records
from disclosure.workflow import authors_since_publication_of

ARTICLE_26_WORKING_DAYS = 20
EXPIRY_WARNING_DAYS = 30


def article26_deadline(
    record: DisclosureRecord, *, calendar: WorkingCalendar | None = None
) -> datetime.date:
    return (calendar or WorkingCalendar()).add_working_days(
        record.issued_on, ARTICLE_26_WORKING_DAYS
    )


def published_late(record: DisclosureRecord, *, calendar: WorkingCalendar | None = None) -> bool:
    return bool(
        record.publication_date
        and record.publication_date > article26_deadline(record, calendar=calendar)
    )


@dataclass
class DeadlineRow:
    record: DisclosureRecord
    deadline: datetime.date
    overdue: bool


@dataclass
class Dashboard:
    to_review: list[DisclosureRecord] = field(default_factory=list)
    to_publish: list[DisclosureRecord] = field(default_factory=list)
    scheduled: list[DisclosureRecord] = field(default_factory=list)
    rejected_to_me: list[DisclosureRecord] = field(default_factory=list)
    expiring: list[DisclosureRecord] = field(default_factory=list)
    deadlines: list[DeadlineRow] = field(default_factory=list)
    published_late: list[DeadlineRow] = field(default_factory=list)


def dashboard_for(*, user: Any, today: datetime.date | None = None, limit: int = 50) -> Dashboard:
    today = today or timezone.localdate()
    records = scope_records(user, DisclosureRecord.objects.select_related("organization"))
    board = Dashboard()
    if user.has_perm("disclosure.approve_record"):
        waiting = list(
            records.filter(status=RecordStatus.SUBMITTED)
            .exclude(Q(created_by=user) | Q(updated_by=user))
            .order_by("submitted_at")[:limit]
        )
        authors = authors_since_publication_of(waiting)
        # four-eyes: nothing the user wrote any part of since its last publication
        board.to_review = [r for r in waiting if user.pk not in authors[r.pk]]
    if user.has_perm("disclosure.publish_record"):
        board.to_publish = list(
            records.filter(status=RecordStatus.APPROVED).order_by("approved_at")[:limit]
        )
        board.scheduled = list(
            records.filter(
                status=RecordStatus.PUBLISHED, scheduled_publish_at__isnull=False
            ).order_by("scheduled_publish_at")[:limit]
        )
    board.rejected_to_me = list(
        records.filter(status=RecordStatus.DRAFT, rejected_at__isnull=False)
        .filter(Q(created_by=user) | Q(updated_by=user))
        .order_by("-rejected_at")[:limit]
    )
    board.expiring = list(
        records.filter(
            status=RecordStatus.PUBLISHED,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
        ).order_by("valid_until")[:limit]
    )
    calendar = WorkingCalendar()
    for record in records.filter(
        status__in=[RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.APPROVED]
    ).order_by("issued_on")[:limit]:
        deadline = article26_deadline(record, calendar=calendar)
        board.deadlines.append(DeadlineRow(record, deadline, overdue=deadline < today))
    recent = records.filter(
        status=RecordStatus.PUBLISHED,
        publication_date__gte=today - datetime.timedelta(days=365),
    ).order_by("-publication_date")[: limit * 4]
    for record in recent:
        deadline = article26_deadline(record, calendar=calendar)
        if record.publication_date > deadline:
            board.published_late.append(DeadlineRow(record, deadline, overdue=True))
    return board
