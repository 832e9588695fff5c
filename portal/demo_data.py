"""The demo's sample site (`setup_demo`): what a real bureau's portal holds after five years.

A few hundred records across every column and the last five years (文号, validity, expired and
repealed ones, keywords, small real PDF and DOCX attachments), a work plan per year with items
in every state, 依申请公开 requests in every state with deadlines falling due, and last year's
annual report computed. Everything is made through the services (workflow, plans, requests,
annual report), so revisions, index numbers, the search index and the audit log are real.

Deterministic for a given day: one seeded Random, dates counted back from `today`. The records
were published over five years, so after publishing each one its 发布时间 is set back to its
公开日期 (the audit log still says when the demo was set up).

Built once: a database that already holds records other than the seed fixture's is left alone,
so re-running `setup_demo` never touches what a person added or changed.
"""

from __future__ import annotations

import datetime
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from applications import services as request_services
from applications.models import ReceiptChannel, ReplyReason, ReplyType
from disclosure.attachments import check_upload
from disclosure.changes import announce_public_change
from disclosure.choices import (
    DisclosureForm,
    DisclosureMethod,
    DisclosurePeriod,
    DisclosureScope,
    NormativeKind,
)
from disclosure.generator import KEYWORDS, SENTENCES, SUBJECTS
from disclosure.models import Attachment, Category, DisclosureRecord, Genre, Organization, Topic
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
from plans.choices import PlanItemStatus
from plans.models import PlanItem
from plans.services import change_item_status, split_plan
from portal.models import InformationGuide, SiteSettings
from reports.models import AnnualReport
from reports.services import refresh_annual_report, submit_annual_report

SEED = 2026
YEARS = 5
RECORDS_PER_YEAR = 56
BUREAU = "无锡市教育局"
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
PLAN_HEADINGS = [
    "深化教育综合改革",
    "推进义务教育优质均衡",
    "加快学前教育普惠发展",
    "提升职业教育办学水平",
    "加强教师队伍建设",
    "筑牢校园安全防线",
    "推进教育数字化转型",
]
APPLICANTS = [
    ("王建国", "13912340001", "2020年全市中小学校舍安全检查结果"),
    ("李秀英", "13912340002", "本区义务教育学校招生划片范围的依据"),
    ("张伟", "13912340003", "民办学校收费标准核定文件"),
    ("刘洋", "13912340004", "2023年学生资助资金分配明细"),
    ("陈静", "13912340005", "某小学食堂食品安全检查记录"),
    ("杨帆", "13912340006", "城镇小区配套幼儿园移交情况"),
    ("赵磊", "13912340007", "校外培训机构资金监管账户名单"),
    ("黄敏", "13912340008", "教师职称评审结果及评分细则"),
    ("周杰", "13912340009", "高中学业水平考试考点安排"),
    ("吴婷", "13912340010", "教育督导评估报告全文"),
    ("徐强", "13912340011", "智慧校园建设项目合同"),
    ("孙丽", "13912340012", "学生近视防控专项经费使用情况"),
]


@dataclass
class SampleSite:
    records: int = 0
    attachments: int = 0
    plan_items: int = 0
    requests: int = 0
    reports: int = 0
    built: bool = False


@dataclass
class _Cast:
    author: Any
    reviewer: Any
    publisher: Any


def load_missing(fixture: str) -> tuple[int, set[int]]:
    """Load the objects of `fixture` that are not in the database yet; never overwrite one.

    `loaddata` would write every object again, resetting the seed record's 浏览次数 and any
    edit a person made in the admin. Returns how many were added and the fixture's record ids.
    """
    path = next(
        Path(d) / f"{fixture}.json"
        for d in settings.FIXTURE_DIRS
        if (Path(d) / f"{fixture}.json").is_file()
    )
    added, models, record_ids = 0, set(), set()
    with transaction.atomic():
        for obj in serializers.deserialize("json", path.read_text(encoding="utf-8")):
            model = type(obj.object)
            if model is DisclosureRecord:
                record_ids.add(obj.object.pk)
            if model._default_manager.filter(pk=obj.object.pk).exists():
                continue
            obj.save()
            added += 1
            models.add(model)
        if models:  # PostgreSQL: move the id sequences past the fixture's explicit ids
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
                    cursor.execute(sql)
    return added, record_ids


