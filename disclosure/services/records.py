"""Creating records and their keyword lists; used by the demo data, the generator and imports."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from disclosure.actors import Actor
from disclosure.changes import announce_public_change
from disclosure.models import DisclosureRecord, Keyword, RecordKeyword
from disclosure.sanitize import sanitize_body

KEYWORD_SEPARATORS = re.compile(r"[,，;；、\s]+")


def split_keywords(text: str) -> list[str]:
    """`学校,机关,总结` (or ， ; ； 、 or spaces) → distinct names in their original order."""
    names: list[str] = []
    for name in KEYWORD_SEPARATORS.split(text or ""):
        if name and name not in names:
            names.append(name)
    return names


def set_record_keywords(*, record: DisclosureRecord, names: Iterable[str]) -> list[str]:
    """Replace the record's keywords, keeping the given order; returns the names kept.

    Announced (bulk_create reports nothing by itself): keywords are shown and searched."""
    ordered: list[str] = []
    for name in names:
        name = name.strip()
        if name and name not in ordered:
            ordered.append(name)
    existing = {k.name: k for k in Keyword.objects.filter(name__in=ordered)}
    missing = [Keyword(name=n) for n in ordered if n not in existing]
    if missing:
        Keyword.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {k.name: k for k in Keyword.objects.filter(name__in=ordered)}
    RecordKeyword.objects.filter(record=record).delete()
    RecordKeyword.objects.bulk_create(
        RecordKeyword(record=record, keyword=existing[name], position=i)
        for i, name in enumerate(ordered)
    )
    announce_public_change(record_ids=[record.pk])
    return ordered


@transaction.atomic
def create_record(
    *,
    actor: Actor | None = None,
    keywords: Iterable[str] = (),
    **fields: Any,
) -> DisclosureRecord:
    """Validate and save a new record with its keywords; raises ValidationError, saving nothing."""
    record = DisclosureRecord(**fields)
    record.body = sanitize_body(record.body)
    if actor is not None:
        record.created_by = record.updated_by = actor
    record.full_clean()
    record.save()
    set_record_keywords(record=record, names=keywords)  # announces the record
    return record
