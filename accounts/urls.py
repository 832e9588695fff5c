"""Mounted at /admin/2fa/ (portal/urls.py); every view needs a signed-in staff member."""

from django.contrib import admin
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", admin.site.admin_view(views.verify), name="verify"),
    path("setup/", admin.site.admin_view(views.setup), name="setup"),
    path("recovery-codes/", admin.site.admin_view(views.recovery_codes), name="recovery_codes"),
]