def sample_data_wanted(*, fixture_record_ids: set[int]) -> bool:
    """Only an otherwise empty portal gets sample data: nothing a person made is touched."""
    return not DisclosureRecord.objects.exclude(pk__in=fixture_record_ids).exists()


def build_sample_site(
    *,
    today: datetime.date | None = None,
    seed: int = SEED,
    records_per_year: int = RECORDS_PER_YEAR,
) -> SampleSite:
    """Build the sample site (the caller checks `sample_data_wanted` first)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    users = get_user_model().objects
    cast = _Cast(
        author=users.get(username="demo"),
        reviewer=users.get(username="demo-reviewer"),
        publisher=users.get(username="demo-publisher"),
    )
    summary = SampleSite(built=True)
    # All or nothing; and notifications of hundreds of submissions would only flood the console.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        published = _records(rng, cast, today, summary, records_per_year)
        _workflow_states(rng, cast, today, summary)
        _plans(rng, cast, today, summary)
        _requests(rng, today, summary)
        _annual_report(cast, today, summary, published)
        _guide(today)
        # backdating and plan items use queryset.update(), which sends no post_save
        announce_public_change()
    return summary


# Records ------------------------------------------------------------------------------------


def _vocabulary() -> dict[str, Any]:
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


def _record_fields(
    rng: random.Random, vocab: dict, issued: datetime.date, today: datetime.date
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


def _publish(
    cast: _Cast, record: DisclosureRecord, *, at: datetime.datetime | None = None
) -> DisclosureRecord:
    record = submit_record(record=record, actor=cast.author)
    record = approve_record(
        record=record,
        actor=cast.reviewer,
        confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )
    return publish_record(record=record, actor=cast.publisher, at=at)


def _draft(cast: _Cast, fields: dict, keywords: list[str]) -> DisclosureRecord:
    return create_draft(record=DisclosureRecord(**fields), actor=cast.author, keywords=keywords)


def _records(
    rng: random.Random, cast: _Cast, today: datetime.date, summary: SampleSite, per_year: int
) -> list[DisclosureRecord]:
    vocab = _vocabulary()
    published: list[DisclosureRecord] = []
    start = today - datetime.timedelta(days=365 * YEARS)
    days = sorted(rng.randint(0, (today - start).days) for _ in range(per_year * YEARS))
    for offset in days:
        issued = start + datetime.timedelta(days=offset)
        fields, keywords = _record_fields(rng, vocab, issued, today)
        record = _publish(cast, _draft(cast, fields, keywords))
        published.append(record)
        if rng.random() < 0.25:
            summary.attachments += _attach(rng, record)
    _backdate(published)
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


def _repeal_normative(cast: _Cast, published: list[DisclosureRecord], *, year: int) -> None:
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


def _backdate(records: list[DisclosureRecord]) -> None:
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


def _workflow_states(
    rng: random.Random, cast: _Cast, today: datetime.date, summary: SampleSite
) -> None:
    """This month's work in every state: drafts, under review, approved, rejected, scheduled."""
    vocab = _vocabulary()

    def fresh(days_ago: int) -> DisclosureRecord:
        fields, keywords = _record_fields(rng, vocab, today - datetime.timedelta(days_ago), today)
        fields["publication_date"] = None
        summary.records += 1
        return _draft(cast, fields, keywords)

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
    _publish(cast, fresh(1), at=tomorrow)  # 定时发布
    corrected = _publish(cast, fresh(12))  # 撤回 and back to a draft to correct
    withdraw_record(record=corrected, actor=cast.publisher, reason="附件版本有误")
    redraft_record(record=corrected, actor=cast.author)


# Attachments: small real files, made here ---------------------------------------------------


def _pdf(title: str) -> bytes:
    """A one-page PDF (Latin text: the base-14 fonts hold no Chinese), built by hand."""
    text = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 770 Td (Wuxi Education Bureau - {text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _docx(title: str, paragraphs: list[str]) -> bytes:
    """A minimal Word document (WordprocessingML in a zip), Chinese text included."""
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in [title, *paragraphs])
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), xml.encode("utf-8"))
    return buffer.getvalue()


