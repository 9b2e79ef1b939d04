from django.db import migrations

WEIGHTS = {
    "accepted_in_time": 15,
    "ended_in_time": 20,
    "resolved": 20,
    "no_returns": 10,
    "no_escalations": 5,
    "satisfaction": 15,
    "return_visits": 5,
    "inspections": 5,
    "supervision": 5,
}


def seed(apps, schema_editor):
    ScoreWeight = apps.get_model("scorecards", "ScoreWeight")
    for term, weight in WEIGHTS.items():
        ScoreWeight.objects.get_or_create(term=term, defaults={"weight": weight})


def unseed(apps, schema_editor):
    apps.get_model("scorecards", "ScoreWeight").objects.filter(term__in=list(WEIGHTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
