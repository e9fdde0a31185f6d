from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "docflow.tenancy"
    label = "tenancy"
    verbose_name = "Cơ quan và người dùng"