def _attach(rng: random.Random, record: DisclosureRecord) -> int:
    """One or two attachments, checked by the same content check as an upload in the admin."""
    files = [(f"{record.title}.pdf", _pdf(f"record {record.pk}"))]
    if rng.random() < 0.5:
        paragraphs = [p for p in SENTENCES if p[:2] in record.body][:3]
        files.append((f"{record.title}(附件).docx", _docx(record.title, paragraphs)))
    for position, (name, content) in enumerate(files):
        upload = ContentFile(content, name=name)
        checked = check_upload(upload)
        Attachment.objects.create(
            record=record,
            title=name.rsplit(".", 1)[0],
            file=upload,
            original_name=checked.original_name,
            size=checked.size,
            content_type=checked.content_type,
            position=position,
        )
    return len(files)


# Work plans ---------------------------------------------------------------------------------


def _plan_body(year: int, rng: random.Random) -> str:
    headings = rng.sample(PLAN_HEADINGS, k=5)
    items = "".join(
        f"<p>（{'一二三四五'[i]}）{heading}。{''.join(rng.sample(SENTENCES, k=2))}</p>"
        for i, heading in enumerate(headings)
    )
    return f"<p>一、{year}年工作要点</p>{items}"


def _plans(rng: random.Random, cast: _Cast, today: datetime.date, summary: SampleSite) -> None:
    """A work plan per year; older years' items are settled, this year's are under way."""
    vocab = _vocabulary()
    statuses_by_age = {
        0: [PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS, PlanItemStatus.IN_PROGRESS,
            PlanItemStatus.DONE, PlanItemStatus.PLANNED],
        1: [PlanItemStatus.DONE, PlanItemStatus.DONE, PlanItemStatus.IN_PROGRESS,
            PlanItemStatus.NOT_DONE, PlanItemStatus.CANCELLED],
    }  # fmt: skip
    for age in range(YEARS):
        year = today.year - age
        issued = max(datetime.date(year, 2, 20), today - datetime.timedelta(days=365 * YEARS))
        issued = min(issued, today)
        fields, keywords = _record_fields(rng, vocab, issued, today)
        fields.update(
            title=f"{year}年全市教育工作要点",
            genre=vocab["genres"]["计划"],
            category=vocab["categories"]["plans"],
            body=_plan_body(year, rng),
            valid_until=None,
            disclosure_period=DisclosurePeriod.LONG_TERM,
            disclosure_until=None,
        )
        record = _publish(cast, _draft(cast, fields, [*keywords, "计划"]))
        _backdate([record])
        summary.records += 1
        split_plan(record=record, actor=cast.author)
        items = list(
            PlanItem.objects.filter(section__plan__record=record).order_by("section", "ordinal")
        )
        statuses = statuses_by_age.get(age) or [PlanItemStatus.DONE] * 4 + [PlanItemStatus.NOT_DONE]
        for item, status, department in zip(
            items, statuses, vocab["departments"] * 2, strict=False
        ):
            PlanItem.objects.filter(pk=item.pk).update(
                responsible=department, due_on=datetime.date(year, rng.choice([6, 9, 12]), 30)
            )
            note = "" if status == PlanItemStatus.PLANNED else f"{year}年按计划推进,已报送进展。"
            if status != item.status:
                change_item_status(item=item, status=status, actor=cast.author, note=note)
            summary.plan_items += 1


# 依申请公开 ----------------------------------------------------------------------------------


