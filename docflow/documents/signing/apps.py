from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "docflow.documents.signing"
    label = "signing"
    verbose_name = "Ký số"
