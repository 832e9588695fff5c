"""The listing FilterSet: one definition of the public filters, shared by listing, search and API.

It lives in the domain (not portal/) because the auditors' exports, a domain feature with its
own command, filter exactly as the public listing does (docs/decisions/0002-filters-in-domain.md).

Filters live in the URL, so a filtered view can be bookmarked and shared. An invalid value makes
the FilterSet invalid; callers then show the form errors and an empty result, never the
unfiltered list (see `filter_records`).
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from disclosure.choices import DisclosureMethod, ValidityStatus
from disclosure.models import Category, DisclosureRecord, Genre, Organization, Topic
from disclosure.numbers import NumberField, NumberKeyMixin
from disclosure.selectors import listing_generation

SORTS = {
    "-date": ("-publication_date", "-id"),
    "date": ("publication_date", "id"),
    "-issued": ("-issued_on", "-id"),
    "issued": ("issued_on", "id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
}
SORT_CHOICES = [
    ("-date", "公开日期(新→旧)"),
    ("date", "公开日期(旧→新)"),
    ("-issued", "发文日期(新→旧)"),
    ("issued", "发文日期(旧→新)"),
    ("title", "标题(A→Z)"),
    ("-title", "标题(Z→A)"),
]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class FastSelect(forms.Select):
    """A <select> built by string joining: Django's Select renders each <option> through a
    template, and the topic list's ~130 options made the filter form most of a listing's time
    (about 200 ms of 300). Same markup as Django's (attributes, `selected`)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            mark = " selected" if key in chosen or (not chosen and key == "") else ""
            options.append(f'<option value="{escape(key)}"{mark}>{escape(label)}</option>')
        return mark_safe(  # noqa: S308 - every value above is escaped
            f"<select{flatatt(final)}>\n" + "\n".join(options) + "\n</select>"
        )


MIN_YEAR, MAX_YEAR = 1949, 2100


class NumberFilter(django_filters.Filter):
    """A whole number in ASCII digits (disclosure.numbers), not django-filter's Decimal one:
    `year=2.02e3` is no year, and `year=１２` no year a reader typed."""

    field_class = NumberField


class KeyChoiceField(NumberKeyMixin, django_filters.fields.ModelChoiceField):
    pass


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """Chosen by primary key, checked by `parse_number` before any query runs."""

    field_class = KeyChoiceField


DATE_RANGES = (
    ("issued_from", "issued_to", "发文日期"),
    ("published_from", "published_to", "公开日期"),
)


class RecordFilterForm(forms.Form):
    def clean(self) -> dict:
        """A reversed date range is an error the reader can fix, not a silently empty list."""
        data = super().clean() or {}
        for start, end, label in DATE_RANGES:
            first, last = data.get(start), data.get(end)
            if first and last and first > last:
                self.add_error(
                    end,
                    f"{label}范围有误:结束日期 {last:%Y-%m-%d} 早于开始日期 {first:%Y-%m-%d}。",
                )
        return data