def _requests(rng: random.Random, today: datetime.date, summary: SampleSite) -> None:
    """Requests in every state; the open ones fall due over the coming weeks, one is overdue."""
    clerk = get_user_model().objects.get(username="demo")
    bureau = Organization.objects.get(name=BUREAU)
    ages = [400, 380, 350, 300, 250, 200, 150, 18, 25, 32, 12, 4]
    for n, ((name, phone, wanted), age) in enumerate(zip(APPLICANTS, ages, strict=True)):
        submitted = today - datetime.timedelta(days=age)
        fields = {
            "applicant_type": "citizen",
            "applicant_name": name,
            "id_type": "resident_id",
            "id_number": _resident_id(rng, n),
            "phone": phone,
            "email": f"applicant{n + 1}@example.com",
            "address": f"江苏省无锡市梁溪区解放南路{n + 1}号",
            "description": wanted,
        }
        channel = rng.choice([ReceiptChannel.IN_PERSON, ReceiptChannel.MAIL])
        request = request_services.register_request(
            actor=clerk,
            organization=bureau,
            channel=channel,
            fields=fields,
            submitted_on=submitted - datetime.timedelta(days=2 * (channel == ReceiptChannel.MAIL)),
            signed_for_on=submitted if channel == ReceiptChannel.MAIL else None,
            now=timezone.now(),
        )
        summary.requests += 1
        _advance_request(n, request, clerk, today)


def _resident_id(rng: random.Random, n: int) -> str:
    """A resident ID number with a valid check digit (GB 11643), born 1960-1999."""
    body = f"320202{1960 + rng.randint(0, 39)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 99):02d}{n % 10}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _advance_request(n: int, request, clerk, today: datetime.date) -> None:
    s = request_services
    received = request.received_on
    answered_types = [
        (ReplyType.DISCLOSED, ""),
        (ReplyType.PARTIAL, ""),
        (ReplyType.REFUSED, ReplyReason.REFUSED_PROCESS),
        (ReplyType.UNABLE, ReplyReason.UNABLE_NOT_HELD),
        (ReplyType.NOT_PROCESSED, ReplyReason.NOT_PROCESSED_REPEAT),
        (ReplyType.DISCLOSED, ""),
    ]
    if n < 6:  # answered, and the older ones closed (办结)
        reply_type, reason = answered_types[n]
        request = s.answer_request(
            request=request,
            actor=clerk,
            reply_type=reply_type,
            reply_reason=reason,
            replied_on=min(received + datetime.timedelta(days=15), today),
        )
        if n < 4:
            s.close_request(request=request, actor=clerk, note="申请人已签收答复书。")
    elif n == 6:  # answered after a correction (补正)
        notice_day = received + datetime.timedelta(days=2)
        request = s.request_correction(
            request=request,
            actor=clerk,
            notice="请说明所需信息的年份和学校名称。",
            correction_due_on=notice_day + datetime.timedelta(days=15),
            today=notice_day,
        )
        request = s.receive_correction(
            request=request, actor=clerk, received_on=notice_day + datetime.timedelta(days=5)
        )
        s.answer_request(
            request=request,
            actor=clerk,
            reply_type=ReplyType.DISCLOSED,
            replied_on=notice_day + datetime.timedelta(days=20),
        )
    elif n == 7:  # 已延期, due soon
        approver = get_user_model().objects.get(username="demo")
        s.extend_request(
            request=request,
            actor=clerk,
            approver=approver,
            days=20,
            reason="需调取多个学校的档案材料。",
            today=today,
        )
    elif n == 8:  # 征求第三方意见
        s.start_consultation(
            request=request,
            actor=clerk,
            started_on=today - datetime.timedelta(days=5),
            note="涉及第三方商业秘密,已书面征求意见。",
        )
    elif n == 10:  # 待补正
        s.request_correction(
            request=request,
            actor=clerk,
            notice="请补充所需信息的具体名称或文号。",
            correction_due_on=today + datetime.timedelta(days=10),
            today=received + datetime.timedelta(days=2),
        )
    elif n == 11:  # 待申请人确认收费 (信息处理费, 国办函〔2020〕109号)
        s.notify_fee(
            request=request, actor=clerk, basis="by_volume", quantity=120, notified_on=today
        )
    # n == 9 stays 已受理, overdue.


# The annual report --------------------------------------------------------------------------


