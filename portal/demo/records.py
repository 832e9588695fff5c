"""Five years of published records across every column (文号, validity, repealed and withdrawn
ones, keywords, attachments), and this month's work in every workflow state."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from disclosure.choices import (
    DisclosureForm,
    DisclosureMethod,
    DisclosurePeriod,
    DisclosureScope,
    NormativeKind,
)
from disclosure.generator import KEYWORDS, SENTENCES, SUBJECTS
from disclosure.models import Category, DisclosureRecord, Genre, Organization, Topic
from disclosure.services.editing import create_draft
from disclosure.workflow import (
    approve_record,
    publish_record,
    redraft_record,
    reject_record,
    repeal_record,
    submit_record,
    withdraw_record,
)
from portal.demo import BUREAU, YEARS, Cast, SampleSite
from portal.demo.files import attach_files

#: (title pattern, 体裁, 目录 slug or None for any)
KINDS = [
    ("关于做好{year}年{subject}工作的通知", "通知", None),
    ("关于印发《{subject}实施方案》的通知", "通知", "regulations"),
    ("关于进一步加强{subject}的意见", "意见", "regulations"),
    ("关于{subject}情况的通报", "通报", "supervision"),
    ("关于公布{year}年{subject}结果的公告", "公告", "news"),
    ("{year}年{subject}专项资金分配情况", "其他", "finance"),
    ("{year}年{subject}统计数据", "其他", "statistics"),
    ("{year}年{subject}项目采购结果公告", "公告", "procurement"),
    ("{year}年{subject}工作动态", "其他", "news"),
]


def vocabulary() -> dict[str, Any]:
    bureau = Organization.objects.get(name=BUREAU)
    return {
        "bureau": bureau,
        "departments": list(Organization.objects.filter(parent=bureau).order_by("pk")),
        "categories": {
            c.slug: c
            for c in Category.objects.filter(children__isnull=True)
            .exclude(slug__in=["annual-reports", "on-request", "guide"])
            .order_by("pk")
        },
        "genres": {g.name: g for g in Genre.objects.all()},
        "topics": list(Topic.objects.exclude(parent=None).order_by("pk")),
    }


def _body(rng: random.Random, paragraphs: int) -> str:
    return "".join(
        "<p>" + "".join(rng.sample(SENTENCES, k=rng.randint(3, 5))) + "</p>"
        for _ in range(paragraphs)
    )


def record_fields(
    rng: random.Random, vocab: dict[str, Any], issued: datetime.date, today: datetime.date
) -> tuple[dict[str, Any], list[str]]:
    pattern, genre, slug = rng.choice(KINDS)
    subject = rng.choice(SUBJECTS)
    title = pattern.format(year=issued.year, subject=subject)
    department = rng.choice(vocab["departments"])
    publication = min(issued + datetime.timedelta(days=rng.randint(0, 6)), today)
    fields: dict[str, Any] = {
        "title": title,
        "organization": vocab["bureau"],
        "department": department,
        "category": vocab["categories"].get(slug) or rng.choice(list(vocab["categories"].values())),
        "topic": rng.choice(vocab["topics"]),
        "genre": vocab["genres"][genre],
        "document_number": (
            f"锡教{rng.choice('发办规')}〔{issued.year}〕{rng.randint(1, 160)}号"
            if rng.random() < 0.6
            else ""
        ),
        "issued_on": issued,
        "publication_date": publication,
        "disclosure_forms": [DisclosureForm.WEBSITE]
        + ([DisclosureForm.DOCUMENT] if rng.random() < 0.5 else [])
        + ([DisclosureForm.GAZETTE] if rng.random() < 0.15 else []),
        "disclosure_scope": DisclosureScope.PUBLIC,
        "summary": f"{department.name}发布{title},涉及{subject}。",
        "body": _body(rng, rng.randint(3, 6)),
        "source": department.name,
        "effective_on": issued if rng.random() < 0.3 else None,
    }
    if "规〔" in fields["document_number"]:  # 锡教规: the bureau's 行政规范性文件 (table two)
        fields["normative_kind"] = NormativeKind.NORMATIVE
        fields["registration_number"] = f"WXJY-{issued.year}-{issued:%m%d}"
    roll = rng.random()
    if roll < 0.12:  # valid for a while: some of these have run out (失效)
        fields["valid_until"] = issued + datetime.timedelta(days=rng.choice([365, 730, 1095]))
    elif roll < 0.17:
        fields["disclosure_period"] = DisclosurePeriod.TIME_LIMITED
        fields["disclosure_until"] = publication + datetime.timedelta(days=rng.choice([90, 180]))
    keywords = rng.sample(KEYWORDS, k=rng.randint(1, 4))
    return fields, keywords


def publish(
    cast: Cast, record: DisclosureRecord, *, at: datetime.datetime | None = None
) -> DisclosureRecord:
    record = submit_record(record=record, actor=cast.author)
    record = approve_record(
        record=record,
        actor=cast.reviewer,
        confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )
    published: DisclosureRecord = publish_record(record=record, actor=cast.publisher, at=at)
    return published


def draft(cast: Cast, fields: dict[str, Any], keywords: list[str]) -> DisclosureRecord:
    return create_draft(record=DisclosureRecord(**fields), actor=cast.author, keywords=keywords)


def add_records(
    rng: random.Random, cast: Cast, today: datetime.date, summary: SampleSite, per_year: int
) -> list[DisclosureRecord]:
    vocab = vocabulary()
    published: list[DisclosureRecord] = []
    start = today - datetime.timedelta(days=365 * YEARS)
    days = sorted(rng.randint(0, (today - start).days) for _ in range(per_year * YEARS))
    for offset in days:
        issued = start + datetime.timedelta(days=offset)
        fields, keywords = record_fields(rng, vocab, issued, today)
        record = publish(cast, draft(cast, fields, keywords))
        published.append(record)
        if rng.random() < 0.25:
            summary.attachments += attach_files(rng, record)
    backdate(published)
    # 废止: a few older normative documents replaced by a later one.
    older = [r for r in published if r.issued_on < today - datetime.timedelta(days=400)]
    for record in rng.sample(older, k=min(8, len(older))):
        newer = next((r for r in published if r.issued_on > record.issued_on + _YEAR), None)
        repeal_record(
            record=record,
            actor=cast.publisher,
            repealed_on=(newer.issued_on if newer else today),
            repealed_by=newer,
            reason="已被新文件替代",
        )
    _repeal_normative(cast, published, year=today.year - 1)
    # 撤回: two published in error.
    for record in rng.sample(published[-60:], k=2):
        withdraw_record(record=record, actor=cast.publisher, reason="信息有误,更正后重新发布")
        published.remove(record)
    summary.records += len(days)
    return published


_YEAR = datetime.timedelta(days=365)


def _repeal_normative(cast: Cast, published: list[DisclosureRecord], *, year: int) -> None:
    """Last year's first 行政规范性文件 replaces the oldest one still in force, so that the
    annual report's table two shows a 本年废止 as well as 本年制发 and 现行有效."""
    normative = [r for r in published if r.normative_kind == NormativeKind.NORMATIVE]
    newer = next((r for r in normative if r.issued_on.year == year), None)
    older = (
        DisclosureRecord.objects.filter(
            pk__in=[r.pk for r in normative], repealed_on__isnull=True, issued_on__year__lt=year
        )
        .order_by("issued_on", "pk")
        .first()
    )
    if newer is not None and older is not None:
        repeal_record(
            record=older,
            actor=cast.publisher,
            repealed_on=newer.issued_on,
            repealed_by=newer,
            reason="已被新的规范性文件替代",
        )


