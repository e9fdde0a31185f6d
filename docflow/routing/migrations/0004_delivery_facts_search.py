# The sender's Delivery rows carry the recipient's due date and completion time (for the
# sender's statistics per recipient), filled from the copies already there; incoming copies'
# search text also covers the signer and the content (refilled); trigram index on PostgreSQL.

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from docflow.core.search_index import TrigramExtension, TrigramIndex, search_text_refill
from docflow.core.text import fold


def fill_delivery_facts(apps, schema_editor):
    Delivery = apps.get_model("routing", "Delivery")
    Incoming = apps.get_model("routing", "IncomingDocument")
    copy = Incoming._base_manager.filter(id=OuterRef("incoming_id"))
    Delivery._base_manager.filter(incoming_id__isnull=False).update(
        recipient_due_date=Subquery(copy.values("due_date")[:1]),
        completed_at=Subquery(copy.values("completed_at")[:1]),
    )


def refill_search_text(apps, schema_editor):
    """What IncomingDocument.build_search_text makes now, for every existing copy."""
    search_text_refill(
        apps.get_model("routing", "IncomingDocument"),
        ("id", "notation", "subject", "sender_name", "sender_code", "signer_name", "content"),
        text_of=lambda row: fold(" ".join(row[1:])),
    )


class Migration(migrations.Migration):
    # The index is built CONCURRENTLY on PostgreSQL, which cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('routing', '0003_incoming_replaces_notation'),
    ]

    operations = [
        migrations.AddField(
            model_name='delivery',
            name='completed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='delivery',
            name='recipient_due_date',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_delivery_facts, migrations.RunPython.noop, atomic=True),
        migrations.RunPython(refill_search_text, migrations.RunPython.noop, atomic=True),
        TrigramExtension(),
        TrigramIndex(model_name='incomingdocument', name='incoming_search_trgm'),
    ]
