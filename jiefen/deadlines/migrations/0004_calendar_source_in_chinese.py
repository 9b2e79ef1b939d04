"""The seeded calendar years named their source half in English ("… (via chinesecalendar 1.x)"),
which the administration shows as it is: say it in Chinese."""

import re

from django.db import migrations

VIA = re.compile(r" \(via chinesecalendar ([^)]*)\)$")


def forwards(apps, schema_editor):
    CalendarYear = apps.get_model("deadlines", "CalendarYear")
    for year in CalendarYear.objects.filter(source__contains="(via chinesecalendar"):
        year.source = VIA.sub(r"（据 chinesecalendar \1 整理）", year.source)
        year.save(update_fields=["source"])


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0003_seed_time_limit_rules")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
