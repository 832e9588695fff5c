"""主题 in the record form: a searchable choice grouped by parent (一级主题 as option groups).

The admin's autocomplete (select2) searches the name of a topic and of its parent; the answer
comes grouped, so 「教育」 lists 教育's children under one heading instead of 129 values with
parents and children interleaved.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse


class GroupedTopicJsonView(AutocompleteJsonView):
    """Django's autocomplete answer, with the results as select2 groups by 一级主题."""

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("parent")
            .order_by(
                Coalesce("parent__ordering", "ordering"),
                Coalesce("parent_id", "id"),
                F("parent_id").asc(nulls_first=True),
                "ordering",
                "id",
            )
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)  # checks the request and permission
        if response.status_code != 200:
            return response
        context = self.get_context_data()  # the page super() answered
        groups: dict[str, list[dict[str, str]]] = {}
        for topic in context["object_list"]:
            group = topic.parent.name if topic.parent_id else topic.name
            text = topic.name if topic.parent_id else f"{topic.name}(一级主题)"
            groups.setdefault(group, []).append({"id": str(topic.pk), "text": text})
        results = [{"text": name, "children": items} for name, items in groups.items()]
        return JsonResponse(
            {"results": results, "pagination": {"more": context["page_obj"].has_next()}}
        )


class GroupedTopicSelect(AutocompleteSelect):
    def get_url(self) -> str:
        return reverse("admin:disclosure_topic_grouped_autocomplete")
