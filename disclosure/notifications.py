"""E-mail to staff about the workflow (Django's mail framework; console backend in the demo).

Sent after the transaction commits, so nobody is told about a change that was rolled back.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from disclosure.roles import REVIEWER, can_access_record


def _send(*, subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)


def notify_reviewers_of_submission(*, record: Any) -> None:
    """Everybody who may approve this record (and has an address) learns it awaits review."""
    reviewers = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=REVIEWER)
        .exclude(email="")
        .distinct()
    )
    recipients = [
        u.email
        for u in reviewers
        if u.pk != record.submitted_by_id and can_access_record(u, record)
    ]
    _send(
        subject=f"待审核:{record.title}",
        body=f"「{record.title}」已由 {record.submitted_by} 提交审核,请登录管理后台审核。",
        recipients=recipients,
    )


def notify_author_of_rejection(*, record: Any) -> None:
    author = record.created_by
    if author is None or not author.email:
        return
    _send(
        subject=f"退回修改:{record.title}",
        body=(
            f"「{record.title}」被 {record.rejected_by} 退回修改。\n"
            f"退回理由:{record.rejection_reason}\n请修改后重新提交审核。"
        ),
        recipients=[author.email],
    )
