# Outgoing documents get a folded search column (as incoming copies have), filled for the
# rows already there, and a trigram index on it on PostgreSQL (nothing on SQLite).

from django.db import migrations, models

from docflow.core.search_index import TrigramExtension, TrigramIndex, search_text_refill
from docflow.core.text import fold


def fill_search_text(apps, schema_editor):
    """What OutgoingDocument.build_search_text makes, for every existing row."""

    def text_of(row) -> str:
        _pk, notation, subject, body, full, first, last, username = row
        signer = full or f"{first or ''} {last or ''}".strip() or (username or "")
        return fold(f"{notation} {subject} {signer} {body}")

    search_text_refill(
        apps.get_model("documents", "OutgoingDocument"),
        ("id", "notation", "subject", "body", "signer__full_name", "signer__first_name",
         "signer__last_name", "signer__username"),
        text_of=text_of,
    )


class Migration(migrations.Migration):
    # The index is built CONCURRENTLY on PostgreSQL, which cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('documents', '0002_approval_chain_recall'),
    ]

    operations = [
        migrations.AddField(
            model_name='outgoingdocument',
            name='search_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, atomic=True),
        TrigramExtension(),
        TrigramIndex(model_name='outgoingdocument', name='outgoing_search_trgm'),
    ]
