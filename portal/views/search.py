"""The search page: the listing filters plus a query, answered by the one search service."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from disclosure.filters import filter_records
from disclosure.numbers import number_or_none
from disclosure.selectors import public_records
from portal.views.catalogue import prepare_filter_form
from search import search_records

MAX_PAGE = 100_000


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:2000]
    filterset, records = filter_records(data=request.GET, queryset=public_records())
    prepare_filter_form(filterset)
    # A bad page number shows the first page: the search box keeps working whatever the URL.
    page = number_or_none(request.GET.get("page"), minimum=1, maximum=MAX_PAGE) or 1
    results = search_records(query=query, queryset=records, page=page)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/search.html",
        {
            "q": query,
            "filterset": filterset,
            "chips": filterset.active_filters(),
            "results": results,
            "page_query": params.urlencode(),
        },
    )
