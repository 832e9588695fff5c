"""Realistic synthetic records for demos and benchmarks (`generate_records --count N`).

Titles and bodies are assembled from phrases of real bureau documents; a tenth are written in
Traditional script (as some imported sites are); dates spread over the last decade; some records
are past their validity or repealed; most are published with index numbers numbered exactly as
`assign_index_number` would, in bulk.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

from django.db import transaction

from disclosure.changes import announce_public_change
from disclosure.choices import (
    DisclosureForm,
    DisclosureMethod,
    DisclosurePeriod,
    DisclosureScope,
    RecordStatus,
)
from disclosure.convert import to_traditional
from disclosure.models import (
    Category,
    DisclosureRecord,
    Genre,
    IndexSerialCounter,
    Keyword,
    Organization,
    RecordKeyword,
    Topic,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

SUBJECTS = [
    "义务教育学校招生入学",
    "普通高中学业水平考试",
    "学前教育普惠发展",
    "校外培训机构监管",
    "学生资助政策落实",
    "校园安全专项整治",
    "教师队伍建设",
    "疫情防控和教育教学",
    "职业教育产教融合",
    "教育信息化和智慧校园",
    "中小学食堂食品安全",
    "学生近视综合防控",
    "民办教育规范发展",
    "特殊教育融合发展",
    "教育督导评估",
    "冷链食品疫情防控",
    "高校毕业生就业创业",
    "劳动教育实践基地",
    "思想政治教育",
    "体育艺术素质测评",
    "学校体育场地开放",
    "城镇小区配套幼儿园治理",
    "教育现代化监测",
    "政务公开工作要点",
    "网络安全和信息化",
    "家庭经济困难学生认定",
    "集团化办学",
    "教育事业统计",
]
TITLE_PATTERNS = [
    "关于做好{year}年{subject}工作的通知",
    "关于印发《{subject}实施方案》的通知",
    "{year}年{subject}工作要点",
    "关于{subject}情况的通报",
    "{year}年全市{subject}工作总结",
    "关于进一步加强{subject}的意见",
    "关于公布{year}年{subject}结果的公告",
    "{year}年{subject}专项资金分配情况",
]
SENTENCES = [
    "全市教育系统坚持以习近平新时代中国特色社会主义思想为指导,全面落实教育大会部署要求。",
    "加快推进教育现代化建设,统筹做好疫情防控和教育教学工作。",
    "规范义务教育学校招生行为,民办学校招生纳入审批地统一管理,与公办学校同步招生。",
    "进一步做好城镇小区配套幼儿园治理,普惠性幼儿园覆盖率持续提高。",
    "严格落实学生资助各项政策,确保家庭经济困难学生应助尽助。",
    "推进全市教育(校园和校车)安全专项整治,有序推进危化品集中处置。",
    "加强校外培训机构安全管理,落实资金监管和信用监管。",
    "强化教育督导功能发挥,推动教育发展责任层层传导下移。",
    "构建市、区、校、班、家五级群防群控体系,形成联防联控工作机制。",
    "落实网络安全主体责任,完善市级网络与信息安全保障体系。",
    "各地各校要高度重视,加强组织领导,明确责任分工,确保各项工作落到实处。",
    "请各市(县)区教育局于规定时间前将有关材料报送市教育局相关处室。",
    "建立健全长效机制,定期开展检查评估,及时通报工作进展情况。",
    "鼓励学校在综合实践活动的框架下构建校本课程,创新劳动教育模式。",
    "加强骨干教师梯队建设,启动新一期中小学教育名家培养工程。",
    "按照基准定额新标准,全面落实公办学校生均公用经费。",
    "做好冷链食品疫情防控,严格落实进货查验和索证索票制度。",
    "本网站支持IPv6访问,政务公开平台按照标准化规范化要求建设。",
]
KEYWORDS = ["学校", "机关", "总结", "招生", "教育", "安全", "资助", "教师", "疫情", "督导",
            "培训", "幼儿园", "高中", "职业教育", "信息化", "食品安全"]  # fmt: skip
FORMS = [DisclosureForm.WEBSITE, DisclosureForm.DOCUMENT, DisclosureForm.GAZETTE]


def _title(rng: random.Random, year: int) -> str:
    return rng.choice(TITLE_PATTERNS).format(year=year, subject=rng.choice(SUBJECTS))


def _body(rng: random.Random, paragraphs: int) -> str:
    return "".join(
        "<p>" + "".join(rng.choices(SENTENCES, k=rng.randint(3, 6))) + "</p>"
        for _ in range(paragraphs)
    )


def generate_records(
    *,
    count: int,
    seed: int = 2020,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create `count` records in batches (each one transaction); returns how many were made."""
    rng = random.Random(seed)
    organizations = list(Organization.objects.all())
    leaf_categories = list(Category.objects.filter(children__isnull=True))
    topics = list(Topic.objects.exclude(parent=None))
    genres = list(Genre.objects.all())
    if not (organizations and leaf_categories and topics and genres):
        raise ValueError("请先载入基础数据(python manage.py setup_demo)。")
    keywords = _ensure_keywords()
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        _create_batch(rng, size, organizations, leaf_categories, topics, genres, keywords)
        made += size
        if progress:
            progress(made)
    return made


