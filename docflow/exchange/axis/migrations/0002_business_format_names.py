"""The Bussiness names are the format's (edxml_tables.BUSINESS_TYPES): revoke → revocation,
replace → replacement; rows logged under the old names follow."""

from django.db import migrations, models

RENAMED = {"revoke": "revocation", "replace": "replacement"}


def rename(apps, schema_editor):
    AxisMessage = apps.get_model("axis", "AxisMessage")
    for old, new in RENAMED.items():
        AxisMessage.objects.filter(business=old).update(business=new)


def unrename(apps, schema_editor):
    AxisMessage = apps.get_model("axis", "AxisMessage")
    for old, new in RENAMED.items():
        AxisMessage.objects.filter(business=new).update(business=old)


class Migration(migrations.Migration):

    dependencies = [("axis", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="axismessage",
            name="business",
            field=models.CharField(
                choices=[("new", "Văn bản mới"), ("revocation", "Thu hồi"), ("update", "Cập nhật"),
                         ("replacement", "Thay thế"), ("status", "Trạng thái")],
                default="new", max_length=11, verbose_name="nghiệp vụ",
            ),
        ),
        migrations.RunPython(rename, unrename),
    ]
