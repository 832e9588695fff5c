from .audit import AuditAction, AuditChainHead, AuditEntry
from .calendar import CalendarOverride
from .data import RecordDataExchange
from .records import Attachment, DisclosureRecord, RecordKeyword
from .staff import StaffProfile
from .view_counts import ViewCountBatch
from .vocabulary import Category, Genre, IndexSerialCounter, Keyword, Organization, Topic

__all__ = [
    "Attachment",
    "AuditAction",
    "AuditChainHead",
    "AuditEntry",
    "CalendarOverride",
    "Category",
    "DisclosureRecord",
    "Genre",
    "IndexSerialCounter",
    "Keyword",
    "Organization",
    "RecordDataExchange",
    "RecordKeyword",
    "StaffProfile",
    "Topic",
    "ViewCountBatch",
]
