"""The system administration of agencies, units, people and memberships, in Vietnamese."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from docflow.core.admin_labels import LabelledAdmin
from docflow.tenancy.directory_import import DirectoryInvalid, directory_check, directory_import
from docflow.tenancy.models import Agency, AgencyAlias, Membership, Unit, User

MAX_DIRECTORY_BYTES = 20 * 1024 * 1024

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
    change_list_template = "admin/tenancy/agency/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("nhap-danh-muc/", view, name="tenancy_agency_import"), *super().get_urls()]

    def import_view(self, request):
        """Upload the directory CSV, read the check's report, then confirm: the command's work
        (``directory_import``), for the system administrator."""
        if not (request.user.is_superuser or request.user.has_perm("tenancy.add_agency")):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Nhập danh mục cơ quan từ tệp CSV")}
        form = DirectoryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            if request.POST.get("confirm"):
                try:
                    context["result"] = directory_import(text=text, actor=request.user)
                except DirectoryInvalid as exc:  # the directory changed since the check
                    context["plan"] = directory_check(text=text)
                    context["errors"] = exc.errors
            else:
                context["plan"] = plan = directory_check(text=text)
                context["errors"] = plan.errors
                context["text"] = text
        context["form"] = form
        return TemplateResponse(request, "admin/tenancy/agency/import.html", context)


class DirectoryUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV (UTF-8)"), required=False)
    text = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_DIRECTORY_BYTES:
                raise forms.ValidationError({"file": _("Tệp quá lớn (tối đa 20 MB).")})
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError({"file": _("Tệp phải mã hóa UTF-8.")}) from None
        if not data.get("text"):
            raise forms.ValidationError({"file": _("Chọn tệp CSV.")})
        return data


@admin.register(AgencyAlias)
class AgencyAliasAdmin(admin.ModelAdmin):
    list_display = ["code", "agency", "since"]
    search_fields = ["code", "agency__code", "agency__name"]
    list_select_related = ["agency"]
    readonly_fields = ["code", "agency", "since"]


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
