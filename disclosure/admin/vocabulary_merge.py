"""Aliases of the controlled values, and merging two organizations or topics (issue 15).

The merge is an action of the organization and topic listings (`disclosure/admin/vocabulary.py`:
select the two, choose which stays); the work is `disclosure.services.vocabulary_merge`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from disclosure.models import Organization, Topic, VocabularyAlias
from disclosure.services.vocabulary_merge import MergeRefused, merge_organizations, merge_topics


@admin.register(VocabularyAlias)
class VocabularyAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "target_label", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "organization__name", "topic__name", "genre__name", "category__name"]
    fields = ["kind", "name", "organization", "category", "topic", "genre"]
    autocomplete_fields = ["organization", "topic", "genre", "category"]

    @admin.display(description="对应的值")
    def target_label(self, obj: VocabularyAlias) -> str:
        return str(obj.target)


def _merge_action(model, merge, description: str):
    def action(modeladmin, request: HttpRequest, queryset) -> HttpResponse | None:
        objects = list(queryset.annotate(record_count=Count("records", distinct=True)))
        if len(objects) != 2:
            modeladmin.message_user(request, "请正好选择两个进行合并。", messages.WARNING)
            return None
        if request.POST.get("apply"):
            keep = request.POST.get("keep")
            target = next((o for o in objects if str(o.pk) == keep), None)
            if target is None:
                modeladmin.message_user(request, "请选择要保留的一个。", messages.WARNING)
                return None
            source = next(o for o in objects if o.pk != target.pk)
            try:
                merge(source=source, target=target, actor=request.user)
            except MergeRefused as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
                return None
            modeladmin.message_user(request, f"已将「{source}」并入「{target}」。")
            return None
        meta = model._meta
        return render(
            request,
            "admin/disclosure/merge_vocabulary.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "opts": meta,
                "objects": objects,
                "action": request.POST.get("action", ""),
                "changelist_url": reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
            },
        )

    action.__name__ = f"merge_{model._meta.model_name}s"
    action.short_description = description  # type: ignore[attr-defined]
    action.allowed_permissions = ("change", "delete")  # type: ignore[attr-defined]
    return action


merge_organizations_action = _merge_action(Organization, merge_organizations, "合并所选的两个机构")
merge_topics_action = _merge_action(Topic, merge_topics, "合并所选的两个主题")