def _ensure_keywords() -> list[Keyword]:
    Keyword.objects.bulk_create([Keyword(name=n) for n in KEYWORDS], ignore_conflicts=True)
    return list(Keyword.objects.filter(name__in=KEYWORDS))


def _record_rows(
    rng: random.Random, size: int, organizations, categories, topics, genres
) -> Iterator[DisclosureRecord]:
    today = datetime.date.today()  # noqa: DTZ011 - synthetic data, any local day will do
    for _ in range(size):
        issued = today - datetime.timedelta(days=rng.randint(0, 365 * 10))
        year = issued.year
        roll = rng.random()
        status = (
            RecordStatus.PUBLISHED
            if roll < 0.95
            else RecordStatus.DRAFT
            if roll < 0.98
            else RecordStatus.WITHDRAWN
        )
        traditional = rng.random() < 0.10
        title = _title(rng, year)
        body = _body(rng, rng.randint(3, 8))
        summary = title
        if traditional:
            title, body, summary = to_traditional(title), to_traditional(body), summary
            summary = to_traditional(summary)
        validity_roll = rng.random()
        valid_until = repealed_on = None
        if validity_roll < 0.08:
            valid_until = issued + datetime.timedelta(days=rng.randint(180, 1500))
        elif validity_roll < 0.10:
            repealed_on = issued + datetime.timedelta(days=rng.randint(30, 1500))
        published_at = None
        if status != RecordStatus.DRAFT:
            published_at = datetime.datetime.combine(
                issued, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=SHANGHAI
            )
        org = rng.choice(organizations)
        yield DisclosureRecord(
            title=title,
            organization=org,
            category=rng.choice(categories),
            topic=rng.choice(topics),
            genre=rng.choice(genres),
            document_number=f"锡教发〔{year}〕{rng.randint(1, 200)}号"
            if rng.random() < 0.4
            else "",
            issued_on=issued,
            publication_date=issued if status != RecordStatus.DRAFT else None,
            disclosure_period=DisclosurePeriod.LONG_TERM,
            disclosure_forms=rng.sample(FORMS, k=rng.randint(1, 3)),
            disclosure_method=DisclosureMethod.PROACTIVE,
            disclosure_scope=DisclosureScope.PUBLIC,
            valid_until=valid_until,
            repealed_on=repealed_on,
            summary=summary,
            body=body,
            source=org.name,
            status=status,
            published_at=published_at,
            withdrawn_at=published_at if status == RecordStatus.WITHDRAWN else None,
            withdrawal_reason="演示:已撤回" if status == RecordStatus.WITHDRAWN else "",
        )


@transaction.atomic
def _create_batch(rng, size, organizations, categories, topics, genres, keywords) -> None:
    records = list(_record_rows(rng, size, organizations, categories, topics, genres))
    numbered = [r for r in records if r.published_at is not None]
    keys = set()
    for record in numbered:
        authority = record.organization.numbering_authority()
        if authority is not None:
            keys.add((authority.code, record.publication_date.year))
    IndexSerialCounter.objects.bulk_create(
        [IndexSerialCounter(code=c, year=y) for c, y in keys], ignore_conflicts=True
    )
    counters = {
        (c.code, c.year): c
        for c in IndexSerialCounter.objects.select_for_update().filter(
            code__in={c for c, _ in keys}, year__in={y for _, y in keys}
        )
    }
    for record in numbered:
        authority = record.organization.numbering_authority()
        if authority is None:
            continue
        counter = counters[(authority.code, record.publication_date.year)]
        counter.last_serial += 1
        fmt = record.organization.effective_index_format()
        record.index_code, record.index_year = authority.code, counter.year
        record.index_serial = counter.last_serial
        record.index_number = fmt.format(
            code=authority.code, year=counter.year, serial=counter.last_serial
        )
    IndexSerialCounter.objects.bulk_update(counters.values(), ["last_serial"])
    DisclosureRecord.objects.bulk_create(records, batch_size=500)
    links = []
    for record in records:
        for position, keyword in enumerate(rng.sample(keywords, k=rng.randint(1, 4))):
            links.append(RecordKeyword(record=record, keyword=keyword, position=position))
    RecordKeyword.objects.bulk_create(links, batch_size=2000)
    # bulk_create sends no post_save: the listings, feeds and sitemaps must still see them
    announce_public_change()
