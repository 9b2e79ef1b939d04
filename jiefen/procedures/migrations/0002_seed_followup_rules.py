"""Seed the time limits this app adds to those of deadlines 0003: the return visit after
closure and the default reply time of a supervision order. Both are the centre's own rules
(no statute fixes them); an administrator adjusts them as data. Reversing deletes them."""

from django.db import migrations

RULES = [
    ("case.return_visit", "", "结案后回访", 5, "working", 0, "", "本中心回访规程（可由管理员调整）"),
    ("leader.supervision_reply", "", "督办件答复", 5, "working", 0, "", "本中心督办规程（可由管理员调整）"),
]


def seed(apps, schema_editor):
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    for code, province, name, days, unit, ext, approver, source in RULES:
        TimeLimitRule.objects.get_or_create(
            code=code,
            province=province,
            defaults={
                "name": name,
                "days": days,
                "unit": unit,
                "extension_days": ext,
                "extension_approver": approver,
                "source": source,
            },
        )


def unseed(apps, schema_editor):
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    for code, province, *_rest in RULES:
        TimeLimitRule.objects.filter(code=code, province=province).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0001_initial"),
        ("deadlines", "0003_seed_time_limit_rules"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
