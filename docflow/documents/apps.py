from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "docflow.documents"
    label = "documents"
    verbose_name = "Văn bản đi"
