"""Seed the shorter reply time of a supervision order (督办) on a red-risk case: 2 working days
instead of 5. The centre's own rule, adjusted by an administrator as data (deadlines'
time-limit rules). Reversing deletes it."""

from django.db import migrations

RULE = ("leader.supervision_reply_red", "", "红色风险案件督办答复", 2, "working", 0, "", "本中心督办规程（可由管理员调整）")


def seed(apps, schema_editor):
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    code, province, name, days, unit, ext, approver, source = RULE
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
    TimeLimitRule.objects.filter(code=RULE[0], province=RULE[1]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_due_provisional")]

    operations = [migrations.RunPython(seed, unseed)]
