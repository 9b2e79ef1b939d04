"""Default routing rules for the new conditions (docs/triage.md: group, high-risk and professional
matters at county level) and assisting organisation kinds on the existing defaults."""

from django.db import migrations

NEW_RULES = [
    # (order, category, level, lead_kind, min_risk, channel, keywords, assist_kinds, note)
    (
        1,
        "",
        "county",
        "county_centre",
        "red",
        "",
        "",
        ["police", "psych_service"],
        "红色风险（极端言行）由县矛调中心牵头，公安、心理服务协办",
    ),
    (
        2,
        "",
        "county",
        "county_centre",
        "",
        "",
        "进京\n越级\n集体上访",
        ["petition_bureau"],
        "越级、进京上访苗头由县矛调中心牵头，信访局协办",
    ),
    (
        3,
        "labour",
        "county",
        "human_resources",
        "orange",
        "",
        "",
        ["labour_arbitration", "justice_office"],
        "群体性劳资纠纷由人社部门牵头，仲裁委、司法所协办",
    ),
]
ASSIST = {
    # (order, category) -> assisting kinds on the rules of 0003
    (21, "labour"): ["human_resources"],
    (22, "traffic"): ["traffic_committee"],
    (29, "expropriation"): ["natural_resources"],
    (20, "property_land"): ["natural_resources"],
    (40, "medical"): ["justice_bureau"],
}


def forwards(apps, schema_editor):
    RoutingRule = apps.get_model("cases", "RoutingRule")
    for order, category, level, kind, risk, channel, keywords, assist, note in NEW_RULES:
        RoutingRule.objects.get_or_create(
            order=order,
            category=category,
            level=level,
            lead_kind=kind,
            min_risk=risk,
            keywords=keywords,
            defaults={"channel": channel, "assist_kinds": assist, "note": note},
        )
    for (order, category), kinds in ASSIST.items():
        for rule in RoutingRule.objects.filter(order=order, category=category):
            if not rule.assist_kinds:
                rule.assist_kinds = kinds
                rule.save(update_fields=["assist_kinds"])


def backwards(apps, schema_editor):
    RoutingRule = apps.get_model("cases", "RoutingRule")
    for order, category, level, kind, risk, _channel, keywords, _assist, _note in NEW_RULES:
        RoutingRule.objects.filter(
            order=order, category=category, level=level, lead_kind=kind, min_risk=risk, keywords=keywords
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_routing_rule_conditions_and_triage_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
