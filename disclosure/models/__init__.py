from .annual_reports import AnnualReport, AnnualReportStatus
from .audit import AuditAction, AuditChainHead, AuditEntry
from .calendar import CalendarOverride
from .data import RecordDataExchange
from .export_jobs import ExportFormat, ExportJob, ExportJobStatus, ExportSubject
from .plans import PlanItem, PlanProgressNote, PlanSection, WorkPlan
from .records import Attachment, DisclosureRecord, RecordKeyword
from .requests import InformationRequest, ReplyTemplate, RequestEvent
from .search import SearchEntry
from .staff import StaffProfile
from .vocabulary import Category, Genre, IndexSerialCounter, Keyword, Organization, Topic

__all__ = [
    "AnnualReport",
    "AnnualReportStatus",
    "InformationRequest",
    "ReplyTemplate",
    "RequestEvent",
    "Attachment",
    "AuditAction",
    "AuditChainHead",
    "AuditEntry",
    "CalendarOverride",
    "Category",
    "DisclosureRecord",
    "ExportFormat",
    "ExportJob",
    "ExportJobStatus",
    "ExportSubject",
    "Genre",
    "IndexSerialCounter",
    "Keyword",
    "Organization",
    "PlanItem",
    "PlanProgressNote",
    "PlanSection",
    "RecordDataExchange",
    "RecordKeyword",
    "SearchEntry",
    "StaffProfile",
    "Topic",
    "WorkPlan",
]
