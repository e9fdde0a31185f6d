"""Hashed API tokens; DRF's plain tokens become hashed ones.

Each key in ``authtoken_token`` (when that table is there) is stored as its SHA-256 with an
expiry DOCFLOW_TOKEN_DAYS from now, so clients keep working until then, and the plain row is
deleted: the database no longer holds any key. A key whose first 8 characters clash with an
earlier one is dropped (its owner signs in again).
"""

import hashlib
from datetime import timedelta

import django.db.models.deletion
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.conf import settings
from django.db import migrations, models


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("api", "ApiToken")
    User = apps.get_model("tenancy", "User")
    now = timezone.now()
    expires = now + timedelta(days=settings.DOCFLOW_TOKEN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    passwords = dict(User.objects.filter(pk__in=[r[1] for r in rows]).values_list("pk", "password"))
    seen = set()
    for key, user_id, created in rows:
        if key[:8] in seen or user_id not in passwords:
            continue
        seen.add(key[:8])
        ApiToken.objects.create(
            prefix=key[:8], digest=hashlib.sha256(key.encode()).hexdigest(), user_id=user_id,
            device="DRF", created_at=created, last_used_at=created, expires_at=expires,
            # docflow.api.tokens.password_mark, written out: migrations do not import app code
            password_mark=salted_hmac("docflow.api.tokens", passwords[user_id], algorithm="sha256").hexdigest(),
        )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_idempotency_record'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('tenancy', '0003_membership_is_archivist'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('prefix', models.CharField(max_length=8, unique=True)),
                ('digest', models.CharField(max_length=64, unique=True)),
                ('device', models.CharField(blank=True, max_length=120)),
                ('password_mark', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField()),
                ('last_used_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField(db_index=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop),
    ]
