# Fewer index entries per recipient of an issue, and no index lost on the way:
# - Delivery: the single-column indexes on agency and document go; (agency, document) and
#   (document, recipient_code) start with them.
# - IncomingAttachment: the file's pattern index (Django's ``_like`` for a text key) goes, and its
#   plain index is renamed, not rebuilt.
# - IncomingDocument: the due-date index holds only copies with a due date (a new copy has none;
#   every query compares due dates). On PostgreSQL it is built CONCURRENTLY beside the old one,
#   which is dropped after: writes to the copies never wait for the build.
# Only indexes change: Django's AlterField would drop and re-check the foreign keys on
# PostgreSQL and remake the tables on SQLite.

import django.db.models.deletion
from django.db import migrations, models

DUE = ('"routing_incomingdocument" ("agency_id", "due_date")', ' WHERE "due_date" IS NOT NULL')
FORWARD = {
    "postgresql": [
        'DROP INDEX IF EXISTS "routing_delivery_agency_id_c9756895"',
        'DROP INDEX IF EXISTS "routing_delivery_document_id_70c4e826"',
        'DROP INDEX IF EXISTS "routing_incomingattachment_file_id_d44e9db1_like"',
        'ALTER INDEX "routing_incomingattachment_file_id_d44e9db1" RENAME TO "incoming_attachment_file_idx"',
        'ALTER INDEX "incoming_due_idx" RENAME TO "incoming_due_all_idx"',
        f'CREATE INDEX CONCURRENTLY "incoming_due_idx" ON {DUE[0]}{DUE[1]}',
        'DROP INDEX IF EXISTS "incoming_due_all_idx"',
    ],
    "sqlite": [
        'DROP INDEX IF EXISTS "routing_delivery_agency_id_c9756895"',
        'DROP INDEX IF EXISTS "routing_delivery_document_id_70c4e826"',
        'DROP INDEX IF EXISTS "routing_incomingattachment_file_id_d44e9db1"',
        'CREATE INDEX "incoming_attachment_file_idx" ON "routing_incomingattachment" ("file_id")',
        'DROP INDEX IF EXISTS "incoming_due_idx"',
        f'CREATE INDEX "incoming_due_idx" ON {DUE[0]}{DUE[1]}',
    ],
}
BACKWARD = {
    "postgresql": [
        'CREATE INDEX IF NOT EXISTS "routing_delivery_agency_id_c9756895" ON "routing_delivery" ("agency_id")',
        'CREATE INDEX IF NOT EXISTS "routing_delivery_document_id_70c4e826" ON "routing_delivery" ("document_id")',
        'CREATE INDEX IF NOT EXISTS "routing_incomingattachment_file_id_d44e9db1_like" '
        'ON "routing_incomingattachment" ("file_id" varchar_pattern_ops)',
        'ALTER INDEX "incoming_attachment_file_idx" RENAME TO "routing_incomingattachment_file_id_d44e9db1"',
        'DROP INDEX IF EXISTS "incoming_due_idx"',
        f'CREATE INDEX "incoming_due_idx" ON {DUE[0]}',
    ],
    "sqlite": [
        'CREATE INDEX IF NOT EXISTS "routing_delivery_agency_id_c9756895" ON "routing_delivery" ("agency_id")',
        'CREATE INDEX IF NOT EXISTS "routing_delivery_document_id_70c4e826" ON "routing_delivery" ("document_id")',
        'DROP INDEX IF EXISTS "incoming_attachment_file_idx"',
        'CREATE INDEX "routing_incomingattachment_file_id_d44e9db1" ON "routing_incomingattachment" ("file_id")',
        'DROP INDEX IF EXISTS "incoming_due_idx"',
        f'CREATE INDEX "incoming_due_idx" ON {DUE[0]}',
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('documents', '0006_outgoing_awaiting_step'),
        ('routing', '0011_copy_text_shared'),
        ('tenancy', '0005_agency_require_second_factor'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_run(FORWARD), _run(BACKWARD))],
            state_operations=[
                migrations.RemoveIndex(model_name='incomingdocument', name='incoming_due_idx'),
                migrations.AlterField(
                    model_name='delivery',
                    name='agency',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to='tenancy.agency'),
                ),
                migrations.AlterField(
                    model_name='delivery',
                    name='document',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='deliveries', to='documents.outgoingdocument'),
                ),
                migrations.AlterField(
                    model_name='incomingattachment',
                    name='file',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to='documents.storedfile'),
                ),
                migrations.AddIndex(
                    model_name='incomingattachment',
                    index=models.Index(fields=['file'], name='incoming_attachment_file_idx'),
                ),
                migrations.AddIndex(
                    model_name='incomingdocument',
                    index=models.Index(condition=models.Q(('due_date__isnull', False)),
                                       fields=['agency', 'due_date'], name='incoming_due_idx'),
                ),
            ],
        ),
    ]
