"""What the open-data API returns. Public fields only: no staff, no workflow, no applicants."""

from __future__ import annotations

import datetime

from ninja import Schema


class Organization(Schema):
    id: int
    name: str
    short_name: str
    code: str
    parent_id: int | None


class Category(Schema):
    id: int
    name: str
    slug: str
    parent_id: int | None
    path: str


class Topic(Schema):
    id: int
    name: str
    parent_id: int | None
    label: str


class Genre(Schema):
    id: int
    name: str


class RecordSummary(Schema):
    index_number: str | None
    title: str
    url: str
    api_url: str | None
    issued_on: datetime.date
    publication_date: datetime.date | None
    document_number: str
    organization: str
    category: str
    topic: str | None
    genre: str | None
    validity: str


class Attachment(Schema):
    title: str
    size: int
    content_type: str


class RecordDetail(RecordSummary):
    published_at: datetime.datetime | None
    disclosure_period: str
    disclosure_forms: list[str]
    disclosure_method: str
    disclosure_scope: str
    valid_until: str
    repealed_on: datetime.date | None
    procedure: str
    keywords: list[str]
    summary: str
    body: str
    source: str
    attachments: list[Attachment]
    has_plan: bool


class RecordPage(Schema):
    count: int
    #: True when `count` is an estimate (a full-text query matching more than the search bound).
    count_is_estimate: bool = False
    page: int
    page_size: int
    num_pages: int
    next: str | None
    previous: str | None
    results: list[RecordSummary]


class PlanItem(Schema):
    ordinal: int
    heading: str
    text: str
    status: str


class PlanSection(Schema):
    ordinal: int
    heading: str
    kind: str
    items: list[PlanItem]


class Plan(Schema):
    index_number: str | None
    title: str
    sections: list[PlanSection]


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
