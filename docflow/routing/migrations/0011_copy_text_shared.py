"""The copies' search text stored once per distinct text (CopyText) instead of on every copy.

An issue to 10,000 agencies wrote 10,000 copies of the same folded text and indexed each in
the trigram index (1.4 s of the copies' 2.0 s, bench/bench_issue.py); now it writes one text
and one index entry, and each copy points to it. Existing copies keep the text they had.
"""

import hashlib
import uuid

import django.db.models.deletion
from django.db import migrations, models

from docflow.core.search_index import TrigramIndex

BATCH = 2000
# The identifier routing.models.copy_text_id makes: the first 128 bits of the text's SHA-256.
SQL_TEXT_ID = "encode(substring(sha256(convert_to({col}, 'UTF8')) FROM 1 FOR 16), 'hex')::uuid"


def copy_text_id(text: str) -> uuid.UUID:
    """As routing.texts.copy_text_id makes it (kept here: a migration does not change)."""
    return uuid.UUID(bytes=hashlib.sha256(text.encode()).digest()[:16])


def texts_shared(apps, schema_editor):
    """Every copy's search_text into CopyText (once per distinct text), search_id set."""
    from docflow.core.scoping import cross_agency

    connection = schema_editor.connection
    with cross_agency("system"):
        if connection.vendor == "postgresql":
            text_id = SQL_TEXT_ID.format(col="search_text")
            schema_editor.execute(
                f"INSERT INTO routing_copytext (id, text) SELECT DISTINCT {text_id}, search_text "
                "FROM routing_incomingdocument ON CONFLICT DO NOTHING"
            )
            schema_editor.execute(f"UPDATE routing_incomingdocument SET search_id = {text_id}")
            return
        copies = apps.get_model("routing", "IncomingDocument")._base_manager
        texts = apps.get_model("routing", "CopyText")._base_manager
        rows = copies.order_by("pk").values_list("pk", "search_text")
        last = None
        while True:
            page = list((rows.filter(pk__gt=last) if last is not None else rows)[:BATCH])
            if not page:
                return
            ids = {text: copy_text_id(text) for _pk, text in page}
            texts.bulk_create([texts.model(id=i, text=t) for t, i in ids.items()], ignore_conflicts=True)
            copies.bulk_update([copies.model(pk=pk, search_id=ids[text]) for pk, text in page], ["search"])
            last = page[-1][0]


def texts_back(apps, schema_editor):
    """The way back: each copy's search_text from its CopyText."""
    from docflow.core.scoping import cross_agency

    with cross_agency("system"):
        schema_editor.execute(
            "UPDATE routing_incomingdocument SET search_text = "
            "(SELECT text FROM routing_copytext t WHERE t.id = routing_incomingdocument.search_id)"
        )


def copy_trigram_dropped(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "incoming_search_trgm"')


def copy_trigram_back(apps, schema_editor):
    from docflow.core.search_index import trigram_index_sql

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(trigram_index_sql(table="routing_incomingdocument", name="incoming_search_trgm"))


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0010_copy_indexes_narrowed'),
    ]

    operations = [
        migrations.CreateModel(
            name='CopyText',
            fields=[
                ('id', models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ('text', models.TextField(blank=True)),
            ],
            options={
                'verbose_name': 'nội dung tìm kiếm của văn bản đến',
            },
        ),
        migrations.AddField(
            model_name='incomingdocument',
            name='search',
            field=models.ForeignKey(db_index=False, editable=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='routing.copytext'),
        ),
        migrations.RunPython(texts_shared, texts_back),
        migrations.AlterField(
            model_name='incomingdocument',
            name='search',
            field=models.ForeignKey(db_index=False, editable=False,
                                    on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='routing.copytext'),
        ),
        migrations.RunPython(copy_trigram_dropped, copy_trigram_back),
        migrations.RemoveField(
            model_name='incomingdocument',
            name='search_text',
        ),
        TrigramIndex(model_name='copytext', name='copytext_search_trgm', column='text'),
        migrations.AddIndex(
            model_name='incomingdocument',
            index=models.Index(fields=['search', 'agency'], name='incoming_search_idx'),
        ),
    ]
