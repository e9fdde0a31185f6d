from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "docflow.demo"
    label = "demo"
    verbose_name = "Dữ liệu mẫu"
