from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "docflow.routing"
    label = "routing"
    verbose_name = "Luân chuyển văn bản"
