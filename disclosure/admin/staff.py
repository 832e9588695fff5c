"""Which organization each staff member belongs to (the scope of what they see and change).

Set on the user's own admin page (an inline), or listed under 工作人员所属机构.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from disclosure.models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organization"]
    list_filter = ["organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = True
    autocomplete_fields = ["organization"]
    extra = 0
    max_num = 1


User = get_user_model()
if admin.site.is_registered(User) and type(admin.site._registry[User]) is UserAdmin:
    admin.site.unregister(User)

    @admin.register(User)
    class StaffUserAdmin(UserAdmin):
        inlines = [*UserAdmin.inlines, StaffProfileInline]