def backdate(records: list[DisclosureRecord]) -> None:
    """发布时间 at the 公开日期 (9:00-17:00): the archive was published over the years."""
    now = timezone.now()
    for record in records:
        assert record.publication_date is not None  # published records have one
        moment = datetime.datetime.combine(
            record.publication_date, datetime.time(9 + record.pk % 8, (record.pk * 7) % 60)
        )
        DisclosureRecord.objects.filter(pk=record.pk).update(
            published_at=min(timezone.make_aware(moment), now)
        )


def add_workflow_states(
    rng: random.Random, cast: Cast, today: datetime.date, summary: SampleSite
) -> None:
    """This month's work in every state: drafts, under review, approved, rejected, scheduled."""
    vocab = vocabulary()

    def fresh(days_ago: int) -> DisclosureRecord:
        fields, keywords = record_fields(rng, vocab, today - datetime.timedelta(days_ago), today)
        fields["publication_date"] = None
        summary.records += 1
        return draft(cast, fields, keywords)

    for days_ago in (1, 3, 9):
        fresh(days_ago)  # 草稿
    for days_ago in (2, 5):
        submit_record(record=fresh(days_ago), actor=cast.author)  # 待审核
    for days_ago in (4, 6):  # 已审核, waiting for the publisher
        approve_record(
            record=submit_record(record=fresh(days_ago), actor=cast.author),
            actor=cast.reviewer,
            confidentiality_reviewed=True,
            disclosure_method=DisclosureMethod.PROACTIVE,
        )
    rejected = submit_record(record=fresh(7), actor=cast.author)  # 退回
    reject_record(record=rejected, actor=cast.reviewer, reason="请补充文件编号和附件后再提交。")
    tomorrow = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(9))
    )
    publish(cast, fresh(1), at=tomorrow)  # 定时发布
    corrected = publish(cast, fresh(12))  # 撤回 and back to a draft to correct
    withdraw_record(record=corrected, actor=cast.publisher, reason="附件版本有误")
    redraft_record(record=corrected, actor=cast.author)
