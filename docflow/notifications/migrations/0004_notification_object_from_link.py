"""Notifications name what they are about (object type and id) instead of a web address.

The rows written so far hold only their link; the object is read back from it, and the link
column goes. Reversing writes the links again from the object.
"""

import re
import uuid

from django.db import migrations, models

# The addresses the domain used to write, frozen here as they were.
LINKS = {
    "incoming_document": "/van-ban-den/{id}/",
    "outgoing_document": "/van-ban-di/{id}/",
    "statistics_report": "/thong-ke/bao-cao/{id}/",
}
PATTERNS = [
    (object_type, re.compile("^" + re.escape(link).replace(re.escape("{id}"), "(?P<id>[0-9a-fA-F-]{32,36})") + "$"))
    for object_type, link in LINKS.items()
]
BATCH = 1000


def _rows(Notification, **filters):
    return Notification.objects.filter(**filters).only("id", "link", "object_type", "object_id").iterator(chunk_size=BATCH)


def objects_from_links(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    changed = []
    for row in _rows(Notification, object_id__isnull=True):
        for object_type, pattern in PATTERNS:
            match = pattern.match(row.link or "")
            if match:
                row.object_type, row.object_id = object_type, uuid.UUID(match["id"])
                changed.append(row)
                break
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["object_type", "object_id"])
            changed = []
    Notification.objects.bulk_update(changed, ["object_type", "object_id"])


def links_from_objects(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    changed = []
    for row in _rows(Notification, object_id__isnull=False):
        if row.object_type in LINKS:
            row.link = LINKS[row.object_type].format(id=row.object_id)
            changed.append(row)
    Notification.objects.bulk_update(changed, ["link"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_notification_preference"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="object_type",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="notification",
            name="object_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.RunPython(objects_from_links, links_from_objects),
        migrations.RemoveField(
            model_name="notification",
            name="link",
        ),
    ]
