from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from docflow.audit.models import AuditEvent
from docflow.core.admin_labels import LabelledAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(LabelledAdmin, admin.ModelAdmin):
    list_display = ["created_at", "agency", "actor", "action", "object_type", "state_before", "state_after"]
    list_filter = ["action", "object_type"]
    list_select_related = ["agency", "actor"]
    search_fields = ["object_id", "action"]
    labels = {
        "id": _("mã sự kiện"), "created_at": _("thời điểm"), "agency": _("cơ quan"), "actor": _("người thực hiện"),
        "actor_label": _("bên ngoài thực hiện"), "object_type": _("loại đối tượng"), "object_id": _("mã đối tượng"),
        "state_before": _("trạng thái trước"), "state_after": _("trạng thái sau"), "data": _("chi tiết"),
    }

    # The log is append-only, in the admin too.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
