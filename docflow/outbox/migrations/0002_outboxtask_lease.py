from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxtask",
            name="lease_owner",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="outboxtask",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
