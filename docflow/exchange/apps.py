from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "docflow.exchange"
    label = "exchange"
    verbose_name = "Liên thông văn bản"
