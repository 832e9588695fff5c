"""The reply letter templates (答复书模板), one per kind of notice and reply, edited by staff."""

from django.contrib import admin

from applications.models import ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "reply_type", "reply_reason"]
    list_filter = ["kind", "reply_type"]
