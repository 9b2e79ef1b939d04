"""Data migration: the thematic tags shipped by default (editable later)."""

from django.db import migrations

THEMES = [
    ("epidemic", "涉疫情", ["疫情", "新冠", "防疫", "隔离", "核酸", "封控"]),
    ("wage_arrears", "农民工欠薪", ["农民工", "欠薪", "讨薪", "拖欠工资"]),
    ("expropriation", "征迁安置", ["拆迁", "征收", "安置房", "补偿款"]),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("dashboard", "Theme")
    for code, name, words in THEMES:
        Theme.objects.get_or_create(code=code, defaults={"name": name, "keywords": words})


def unseed(apps, schema_editor):
    Theme = apps.get_model("dashboard", "Theme")
    Theme.objects.filter(code__in=[t[0] for t in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
