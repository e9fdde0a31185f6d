"""Copies received through the exchange API were logged as object type "incoming", while every
reader of a copy's history asks for "incoming_document": their history showed empty. The
events keep their rows and order; only the object type they name is mended."""

from django.db import migrations


def mend(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditEvent.objects.filter(object_type="incoming", action="incoming.delivered").update(
        object_type="incoming_document"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0005_incoming_main_file_response_for"),
        ("audit", "0002_initial"),
    ]

    operations = [migrations.RunPython(mend, migrations.RunPython.noop)]
