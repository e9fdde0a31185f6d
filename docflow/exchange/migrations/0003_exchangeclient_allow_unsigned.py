from django.db import migrations, models


class Migration(migrations.Migration):
    # 0002 and 0003 are other branches' (issue #19); the coordinator chains this after them.
    dependencies = [
        ("exchange", "0002_inbound_exchange_document_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="exchangeclient",
            name="allow_unsigned",
            field=models.BooleanField(
                default=False, help_text="Chỉ bật cho hệ thống chưa ký được yêu cầu; mất chống gửi lặp lại.",
                verbose_name="cho phép gửi không ký (hệ thống cũ)",
            ),
        ),
    ]
