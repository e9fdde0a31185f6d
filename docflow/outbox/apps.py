from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "docflow.outbox"
    label = "outbox"
    verbose_name = "Hàng đợi công việc"
