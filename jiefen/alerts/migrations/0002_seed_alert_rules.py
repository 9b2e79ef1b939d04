"""Data migration: the early-warning rules with their default thresholds (editable later)."""

from django.db import migrations

# Frozen copy of alerts.rules.DEFAULT_PARAMS / DEFAULT_SEVERITY at the time of this migration.
RULES = {
    "deadline_near": ({"working_days_before": 2}, "yellow"),
    "overdue": ({}, "red"),
    "unaccepted": ({"working_days": 1}, "orange"),
    "repeat_petitioner": ({"min_cases": 3, "window_days": 90}, "orange"),
    "group_dispute": ({"min_parties": 5, "min_open_cases_per_respondent": 5}, "red"),
    "extreme_language": (
        {
            "words": [
                "跳楼",
                "自杀",
                "轻生",
                "同归于尽",
                "拼命",
                "汽油",
                "炸药",
                "杀了",
                "砍死",
                "不想活",
                "越级上访",
                "进京",
                "上访到北京",
            ]
        },
        "red",
    ),
    "repeated_returns": ({"min_moves": 2}, "orange"),
    "hotspot": ({"window_days": 7, "baseline_weeks": 8, "factor": 2.0, "min_cases": 5}, "orange"),
    "trend_spike": ({"window_days": 7, "baseline_weeks": 4, "factor": 1.5, "min_cases": 10}, "yellow"),
}


def seed(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    for code, (params, severity) in RULES.items():
        AlertRule.objects.get_or_create(code=code, defaults={"params": params, "severity": severity})


def unseed(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    AlertRule.objects.filter(code__in=list(RULES), alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
