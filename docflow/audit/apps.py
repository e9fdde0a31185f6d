from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "docflow.audit"
    label = "audit"
    verbose_name = "Nhật ký"
