"""The demo's sample site (disclosure/demo_data.py, run by `setup_demo`)."""

import datetime
import io
import time
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import InformationRequest, RequestState
from disclosure.attachments import detect_family
from disclosure.choices import RecordStatus, ValidityStatus
from disclosure.demo import ensure_demo_accounts
from disclosure.models import Attachment, Category, DisclosureRecord
from disclosure.models.audit import AuditEntry
from disclosure.selectors import public_records
from plans.choices import PlanItemStatus
from plans.models import PlanItem
from portal.demo_data import build_sample_site, load_missing
from reports.models import AnnualReport
from tests.factories import make_published_record

pytestmark = pytest.mark.django_db


def test_setup_demo_builds_a_populated_site_and_a_rerun_keeps_what_people_changed(client, capsys):
    started = time.monotonic()
    call_command("setup_demo", "--no-migrate")
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert "示例站点已生成" in out, out
    print(f"setup_demo built the sample site in {elapsed:.1f} s")

    today = timezone.localdate()
    public = public_records()
    assert public.count() >= 250
    years = set(public.values_list("issued_on__year", flat=True))
    assert {today.year - n for n in range(5)} <= years
    leaves = Category.objects.filter(children__isnull=True).exclude(
        slug__in=["guide", "on-request", "annual-reports"]
    )
    assert all(public.filter(category=leaf).exists() for leaf in leaves)
    assert public.exclude(document_number="").count() > 100
    validity = [r.validity_status() for r in public]
    assert validity.count(ValidityStatus.EXPIRED) >= 3
    assert validity.count(ValidityStatus.REPEALED) >= 3
    statuses = set(DisclosureRecord.objects.values_list("status", flat=True))
    assert set(RecordStatus.values) <= statuses, statuses
    assert public.filter(keywords__isnull=False).distinct().count() == public.count()
    assert public.filter(published_at__year=today.year - 3).exists()  # published over the years

    families = set()
    for attachment in Attachment.objects.select_related("record"):
        with attachment.file.open("rb") as handle:
            content = handle.read()
        families.add(detect_family(io.BytesIO(content)))
        if attachment.original_name.endswith(".docx"):
            xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
            assert attachment.record.title in xml
        else:
            assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    assert families == {"pdf", "docx"}

    assert set(PlanItemStatus.values) <= set(PlanItem.objects.values_list("status", flat=True))
    states = set(InformationRequest.objects.values_list("state", flat=True))
    assert set(RequestState.values) <= states, states
    open_requests = InformationRequest.objects.filter(
        state__in=[RequestState.RECEIVED, RequestState.EXTENDED]
    )
    due = sorted(open_requests.values_list("due_on", flat=True))
    assert due[0] < today  # one overdue, the others falling due in the coming weeks
    assert all(d < today + datetime.timedelta(days=60) for d in due)
    report = AnnualReport.objects.get(year=today.year - 1)
    assert report.computed_at is not None and sum(report.table_three["new"]) >= 3
    # table two: the bureau's 行政规范性文件 issued, repealed and in force in the report's year
    assert report.normative_issued >= 1 and report.normative_repealed >= 1
    assert report.normative_valid >= report.normative_issued
    # the 指南 (Article 12), agreeing with the footer's contact details
    from portal.guide import guide_warnings
    from portal.models import InformationGuide, SiteSettings

    guide = InformationGuide.current()
    assert guide_warnings(guide=guide, contact=SiteSettings.load().contact) == []
    assert guide.phone in client.get("/guide/").content.decode()
    assert client.get(f"/annual-reports/{report.pk}/").status_code == 200  # reviewed, published
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"create", "submit", "approve", "publish", "repeal", "withdraw", "reject"} <= actions
    assert {"request_register", "request_answer", "annual_report_refresh"} <= actions
    assert client.get("/").status_code == 200
    assert client.get("/records/", {"page": 5}).status_code == 200

    # A person uses the demo: reads, edits, adds. Re-running set-up keeps all of it.
    seed = DisclosureRecord.objects.get(pk=1)
    DisclosureRecord.objects.filter(pk=seed.pk).update(view_count=41, title="改过的标题")
    sample = public.exclude(pk=seed.pk).first()
    DisclosureRecord.objects.filter(pk=sample.pk).update(summary="工作人员改写的概述")
    mine = make_published_record(title="工作人员新增的公开信息")
    counts = (
        DisclosureRecord.objects.count(),
        Attachment.objects.count(),
        InformationRequest.objects.count(),
        PlanItem.objects.count(),
    )
    call_command("setup_demo", "--no-migrate")
    assert "示例站点数据未改动" in capsys.readouterr().out
    seed.refresh_from_db()
    assert (seed.view_count, seed.title) == (41, "改过的标题")
    sample.refresh_from_db()
    assert sample.summary == "工作人员改写的概述"
    assert DisclosureRecord.objects.filter(pk=mine.pk).exists()
    assert counts == (
        DisclosureRecord.objects.count(),
        Attachment.objects.count(),
        InformationRequest.objects.count(),
        PlanItem.objects.count(),
    )


def test_the_sample_site_is_the_same_for_the_same_day(vocabulary):
    ensure_demo_accounts(password="demo-portal-2026")
    day = datetime.date(2026, 3, 10)

    def build() -> list[tuple]:
        first = DisclosureRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
        build_sample_site(today=day, records_per_year=4)
        return list(
            DisclosureRecord.objects.filter(pk__gt=first or 0)
            .exclude(category__slug="annual-reports")  # one report per year: made once
            .order_by("pk")
            .values_list("title", "issued_on", "document_number", "valid_until", "status")
        )

    first, second = build(), build()
    assert len(first) > 30
    assert first == second


def test_a_failed_build_leaves_nothing_half_made(vocabulary):
    """Without the demo accounts the build stops at once and no record is left behind."""
    from django.contrib.auth import get_user_model

    with pytest.raises(get_user_model().DoesNotExist):
        build_sample_site(records_per_year=2)
    assert DisclosureRecord.objects.count() == 0


def test_loading_fixtures_again_overwrites_nothing(seed_data):
    DisclosureRecord.objects.filter(pk=1).update(view_count=9, summary="改过")
    added, record_ids = load_missing("seed_record")
    assert added == 0 and record_ids == {1}
    record = DisclosureRecord.objects.get(pk=1)
    assert (record.view_count, record.summary) == (9, "改过")
    PlanItem.objects.filter(section__plan__record=record).first().delete()
    assert load_missing("seed_record")[0] == 1  # what is missing comes back
