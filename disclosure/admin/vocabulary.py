"""The controlled vocabularies: organizations, the column tree, topics, genres, keywords."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from disclosure.admin.topics import GroupedTopicJsonView
from disclosure.admin.vocabulary_merge import merge_organizations_action, merge_topics_action
from disclosure.models import Category, Genre, Keyword, Organization, Topic
from disclosure.services.keywords import save_keyword


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "parent", "ordering"]
    list_filter = ["parent"]
    search_fields = ["name", "short_name", "code"]
    actions = [merge_organizations_action]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "national_column", "ordering"]
    list_filter = ["national_column"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["label", "ordering"]
    list_filter = ["parent"]
    search_fields = ["name", "parent__name"]
    actions = [merge_topics_action]

    def get_urls(self):
        grouped = GroupedTopicJsonView.as_view(admin_site=self.admin_site)
        return [
            path(
                "grouped-autocomplete/",
                self.admin_site.admin_view(grouped),
                name="disclosure_topic_grouped_autocomplete",
            ),
            *super().get_urls(),
        ]


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "ordering"]
    search_fields = ["name"]


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    search_fields = ["name"]

    def save_model(self, request, obj, form, change) -> None:
        save_keyword(keyword=obj)
