from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "docflow.documents"
    label = "documents"
    verbose_name = "Văn bản đi"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from docflow.core.sqlite import sqlite_use_real_parameter_limit
        from docflow.documents.numbering import registers_provision
        from docflow.tenancy.directory_import import agency_provisioners

        # Issuing fans out in bulk INSERTs; let SQLite take them whole (see core/sqlite.py).
        connection_created.connect(sqlite_use_real_parameter_limit, dispatch_uid="sqlite_parameter_limit")
        # A new agency from the directory import starts with its registers.
        if registers_provision not in agency_provisioners:
            agency_provisioners.append(registers_provision)
