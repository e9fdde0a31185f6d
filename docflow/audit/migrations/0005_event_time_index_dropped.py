# Fewer index entries per event (a fan-out to 10,000 agencies writes 10,000 events at once):
# - created_at's index goes: an agency's newest events are read by their sequence in its chain
#   ((agency, sequence), unique), an object's by (agency, object_type, object_id, created_at);
# - the actor's index holds only events that have one (a recipient's "delivered" has none); it
#   serves the check that a user with events is not deleted (``actor_id IN (…)``). On
#   PostgreSQL it is built CONCURRENTLY before the old one is dropped.
# Only indexes change: on SQLite Django's AlterField would remake the table, and with it lose
# the append-only triggers.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ACTOR = '"audit_auditevent" ("actor_id") WHERE "actor_id" IS NOT NULL'
FORWARD = {
    "postgresql": [
        'DROP INDEX IF EXISTS "audit_auditevent_created_at_58e81936"',
        f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "audit_event_actor_idx" ON {ACTOR}',
        'DROP INDEX IF EXISTS "audit_auditevent_actor_id_270bb4b7"',
    ],
    "sqlite": [
        'DROP INDEX IF EXISTS "audit_auditevent_created_at_58e81936"',
        f'CREATE INDEX IF NOT EXISTS "audit_event_actor_idx" ON {ACTOR}',
        'DROP INDEX IF EXISTS "audit_auditevent_actor_id_270bb4b7"',
    ],
}
BACKWARD = [
    'CREATE INDEX IF NOT EXISTS "audit_auditevent_created_at_58e81936" ON "audit_auditevent" ("created_at")',
    'CREATE INDEX IF NOT EXISTS "audit_auditevent_actor_id_270bb4b7" ON "audit_auditevent" ("actor_id")',
    'DROP INDEX IF EXISTS "audit_event_actor_idx"',
]


def forward(apps, schema_editor):
    for sql in FORWARD[schema_editor.connection.vendor]:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('audit', '0004_event_agency_index_dropped'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name='auditevent',
                    name='created_at',
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                migrations.AlterField(
                    model_name='auditevent',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddIndex(
                    model_name='auditevent',
                    index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'],
                                       name='audit_event_actor_idx'),
                ),
            ],
        ),
    ]
