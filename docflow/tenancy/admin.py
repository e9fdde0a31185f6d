"""The system administration of agencies, units, people and memberships, in Vietnamese."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from docflow.core.admin_labels import LabelledAdmin
from docflow.tenancy.models import Agency, Membership, Unit, User

admin.site.site_header = _("Quản trị hệ thống Docflow")
admin.site.site_title = _("Quản trị Docflow")
admin.site.index_title = _("Quản trị hệ thống")

MEMBERSHIP_LABELS = {
    "user": _("người dùng"), "agency": _("cơ quan"), "unit": _("phòng, ban"),
    "is_active": _("đang làm việc"), "created_at": _("ngày thêm"),
}


class UnitInline(LabelledAdmin, admin.TabularInline):
    model = Unit
    extra = 0
    labels = {"is_active": _("đang hoạt động")}


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "search_text"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [UnitInline]


class MembershipInline(LabelledAdmin, admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["agency"]
    fields = ["agency", "unit", "position", "is_clerk", "is_leader", "is_staff_member",
              "is_agency_admin", "is_active"]
    labels = MEMBERSHIP_LABELS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "user")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Docflow"), {"fields": ["full_name"]}),)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(LabelledAdmin, admin.ModelAdmin):
    list_display = ["user", "agency", "unit", "position", "is_clerk", "is_leader",
                    "is_staff_member", "is_agency_admin", "is_active"]
    list_filter = ["is_clerk", "is_leader", "is_staff_member", "is_agency_admin", "is_active"]
    list_select_related = ["user", "agency", "unit"]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    autocomplete_fields = ["user", "agency"]
    labels = MEMBERSHIP_LABELS
