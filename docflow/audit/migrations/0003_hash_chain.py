"""Each agency's audit events hash-chained (sequence, prev_hash, hash, a head row per agency),
the events already written chained in their order; on PostgreSQL, triggers refuse UPDATE and
DELETE of events, and UPDATE/DELETE/TRUNCATE are revoked from the app role when
``DOCFLOW_DB_APP_ROLE`` names one."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from docflow.audit.chain import GENESIS, event_hash

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
TRIGGER_DROP_SQL = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    agencies = AuditEvent.objects.values_list("agency_id", flat=True).distinct().order_by()
    for agency_id in sorted(set(agencies)):
        prev, batch, sequence = GENESIS, [], 0
        for event in AuditEvent.objects.filter(agency_id=agency_id).order_by("created_at", "id").iterator(2000):
            sequence += 1
            event.sequence, event.prev_hash = sequence, prev
            event.hash = prev = event_hash(event, prev)
            batch.append(event)
            if len(batch) >= 2000:
                AuditEvent.objects.bulk_update(batch, ["sequence", "prev_hash", "hash"])
                batch = []
        AuditEvent.objects.bulk_update(batch, ["sequence", "prev_hash", "hash"])
        AuditChainHead.objects.create(agency_id=agency_id, sequence=sequence, hash=prev)


def guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TRIGGER_SQL, params=None)
    role = getattr(settings, "DOCFLOW_DB_APP_ROLE", "")
    if role:
        quoted = schema_editor.quote_name(role)
        schema_editor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM {quoted}")


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_initial"),
        ("tenancy", "0003_membership_is_archivist"),
        # It rewrites old events' data: it must run before they are chained.
        ("routing", "0006_mend_exchange_delivered_events"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("agency", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True,
                                                related_name="+", serialize=False, to="tenancy.agency")),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"verbose_name": "đầu chuỗi nhật ký", "verbose_name_plural": "đầu chuỗi nhật ký"},
        ),
        migrations.AlterField(
            model_name="auditevent", name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(model_name="auditevent", name="sequence",
                            field=models.PositiveBigIntegerField(editable=False, null=True)),
        migrations.AddField(model_name="auditevent", name="prev_hash",
                            field=models.CharField(default="", editable=False, max_length=64), preserve_default=False),
        migrations.AddField(model_name="auditevent", name="hash",
                            field=models.CharField(default="", editable=False, max_length=64), preserve_default=False),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent", name="sequence",
            field=models.PositiveBigIntegerField(editable=False, verbose_name="số thứ tự trong chuỗi"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("agency", "sequence"), name="audit_one_event_per_link"),
        ),
        migrations.RunPython(guard, unguard),
    ]
