from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "docflow.records"
    label = "records"
    verbose_name = "Hồ sơ, lưu trữ"