class RecordFilter(django_filters.FilterSet):
    category = ModelChoiceFilter(
        label="目录",
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="filter_category",
        widget=FastSelect,
    )
    organization = ModelChoiceFilter(
        label="发布机构",
        queryset=Organization.objects.all(),
        method="filter_organization",
        widget=FastSelect,
    )
    topic = ModelChoiceFilter(
        label="主题",
        queryset=Topic.objects.select_related("parent"),
        method="filter_topic",
        widget=FastSelect,
    )
    genre = ModelChoiceFilter(label="体裁", queryset=Genre.objects.all(), widget=FastSelect)
    year = NumberFilter(
        label="年份",
        field_name="issued_on",
        lookup_expr="year",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
    )
    issued_from = django_filters.DateFilter(
        label="发文日期从", field_name="issued_on", lookup_expr="gte", widget=DATE_WIDGET
    )
    issued_to = django_filters.DateFilter(
        label="发文日期至", field_name="issued_on", lookup_expr="lte", widget=DATE_WIDGET
    )
    published_from = django_filters.DateFilter(
        label="公开日期从", field_name="publication_date", lookup_expr="gte", widget=DATE_WIDGET
    )
    published_to = django_filters.DateFilter(
        label="公开日期至", field_name="publication_date", lookup_expr="lte", widget=DATE_WIDGET
    )
    method = django_filters.ChoiceFilter(
        label="公开方式",
        field_name="disclosure_method",
        choices=[c for c in DisclosureMethod.choices if c[0] != DisclosureMethod.NOT_DISCLOSED],
        widget=FastSelect,
    )
    validity = django_filters.ChoiceFilter(
        label="效力状态",
        choices=ValidityStatus.choices,
        method="filter_validity",
        widget=FastSelect,
    )
    keyword = django_filters.CharFilter(label="关键词", max_length=50, method="filter_keyword")
    sort = django_filters.ChoiceFilter(
        label="排序",
        choices=SORT_CHOICES,
        method="apply_sort",
        empty_label="默认(最新)",
        widget=FastSelect,
    )

    class Meta:
        model = DisclosureRecord
        fields: list[str] = []
        form = RecordFilterForm

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_category(self, queryset: QuerySet, name: str, value: Category) -> QuerySet:
        return queryset.filter(category_id__in=value.descendant_ids())

    def filter_organization(self, queryset: QuerySet, name: str, value: Organization) -> QuerySet:
        """A bureau includes its departments' records, as readers expect."""
        return queryset.of_organization(value)

    def filter_topic(self, queryset: QuerySet, name: str, value: Topic) -> QuerySet:
        """A first-level topic includes its children: one `topic_id IN (…)`, which the topic
        index answers (an OR over a join to the topic table could not use it)."""
        if value.parent_id is None:
            children = Topic.objects.filter(parent=value).values_list("pk", flat=True)
            return queryset.filter(topic_id__in=[value.pk, *children])
        return queryset.filter(topic=value)

    def filter_validity(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.with_validity(value, today=self.today)

    def filter_keyword(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Exists-subquery, not a join: a record with several matching keywords is listed once."""
        from disclosure.models import RecordKeyword

        value = value.strip()
        if not value:
            return queryset
        links = RecordKeyword.objects.filter(keyword__name=value).values("record_id")
        return queryset.filter(pk__in=links)

    def apply_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS[value])

    def active_filters(self) -> list[tuple[str, str, str]]:
        """(parameter, label, shown value) for each filter in use: the removable chips."""
        if not hasattr(self, "form") or not self.form.is_bound or not self.is_valid():
            return []
        chips = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", []):
                continue
            field = self.form.fields[name]
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                shown = dict(field.choices).get(value, value)
            elif isinstance(value, datetime.date):
                shown = f"{value:%Y-%m-%d}"
            else:
                shown = str(value) if not isinstance(value, float) else f"{value:.0f}"
            chips.append((name, str(field.label), str(shown)))
        return chips


def filter_records(
    *, data, queryset: QuerySet, today: datetime.date | None = None
) -> tuple[RecordFilter, QuerySet]:
    """Apply the listing filters; an invalid filter yields the errors and an empty result."""
    filterset = RecordFilter(data=data, queryset=queryset, today=today)
    if not filterset.is_valid():
        return filterset, queryset.none()
    return filterset, filterset.qs


#: The select lists are kept this long at most when nothing retires them sooner.
CHOICES_TTL = 600


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The select lists of the vocabulary filters, cached until the next announced public
    change (a vocabulary rename or move announces one: `bump_listing_generation`)."""
    key = f"disclosure:filter-choices:{listing_generation()}"
    choices = cache.get(key)
    if choices is None:
        choices = _filter_choices()
        cache.set(key, choices, timeout=CHOICES_TTL)
    return choices


def _filter_choices() -> dict[str, list[tuple[str, str]]]:
    """One query per vocabulary, in each model's order: the category path (「一级 / 二级」)
    is built from the rows in hand, not a query per option (Category.__str__ walks its
    parents), and rows are read in full, not via a cursor."""
    rows = list(Category.objects.values_list("pk", "slug", "name", "parent_id"))
    nodes = {pk: (name, parent) for pk, _slug, name, parent in rows}

    def path(pk: int | None) -> str:
        names: list[str] = []
        while pk is not None and pk in nodes and len(names) < len(nodes):
            names.append(nodes[pk][0])
            pk = nodes[pk][1]
        return " / ".join(reversed(names))

    return {
        "category": [(slug, path(pk)) for pk, slug, _name, _parent in rows],
        "organization": [
            (str(pk), name) for pk, name in Organization.objects.values_list("pk", "name")
        ],
        # Topic.label (「教育--其他」) from one narrow read, not ~260 model instances
        "topic": [
            (str(pk), f"{parent}--{name}" if parent is not None else name)
            for pk, name, parent in Topic.objects.values_list("pk", "name", "parent__name")
        ],
        "genre": [(str(pk), name) for pk, name in Genre.objects.values_list("pk", "name")],
    }
