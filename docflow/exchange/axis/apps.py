from django.apps import AppConfig


class AxisConfig(AppConfig):
    name = "docflow.exchange.axis"
    label = "axis"
    verbose_name = "Trục liên thông văn bản quốc gia"
