"""The auditors' export filters: the public listing's filters plus status and date of last change.

Built on `RecordFilter` so an export can reproduce exactly what a listing showed; the start
queryset is all records (auditors see drafts and withdrawn records), never `public_records`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from disclosure.choices import RecordStatus
from disclosure.filters import DATE_WIDGET, RecordFilter
from disclosure.models import DisclosureRecord


class RecordExportFilter(RecordFilter):
    status = django_filters.MultipleChoiceFilter(label="状态", choices=RecordStatus.choices)
    updated_from = django_filters.DateFilter(
        label="最后修改从", field_name="updated_at", lookup_expr="date__gte", widget=DATE_WIDGET
    )
    updated_to = django_filters.DateFilter(
        label="最后修改至", field_name="updated_at", lookup_expr="date__lte", widget=DATE_WIDGET
    )


class ExportFilterError(ValueError):
    """Invalid filter values; the message lists them."""


def export_queryset(*, data: Any) -> tuple[QuerySet, dict[str, Any]]:
    """All records matching the filters, and the cleaned filters as recorded in the audit log."""
    filterset = RecordExportFilter(data=data, queryset=DisclosureRecord.objects.all())
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
        )
        raise ExportFilterError(f"筛选条件无效:{problems}")
    used = {
        name: (str(value) if not isinstance(value, list) else [str(v) for v in value])
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "", [])
    }
    return filterset.qs, used
