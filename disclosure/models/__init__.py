from .audit import AuditAction, AuditChainHead, AuditEntry
from .calendar import CalendarOverride
from .plans import PlanItem, PlanSection, WorkPlan
from .records import Attachment, DisclosureRecord, RecordKeyword
from .search import SearchEntry
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
    "PlanItem",
    "PlanSection",
    "RecordKeyword",
    "SearchEntry",
    "Topic",
    "WorkPlan",
]
