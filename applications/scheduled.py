"""依申请公开's time-driven work (registered with disclosure.scheduled)."""

from __future__ import annotations

import datetime

from applications.services import (
    anonymize_expired_requests,
    close_overdue_corrections,
    close_unpaid_fees,
)


def due_tasks(now: datetime.datetime) -> dict[str, int]:
    """逾期不补正 (Article 30), 逾期未缴费 (国办函〔2020〕109号), then the erasure of old
    applicants' personal data."""
    return {
        "corrections_closed": close_overdue_corrections(now=now),
        "unpaid_fees_closed": close_unpaid_fees(now=now),
        "requests_anonymized": anonymize_expired_requests(now=now),
    }