def _annual_report(
    cast: _Cast, today: datetime.date, summary: SampleSite, published: list[DisclosureRecord]
) -> None:
    bureau = Organization.objects.get(name=BUREAU)
    year = today.year - 1
    last_year = [r for r in published if r.publication_date and r.publication_date.year == year]
    with transaction.atomic():
        report, created = AnnualReport.objects.get_or_create(
            organization=bureau,
            year=year,
            defaults={
                "overview": (
                    f"{year}年,{BUREAU}认真贯彻《中华人民共和国政府信息公开条例》,全年主动公开"
                    f"政府信息{len(last_year)}条,依法办理政府信息公开申请,"
                    "持续加强平台建设和监督保障。"
                )
            },
        )
    if not created:  # the bureau's own report for that year is theirs
        return
    report = refresh_annual_report(report=report, actor=cast.author)
    # 部门编制,经办公室审核后公开: compiled, reviewed and published like any record.
    report = submit_annual_report(report=report, actor=cast.author)
    record = report.record
    assert record is not None  # submission makes the report's record
    approve_record(
        record=record,
        actor=cast.reviewer,
        confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )
    publish_record(record=record, actor=cast.publisher)
    summary.reports += 1


# The 指南 (Article 12) ------------------------------------------------------------------------


def _guide(today: datetime.date) -> None:
    """A guide whose contact details are the footer's (站点设置), updated this year."""
    if InformationGuide.objects.exists():
        return
    contact = SiteSettings.load().contact  # 地址:… 电话:…
    address = contact.split("地址:")[-1].split()[0] if "地址:" in contact else "无锡市"
    phone = contact.split("电话:")[-1].split()[0] if "电话:" in contact else "0510-00000000"
    InformationGuide.objects.create(
        agency_name=f"{BUREAU}办公室(政府信息公开工作机构)",
        address=address,
        postcode="214000",
        office_hours="工作日 上午8:30—12:00,下午13:30—17:30(法定节假日除外)",
        phone=phone,
        fax=phone,
        email="xxgk@example.gov.cn",
        organization_structure=(
            f"{BUREAU}内设办公室、发展规划处、基础教育处、高等教育处、职业教育与社会教育处、"
            "人事处等机构。各机构职能见「机构概况」栏目。"
        ),
        classification=(
            "主动公开的政府信息按「政府信息公开指南」「政府信息公开制度」「法定主动公开内容」"
            "「政府信息公开工作年度报告」「依申请公开」分类,法定主动公开内容下设机构概况、"
            "法规文件及解读、规划计划、财政信息等栏目。"
        ),
        arrangement=(
            "每条信息有唯一的信息索引号,由机构代码、年份和顺序号组成(如014006470/2024-00001);"
            "目录内的信息按公开日期倒序排列,可按主题、体裁、发布机构和年份筛选。"
        ),
        access_methods=(
            "本机关通过本网站、《无锡市人民政府公报》、新闻发布会、政务新媒体以及政府信息"
            "查阅场所主动公开政府信息。"
        ),
        reading_rooms=(
            "无锡市档案馆、无锡市图书馆政府信息查阅点:工作日9:00—17:00,"
            "提供本机关主动公开的政府信息查阅。"
        ),
        application_channels=(
            "网上申请:通过本网站「依申请公开」在线提交;信函申请:寄至本机关办公地址,"
            "信封注明「政府信息公开申请」;当面申请:办公时间内到本机关办公室填写申请表。"
        ),
        correction=(
            "申请内容不明确的,本机关自收到申请之日起7个工作日内一次性告知申请人补正,"
            "补正所需时间不计入答复期限;无正当理由逾期不补正的,视为放弃申请。"
        ),
        third_party=(
            "申请公开的信息涉及第三方合法权益的,本机关书面征求第三方意见,第三方应在15个工作日"
            "内提出意见;征求意见所需时间不计入答复期限。"
        ),
        extension=(
            "本机关自收到申请之日起20个工作日内答复;需要延长的,经政府信息公开工作机构负责人"
            "同意并告知申请人,延长期限最长不超过20个工作日。"
        ),
        fees=(
            "申请公开政府信息一般不收费;申请数量、频次明显超过合理范围的,依照国办函〔2020〕"
            "109号按件或按量收取信息处理费。"
        ),
        remedies=(
            "认为本机关在政府信息公开工作中侵犯其合法权益的,可以向上一级行政机关或政府信息"
            "公开工作主管部门投诉、举报,也可以依法申请行政复议或者提起行政诉讼。"
        ),
        updated_on=today,
    )

