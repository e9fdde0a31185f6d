from django.apps import AppConfig


class RestructuringConfig(AppConfig):
    name = "docflow.restructuring"
    label = "restructuring"
    verbose_name = "Sắp xếp đơn vị hành chính"
