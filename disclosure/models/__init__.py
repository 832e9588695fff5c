from .audit import AuditAction, AuditChainHead, AuditEntry
from .calendar import CalendarOverride, HolidayYear
from .data import RecordDataExchange
from .records import Attachment, DisclosureRecord, RecordKeyword
from .revisions import PendingAttachment, PendingRevision, RevisionStatus
from .staff import StaffProfile
from .view_counts import ViewCountBatch
from .vocabulary import (
    Category,
    Genre,
    IndexSerialCounter,
    Keyword,
    Organization,
    Topic,
    VocabularyAlias,
)

__all__ = [
    "Attachment",
    "AuditAction",
    "AuditChainHead",
    "AuditEntry",
    "CalendarOverride",
    "Category",
    "DisclosureRecord",
    "Genre",
    "HolidayYear",
    "IndexSerialCounter",
    "Keyword",
    "Organization",
    "PendingAttachment",
    "PendingRevision",
    "RecordDataExchange",
    "RecordKeyword",
    "RevisionStatus",
    "StaffProfile",
    "Topic",
    "VocabularyAlias",
    "ViewCountBatch",
]
