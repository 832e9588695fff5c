from django.contrib import admin

from disclosure.models import (
    Attachment,
    Category,
    DisclosureRecord,
    Genre,
    Keyword,
    Organization,
    RecordKeyword,
    Topic,
)

admin.site.site_header = "政府信息公开平台 管理后台"
admin.site.site_title = "政府信息公开平台"
admin.site.index_title = "信息公开管理"


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "parent", "ordering"]
    list_filter = ["parent"]
    search_fields = ["name", "short_name", "code"]


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
    search_fields = ["name"]


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "ordering"]
    search_fields = ["name"]


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class RecordKeywordInline(admin.TabularInline):
    model = RecordKeyword
    extra = 0
    autocomplete_fields = ["keyword"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["title", "file", "original_name", "size", "content_type", "position"]
    readonly_fields = ["original_name", "size", "content_type"]


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(admin.ModelAdmin):
    list_display = ["title", "index_number", "organization", "category", "issued_on", "status"]
    list_filter = ["status", "organization", "category", "disclosure_method"]
    search_fields = ["title", "index_number", "document_number"]
    date_hierarchy = "issued_on"
    readonly_fields = ["index_number", "status", "view_count", "version", "published_at"]
    autocomplete_fields = ["organization", "department", "topic", "genre", "repealed_by"]
    inlines = [RecordKeywordInline, AttachmentInline]
    list_select_related = ["organization", "category"]
