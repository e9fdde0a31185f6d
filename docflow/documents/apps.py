from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "docflow.documents"
    label = "documents"
    verbose_name = "Văn bản đi"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from docflow.core.sqlite import sqlite_use_real_parameter_limit

        # Issuing fans out in bulk INSERTs; let SQLite take them whole (see core/sqlite.py).
        connection_created.connect(sqlite_use_real_parameter_limit, dispatch_uid="sqlite_parameter_limit")
