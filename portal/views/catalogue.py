"""The catalogue (信息公开目录) pages and the filtered listing, both on the shared FilterSet.

Filters live in the query string so a view can be bookmarked; invalid input is answered 400
with the form errors and no results, a page past the end 404, never the unfiltered list.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode

from disclosure.filters import RecordFilter, filter_choices, filter_records
from disclosure.models import Category
from disclosure.numbers import BadNumber, parse_number
from disclosure.selectors import (
    COUNT_BOUND,
    by_publication_from_filter_index,
    listing_rows,
    listing_total,
    public_listing,
)
from portal.views.tree import column, subtree_ids

PAGE_SIZE = 20
MAX_QUERY_STRING = 1000
MAX_PAGE = 999_999
#: Pages past this are refused with a message: the first 10,000 matches are listed, and a
#: reader narrows the filters for older ones (an OFFSET of a million rows is read, then dropped).
PAGE_CAP = COUNT_BOUND // PAGE_SIZE


class CountedPaginator(Paginator):
    """A Paginator told its count (cached per filter combination), so no page counts rows.

    With `ids_first` (a moment), a page reads its ids, then its rows (`listing_rows`)."""

    def __init__(
        self,
        object_list,
        per_page: int,
        *,
        count: int,
        total: int,
        estimated: bool,
        ids_first: datetime.datetime | None = None,
    ):
        super().__init__(object_list, per_page)
        self._known_count = count
        self.total, self.total_is_estimate = total, estimated
        self.ids_first = ids_first

    def page(self, number) -> Page:
        if self.ids_first is None:
            return super().page(number)
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = listing_rows(
            self.object_list, start=start, stop=start + self.per_page, now=self.ids_first
        )
        return self._get_page(rows, number, self)

    @cached_property
    def count(self) -> int:
        return self._known_count

    @cached_property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @cached_property
    def shown_pages(self) -> int:
        return min(self.num_pages, PAGE_CAP)


class BadListingRequest(Exception):
    """Input a reader can correct: shown on the 400 page in their script."""


#: Filters on 发文日期: with them the page is sorted from the filter's index (see
#: `by_publication_from_filter_index`).
ISSUED_RANGE = ("year", "issued_from", "issued_to")


def _page(
    request: HttpRequest, queryset, *, now: datetime.datetime, issued_range: bool = False
) -> Page:
    try:
        number = parse_number(request.GET.get("page"), minimum=1, maximum=MAX_PAGE, label="页码")
    except BadNumber as error:
        raise BadListingRequest(str(error)) from None
    if number and number > PAGE_CAP:
        raise BadListingRequest(
            f"列表只显示前 {PAGE_CAP} 页(前 {PAGE_CAP * PAGE_SIZE} 条)。"
            "请缩小筛选条件(如年份、发文日期、发布机构)或使用全文检索查找更早的信息。"
        )
    count, total, estimated = listing_total(queryset, now=now)
    reordered = by_publication_from_filter_index(queryset) if issued_range else None
    paginator = CountedPaginator(
        queryset if reordered is None else reordered,
        PAGE_SIZE,
        count=count,
        total=total,
        estimated=estimated,
        ids_first=None if reordered is None else now,
    )
    try:
        return paginator.page(number or 1)
    except EmptyPage:
        raise Http404(f"没有第 {number} 页。") from None


def _chips(request: HttpRequest, filterset: RecordFilter) -> list[dict[str, str]]:
    """Each active filter with the URL of the same view without it (and back on page 1)."""
    chips = []
    for name, label, shown in filterset.active_filters():
        rest = [(k, v) for k, v in request.GET.items() if k not in (name, "page") and v]
        chips.append({"label": label, "value": shown, "remove_url": "?" + urlencode(rest)})
    return chips


def prepare_filter_form(filterset: RecordFilter) -> None:
    """Selects read 全部 (all) rather than Django's dashes when no value is chosen, and the
    vocabulary selects list `filter_choices()` (one query each, no query per option)."""
    vocabularies = filter_choices()
    for name, field in filterset.form.fields.items():
        if name in vocabularies:
            field.widget.choices = [("", "全部"), *vocabularies[name]]
            continue
        if getattr(field, "empty_label", None) != "---------":
            continue
        field.empty_label = "全部"
        if not hasattr(field, "queryset"):  # plain choices: rebuild so the widget sees it
            field.choices = [choice for choice in field.choices if choice[0] != ""]


def _listing(
    request: HttpRequest,
    *,
    queryset: Callable[[datetime.datetime], QuerySet],
    template: str,
    context: dict,
    hide: tuple[str, ...] = (),
) -> HttpResponse:
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return render(
            request, "portal/400.html", {"message": "查询条件过长,请减少筛选条件。"}, status=400
        )
    now = timezone.now()
    filterset, records = filter_records(data=request.GET, queryset=queryset(now))
    prepare_filter_form(filterset)
    context = {**context, "filterset": filterset, "hidden_filters": hide}
    if not filterset.is_valid():
        return render(request, template, {**context, "page": None, "invalid": True}, status=400)
    try:
        issued_range = any(filterset.form.cleaned_data.get(name) for name in ISSUED_RANGE)
        page = _page(request, records, now=now, issued_range=issued_range)
    except BadListingRequest as error:
        return render(request, "portal/400.html", {"message": str(error)}, status=400)
    context.update(page=page, chips=_chips(request, filterset), invalid=False)
    return render(request, template, context)


def category(request: HttpRequest, slug: str) -> HttpResponse:
    node = column(slug)
    if node is None:  # not in the cached tree: added since, or no such column
        node = get_object_or_404(Category.objects.select_related("parent"), slug=slug)
        descendants, children = node.descendant_ids(), list(node.children.all())
    else:
        descendants, children = subtree_ids(node), node.__dict__.get("branches", [])
    return _listing(
        request,
        queryset=lambda now: public_listing(now=now).filter(category_id__in=descendants),
        template="portal/category.html",
        context={"category": node, "children": children},
        hide=("category",),
    )


def record_list(request: HttpRequest) -> HttpResponse:
    return _listing(
        request,
        queryset=lambda now: public_listing(now=now),
        template="portal/record_list.html",
        context={},
    )
