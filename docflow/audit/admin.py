from django.contrib import admin

from docflow.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "agency", "actor", "action", "object_type", "state_before", "state_after"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "action"]

    # The log is append-only, in the admin too.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
