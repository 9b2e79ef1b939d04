"""Seed the statutory time-limit rules, each with its legal source.

Codes are stable: services look rules up by code (and province). An administrator may
adjust the numbers within the law afterwards; reversing this migration deletes the seeded
codes only.
"""

from django.db import migrations

C = "calendar"
W = "working"

XF = "信访工作条例(2022)"
SFQR = "最高人民法院《关于人民调解协议司法确认程序的若干规定》(2011)"
LDFA = "劳动争议调解仲裁法"
TYTJ = "最高人民法院《关于人民法院特邀调解的规定》(2016)"
FLYZ = "法律援助法"
TSJB = "市场监督管理投诉举报处理暂行办法"
RMTJ = "司法部《人民调解工作若干规定》第33条（一般在一个月内调结）"

# (code, province, name, days, unit, extension_days, extension_approver, source)
RULES = [
    ("petition.register", "", "信访事项登记并转送、交办", 15, C, 0, "", f"{XF} 第22条"),
    ("petition.notify", "", "书面告知信访人", 15, C, 0, "", f"{XF} 第23条"),
    ("petition.objection", "", "不属本机关职权范围的异议", 5, W, 0, "", f"{XF} 第23条第3款"),
    ("petition.handle", "", "信访事项办理（申诉求决类）", 60, C, 30, "本机关、单位负责人", f"{XF} 第34条"),
    ("petition.review_request", "", "请求复查", 30, C, 0, "", f"{XF} 第35条"),
    ("petition.review_opinion", "", "提出复查意见", 30, C, 0, "", f"{XF} 第35条"),
    ("petition.recheck_request", "", "请求复核", 30, C, 0, "", f"{XF} 第36条"),
    ("petition.recheck_opinion", "", "提出复核意见（听证时间不计入）", 30, C, 0, "", f"{XF} 第36条"),
    ("people_mediation.handle", "", "人民调解调结", 30, C, 0, "", RMTJ),
    (
        "judicial_confirmation.apply",
        "",
        "共同申请司法确认（自调解协议生效之日起）",
        30,
        C,
        0,
        "",
        "人民调解法 第33条；民事诉讼法(2023) 第205条",
    ),
    ("judicial_confirmation.accept", "", "法院受理司法确认申请", 3, C, 0, "", f"{SFQR} 第4条"),
    ("judicial_confirmation.decide", "", "法院作出是否确认的决定", 15, C, 10, "本院院长", f"{SFQR} 第5条"),
    ("labour_mediation.handle", "", "劳动争议调解", 15, C, 0, "", f"{LDFA} 第14条"),
    ("labour_arbitration.accept", "", "仲裁委员会决定受理或不予受理", 5, C, 0, "", f"{LDFA} 第29条"),
    ("labour_arbitration.award", "", "劳动争议仲裁裁决", 45, C, 15, "仲裁委员会主任", f"{LDFA} 第43条"),
    (
        "labour_arbitration.award_simple",
        "33",
        "劳动人事争议仲裁裁决（简易程序）",
        30,
        C,
        0,
        "",
        "浙江省劳动人事争议调解仲裁条例 第39条",
    ),
    ("labour.limitation", "", "劳动争议申请仲裁时效（一年）", 365, C, 0, "", f"{LDFA} 第27条"),
    (
        "entrusted_mediation.pre_filing",
        "",
        "委派调解（自调解员签收之日起；各方同意可延长）",
        30,
        C,
        0,
        "",
        f"{TYTJ} 第27条",
    ),
    ("entrusted_mediation.after_filing", "", "委托调解（普通程序）", 15, C, 0, "", f"{TYTJ} 第27条"),
    ("entrusted_mediation.after_filing_simple", "", "委托调解（简易程序）", 7, C, 0, "", f"{TYTJ} 第27条"),
    ("legal_aid.decide", "", "法律援助机构作出是否给予援助的决定", 7, C, 0, "", f"{FLYZ} 第43条"),
    ("legal_aid.assign", "", "指派律师或安排人员提供法律援助", 3, C, 0, "", f"{FLYZ} 第43条"),
    ("legal_aid.objection", "", "司法行政部门对异议作出决定", 5, C, 0, "", f"{FLYZ} 第49条"),
    ("consumer.accept", "", "市场监管部门决定是否受理投诉", 7, W, 0, "", f"{TSJB} 第14条"),
    ("consumer.mediate", "", "投诉调解期限上限", 45, W, 0, "", f"{TSJB} 第21条"),
    # Zhejiang's own petition rules ("5 working days to decide, 30 days to
    # handle, extension ≤60").
    ("petition.register", "33", "决定是否受理信访事项", 5, W, 0, "", "浙江省信访条例(2016)"),
    (
        "petition.handle",
        "33",
        "信访事项办理",
        30,
        C,
        60,
        "本机关负责人",
        "浙江省信访条例(2016)",
    ),
    # The case spine's own administrative limits.
    ("case.accept", "", "牵头单位受理或退回分流案件", 3, W, 0, "", "本中心受理规程（可由管理员调整）"),
    ("case.handle", "", "案件调处", 30, C, 0, "", RMTJ),
]


def seed(apps, schema_editor):
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    for code, province, name, days, unit, ext, approver, source in RULES:
        TimeLimitRule.objects.update_or_create(
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
        ("deadlines", "0002_seed_calendar"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
