from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from portal.models import SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row of settings: staff can edit it, never add a second or delete it."""

    list_display = ["site_name", "host_organization", "site_code", "updated_at"]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"},
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SiteSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
