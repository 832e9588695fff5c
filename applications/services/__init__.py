"""Handling requests for government information (依申请公开), Articles 27-45 of the Regulations.

Every write is one function here, in one transaction with its history entry and audit entry;
the steps run through the transition table of `base` (`STEPS`, `run_step`), which also checks
the actor's permission and organization scope, so a command or a shell cannot skip them.
Refusals raise `RequestError` (or a subclass) with a message a staff member can act on.

Modules: `base` (table, checks, logging), `deadlines` (Articles 31-33), `intake` (filing,
registering, lookup), `steps` (补正, 征求意见, 延期, 答复, 办结), `fees` (信息处理费),
`retention` (scheduled).
"""

from applications.services.base import (
    STEPS,
    RequestError,
    RequestPermissionDenied,
    StepNotAllowed,
)
from applications.services.deadlines import (
    ANSWER_WORKING_DAYS,
    CORRECTION_NOTICE_WORKING_DAYS,
    MAX_EXTENSION_WORKING_DAYS,
    compute_due_on,
    correction_notice_deadline,
    receipt_date,
    recompute_open_deadlines,
)
from applications.services.fees import (
    close_unpaid_fees,
    compute_fee,
    notify_fee,
    record_fee_declined,
    record_fee_paid,
)
from applications.services.intake import (
    lookup_request,
    new_tracking_number,
    register_request,
    submit_online_request,
    validate_applicant,
)
from applications.services.retention import anonymize_expired_requests, close_overdue_corrections
from applications.services.steps import (
    answer_request,
    check_reply,
    close_request,
    end_consultation,
    extend_request,
    receive_correction,
    request_correction,
    start_consultation,
    update_reply_letter,
)

__all__ = [
    "ANSWER_WORKING_DAYS",
    "CORRECTION_NOTICE_WORKING_DAYS",
    "MAX_EXTENSION_WORKING_DAYS",
    "STEPS",
    "RequestError",
    "RequestPermissionDenied",
    "StepNotAllowed",
    "answer_request",
    "anonymize_expired_requests",
    "check_reply",
    "close_unpaid_fees",
    "compute_fee",
    "notify_fee",
    "record_fee_declined",
    "record_fee_paid",
    "close_overdue_corrections",
    "close_request",
    "compute_due_on",
    "correction_notice_deadline",
    "end_consultation",
    "extend_request",
    "lookup_request",
    "new_tracking_number",
    "receipt_date",
    "recompute_open_deadlines",
    "receive_correction",
    "register_request",
    "request_correction",
    "start_consultation",
    "submit_online_request",
    "update_reply_letter",
    "validate_applicant",
]
