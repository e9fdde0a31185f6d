from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from docflow.tenancy.models import Agency, Membership, Unit, User


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "search_text"]
    autocomplete_fields = ["parent"]
    inlines = [UnitInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["agency"]
    fields = ["agency", "unit", "position", "is_clerk", "is_leader", "is_staff_member",
              "is_agency_admin", "is_active"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (("Docflow", {"fields": ["full_name"]}),)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "unit", "position", "is_clerk", "is_leader",
                    "is_staff_member", "is_agency_admin", "is_active"]
    list_filter = ["is_clerk", "is_leader", "is_staff_member", "is_agency_admin"]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    autocomplete_fields = ["user", "agency"]
