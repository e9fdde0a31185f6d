from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "docflow.web"
    label = "web"
    verbose_name = "Giao diện web"
