"""The catalogue (信息公开目录) pages and the filtered listing, both on the shared FilterSet.

Filters live in the query string so a view can be bookmarked; invalid input is answered 400
with the form errors and no results, a page past the end 404, never the unfiltered list.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode

from disclosure.filters import RecordFilter, filter_records
from disclosure.models import Category
from disclosure.numbers import BadNumber, parse_number
from disclosure.selectors import public_records

PAGE_SIZE = 20
MAX_QUERY_STRING = 1000
MAX_PAGE = 999_999


class BadListingRequest(Exception):
    """Input a reader can correct: shown on the 400 page in their script."""


def _page(request: HttpRequest, queryset) -> Page:
    try:
        number = parse_number(request.GET.get("page"), minimum=1, maximum=MAX_PAGE, label="页码")
    except BadNumber as error:
        raise BadListingRequest(str(error)) from None
    try:
        return Paginator(queryset, PAGE_SIZE).page(number or 1)
    except EmptyPage:
        raise Http404(f"没有第 {number} 页。") from None


def _chips(request: HttpRequest, filterset: RecordFilter) -> list[dict[str, str]]:
    """Each active filter with the URL of the same view without it (and back on page 1)."""
    chips = []
    for name, label, shown in filterset.active_filters():
        rest = [(k, v) for k, v in request.GET.items() if k not in (name, "page") and v]
        chips.append({"label": label, "value": shown, "remove_url": "?" + urlencode(rest)})
    return chips


def _label_empty_choices(filterset: RecordFilter) -> None:
    """Selects read 全部 (all) rather than Django's dashes when no value is chosen."""
    for field in filterset.form.fields.values():
        if getattr(field, "empty_label", None) != "---------":
            continue
        field.empty_label = "全部"
        if not hasattr(field, "queryset"):  # plain choices: rebuild so the widget sees it
            field.choices = [choice for choice in field.choices if choice[0] != ""]


def _listing(
    request: HttpRequest, *, queryset, template: str, context: dict, hide: tuple[str, ...] = ()
) -> HttpResponse:
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return render(
            request, "portal/400.html", {"message": "查询条件过长,请减少筛选条件。"}, status=400
        )
    filterset, records = filter_records(data=request.GET, queryset=queryset)
    _label_empty_choices(filterset)
    context = {**context, "filterset": filterset, "hidden_filters": hide}
    if not filterset.is_valid():
        return render(request, template, {**context, "page": None, "invalid": True}, status=400)
    try:
        page = _page(request, records.for_listing())
    except BadListingRequest as error:
        return render(request, "portal/400.html", {"message": str(error)}, status=400)
    context.update(page=page, chips=_chips(request, filterset), invalid=False)
    return render(request, template, context)


def category(request: HttpRequest, slug: str) -> HttpResponse:
    node = get_object_or_404(Category.objects.select_related("parent"), slug=slug)
    queryset = (
        public_records()
        .filter(category_id__in=node.descendant_ids())
        .order_by("-publication_date", "-id")
    )
    children = node.children.all()
    return _listing(
        request,
        queryset=queryset,
        template="portal/category.html",
        context={"category": node, "children": children},
        hide=("category",),
    )


def record_list(request: HttpRequest) -> HttpResponse:
    queryset = public_records().order_by("-publication_date", "-id")
    return _listing(request, queryset=queryset, template="portal/record_list.html", context={})
