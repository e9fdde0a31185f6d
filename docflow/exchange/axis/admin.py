"""System administrators read the axis log of every agency (agency admins read theirs on the web)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from docflow.core.admin_labels import LabelledAdmin
from docflow.exchange.axis.models import AxisMessage


@admin.register(AxisMessage)
class AxisMessageAdmin(LabelledAdmin, admin.ModelAdmin):
    list_display = ["created_at", "agency", "direction", "kind", "business", "document_identifier",
                    "counterpart_code", "state", "attempts", "last_error"]
    list_filter = ["direction", "kind", "state"]
    search_fields = ["document_identifier", "remote_id", "counterpart_code", "dedup_key"]
    list_select_related = ["agency"]
    labels = {"agency": _("cơ quan"), "counterpart": _("cơ quan bên kia"), "object_id": _("mã đối tượng"),
              "dedup_key": _("khóa chống trùng"), "claimed_until": _("đang gửi đến")}

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
