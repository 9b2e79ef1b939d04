"""Seed the 12345 → dispute category table with the usual hotline categories (editable)."""

from django.db import migrations

DEFAULTS = {
    "婚姻家庭": "family",
    "家庭纠纷": "family",
    "赡养抚养": "family",
    "遗产继承": "inheritance",
    "邻里纠纷": "neighbour",
    "噪音扰民": "neighbour",
    "房屋土地": "property_land",
    "宅基地": "property_land",
    "土地承包": "property_land",
    "征地拆迁": "expropriation",
    "拆迁安置": "expropriation",
    "劳动保障": "labour",
    "欠薪讨薪": "labour",
    "劳资纠纷": "labour",
    "合同纠纷": "debt_contract",
    "借贷纠纷": "debt_contract",
    "企业经营": "business",
    "交通事故": "traffic",
    "道路交通": "traffic",
    "医疗卫生": "medical",
    "医患纠纷": "medical",
    "物业管理": "property_mgmt",
    "小区物业": "property_mgmt",
    "消费维权": "consumer",
    "市场监管": "consumer",
    "旅游投诉": "consumer",
    "环境保护": "environment",
    "生态环境": "environment",
    "教育培训": "education",
    "治安管理": "public_order",
    "村务管理": "village_affairs",
    "村务公开": "village_affairs",
    "其他": "other",
}


def seed(apps, schema_editor):
    HotlineCategory = apps.get_model("intake_channels", "HotlineCategory")
    for name, category in DEFAULTS.items():
        HotlineCategory.objects.get_or_create(hotline_category=name, defaults={"category": category})


def unseed(apps, schema_editor):
    HotlineCategory = apps.get_model("intake_channels", "HotlineCategory")
    HotlineCategory.objects.filter(hotline_category__in=list(DEFAULTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("intake_channels", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
