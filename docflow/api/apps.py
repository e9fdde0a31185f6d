from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "docflow.api"
    label = "api"
    verbose_name = "API"
