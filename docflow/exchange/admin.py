"""System administrators see external agencies' keys (never the keys themselves) and the webhook log."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from docflow.exchange.clients import exchange_client_unsigned_set
from docflow.exchange.models import ExchangeClient, WebhookDelivery
from docflow.core.admin_labels import LabelledAdmin

COMMON_LABELS = {"id": _("mã"), "created_at": _("thời điểm tạo"), "agency": _("cơ quan"), "client": _("khóa liên thông")}


@admin.register(ExchangeClient)
class ExchangeClientAdmin(LabelledAdmin, admin.ModelAdmin):
    list_display = ["key_prefix", "external_agency", "webhook_url", "allow_unsigned", "created_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["revoked_at", "allow_unsigned"]
    search_fields = ["key_prefix", "external_agency__code", "external_agency__name"]
    # Keys are made and revoked with the management commands; the hash and secret stay hidden.
    readonly_fields = ["external_agency", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_sha256", "signing_secret"]
    list_select_related = ["external_agency"]
    labels = {**COMMON_LABELS, "key_prefix": _("đầu khóa"), "external_agency": _("cơ quan ngoài hệ thống"),
              "last_used_at": _("dùng lần cuối"), "revoked_at": _("thu hồi lúc")}

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        """The legacy-unsigned switch goes through the service, so it is audited."""
        if change and "allow_unsigned" in form.changed_data:
            exchange_client_unsigned_set(code=obj.external_agency.code, key_prefix=obj.key_prefix,
                                         allow=obj.allow_unsigned, actor_label=f"admin:{request.user}")
            form.changed_data.remove("allow_unsigned")
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(LabelledAdmin, admin.ModelAdmin):
    list_display = ["created_at", "agency", "client", "event", "attempt", "ok", "response_status", "error"]
    list_filter = ["ok", "event"]
    search_fields = ["message_id", "object_id", "url"]
    list_select_related = ["agency", "client"]
    labels = {**COMMON_LABELS, "event": _("sự kiện"), "message_id": _("mã thông điệp"), "object_id": _("mã đối tượng"),
              "url": _("địa chỉ"), "attempt": _("lần thử"), "response_status": _("mã trả lời"), "ok": _("thành công"),
              "error": _("lỗi"), "duration_ms": _("thời gian (ms)")}

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
