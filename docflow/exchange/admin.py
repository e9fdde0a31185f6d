"""System administrators see external agencies' keys (never the keys themselves) and the webhook log."""

from django.contrib import admin

from docflow.exchange.models import ExchangeClient, WebhookDelivery


@admin.register(ExchangeClient)
class ExchangeClientAdmin(admin.ModelAdmin):
    list_display = ["key_prefix", "external_agency", "webhook_url", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["key_prefix", "external_agency__code", "external_agency__name"]
    # Keys are made and revoked with the management commands; the hash and secret stay hidden.
    readonly_fields = ["external_agency", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_sha256", "signing_secret"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "agency", "client", "event", "attempt", "ok", "response_status", "error"]
    list_filter = ["ok", "event"]
    search_fields = ["message_id", "object_id", "url"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
