"""Seed one editable template per event with the default zh-Hans wording."""

from django.db import migrations

from jiefen.notifications.choices import DEFAULT_BODIES


def seed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for code, body in DEFAULT_BODIES.items():
        NotificationTemplate.objects.get_or_create(code=str(code), defaults={"body": body})


def unseed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    NotificationTemplate.objects.filter(code__in=[str(c) for c in DEFAULT_BODIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
