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
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from disclosure.changes import announce_public_change
from disclosure.models import DisclosureRecord
from portal.demo import Cast, SampleSite
from portal.demo.annual_report import add_annual_report
from portal.demo.guide import add_guide
from portal.demo.plans import add_plans
from portal.demo.records import add_records, add_workflow_states
from portal.demo.requests import add_requests

SEED = 2026
RECORDS_PER_YEAR = 56


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
    cast = Cast(
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
        published = add_records(rng, cast, today, summary, records_per_year)
        add_workflow_states(rng, cast, today, summary)
        add_plans(rng, cast, today, summary)
        add_requests(rng, today, summary)
        add_annual_report(cast, today, summary, published)
        add_guide(today)
        # backdating and plan items use queryset.update(), which sends no post_save
        announce_public_change()
    return summary
