from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "docflow.notifications"
    label = "notifications"
    verbose_name = "Thông báo"
