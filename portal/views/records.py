from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from disclosure.models import Category, DisclosureRecord
from disclosure.selectors import public_record_detail, public_records, was_withdrawn


def home(request: HttpRequest) -> HttpResponse:
    latest = public_records().for_listing().order_by("-published_at", "-id")[:10]
    roots = Category.objects.filter(parent=None).prefetch_related("children__children")
    return render(request, "portal/home.html", {"latest": latest, "roots": roots})


def category(request: HttpRequest, slug: str) -> HttpResponse:
    node = get_object_or_404(Category.objects.select_related("parent"), slug=slug)
    records = (
        public_records()
        .filter(category_id__in=node.descendant_ids())
        .for_listing()
        .order_by("-publication_date", "-id")
    )
    page = Paginator(records, 20).get_page(request.GET.get("page"))
    return render(request, "portal/category.html", {"category": node, "page": page})


def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        record = public_record_detail(pk=pk)
    except DisclosureRecord.DoesNotExist:
        if was_withdrawn(pk=pk):
            return render(request, "portal/withdrawn.html", status=410)
        raise Http404("没有找到该信息。") from None
    return render(request, "portal/record.html", {"record": record})
