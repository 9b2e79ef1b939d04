"""Seed the official working-day calendar for 2004–2026 from the `chinesecalendar` package.

The package (pinned in constraints.txt) transcribes the State Council's yearly holiday notices
(国务院办公厅关于部分节假日安排的通知). The rows are copied at migration time and then belong
to the database: a later version of the package changes nothing here, and later years are added
by an administrator (`jiefen calendar-add-year`).

Only exceptions to the Monday–Friday week are stored: statutory holidays falling on a weekday
and make-up working days (调休上班) falling on a weekend.
"""

from django.db import migrations

FIRST_YEAR = 2004
LAST_YEAR = 2026

# The package's English holiday names, in the words of the notices.
NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _name(english: str, *, workday: bool) -> str:
    name = NAMES_ZH.get(english, english)
    return (name[:44] + "调休上班") if workday else name[:50]


def seed(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    CalendarYear = apps.get_model("deadlines", "CalendarYear")
    CalendarDay = apps.get_model("deadlines", "CalendarDay")
    version = getattr(chinese_calendar, "__version__", "?")
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    CalendarYear.objects.bulk_create(
        [
            CalendarYear(
                year=y, source=f"国务院办公厅关于{y}年部分节假日安排的通知 (via chinesecalendar {version})"
            )
            for y in years
        ]
    )
    days = []
    for day, english in sorted(constants.holidays.items()):
        if FIRST_YEAR <= day.year <= LAST_YEAR and day.weekday() < 5:
            days.append(CalendarDay(date=day, is_workday=False, name=_name(str(english), workday=False)))
    for day, english in sorted(constants.workdays.items()):
        if FIRST_YEAR <= day.year <= LAST_YEAR and day.weekday() >= 5:
            days.append(CalendarDay(date=day, is_workday=True, name=_name(str(english), workday=True)))
    CalendarDay.objects.bulk_create(days, batch_size=200)


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("deadlines", "CalendarYear")
    CalendarDay = apps.get_model("deadlines", "CalendarDay")
    CalendarDay.objects.filter(date__year__gte=FIRST_YEAR, date__year__lte=LAST_YEAR).delete()
    CalendarYear.objects.filter(year__gte=FIRST_YEAR, year__lte=LAST_YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
