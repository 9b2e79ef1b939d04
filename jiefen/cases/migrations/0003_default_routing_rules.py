"""The default routing table (docs/triage.md): 小事不出村、大事不出镇、矛盾不上交.

Family, neighbour and inheritance matters start at the village committee; land, labour,
traffic, debts and public order at the town; medical and consumer matters at the county's
professional bodies. Each category falls back one level when its first body does not exist
in the case's region; what no rule owns goes to the county centre (routing.route).
"""

from django.db import migrations

RULES = [
    # (order, category, level, lead_kind, note)
    (10, "family", "village", "village_committee", "婚姻家庭纠纷先由村（社区）调委会调解"),
    (11, "family", "town", "town_committee", "无村级组织时由镇街调委会调解"),
    (12, "neighbour", "village", "village_committee", "邻里纠纷小事不出村"),
    (13, "neighbour", "town", "town_committee", ""),
    (14, "inheritance", "village", "village_committee", ""),
    (15, "inheritance", "town", "town_committee", ""),
    (20, "property_land", "town", "town_committee", "房产土地纠纷在镇街调处"),
    (21, "labour", "town", "justice_office", "劳资纠纷由镇街司法所牵头调处"),
    (22, "traffic", "town", "police_station", "交通事故由派出所先行处置"),
    (23, "traffic", "county", "traffic_committee", ""),
    (24, "public_order", "town", "police_station", "治安纠纷由派出所处置"),
    (25, "debt_contract", "town", "town_committee", ""),
    (26, "business", "town", "town_committee", ""),
    (27, "property_mgmt", "town", "town_committee", ""),
    (28, "village_affairs", "town", "town_centre", "村务纠纷由镇街矛调中心牵头"),
    (29, "expropriation", "town", "town_centre", "征地拆迁由镇街矛调中心牵头"),
    (30, "environment", "town", "town_centre", ""),
    (31, "education", "town", "town_centre", ""),
    (40, "medical", "county", "medical_committee", "医疗纠纷由县医调委调处"),
    (41, "consumer", "county", "market_regulation", "消费纠纷由市场监管部门受理"),
    (90, "", "town", "town_centre", "其他事项由镇街矛调中心分流"),
]


def forwards(apps, schema_editor):
    RoutingRule = apps.get_model("cases", "RoutingRule")
    for order, category, level, kind, note in RULES:
        RoutingRule.objects.get_or_create(order=order, category=category, level=level, lead_kind=kind,
                                          defaults={"note": note})


def backwards(apps, schema_editor):
    RoutingRule = apps.get_model("cases", "RoutingRule")
    for order, category, level, kind, _note in RULES:
        RoutingRule.objects.filter(order=order, category=category, level=level, lead_kind=kind).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
