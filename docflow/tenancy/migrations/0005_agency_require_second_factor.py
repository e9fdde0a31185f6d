"""Agencies that require a second factor, and recovery codes.

Agencies already there keep signing in as before (False); new ones take
DOCFLOW_SECOND_FACTOR_DEFAULT (on in production).
"""

import django.db.models.deletion
import docflow.tenancy.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0004_agency_kinds_aliases'),
    ]

    operations = [
        migrations.AddField(
            model_name='agency',
            name='require_second_factor',
            field=models.BooleanField(default=False, verbose_name='bắt buộc xác thực hai lớp cho lãnh đạo và quản trị'),
        ),
        migrations.AlterField(
            model_name='agency',
            name='require_second_factor',
            field=models.BooleanField(default=docflow.tenancy.models.second_factor_default, verbose_name='bắt buộc xác thực hai lớp cho lãnh đạo và quản trị'),
        ),
        migrations.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64)),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recovery_codes', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'mã khôi phục',
                'verbose_name_plural': 'mã khôi phục',
                'constraints': [models.UniqueConstraint(fields=('user', 'digest'), name='recovery_code_unique')],
            },
        ),
    ]
