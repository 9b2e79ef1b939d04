"""The demo county's three resource platforms: mediators, social organisations, lawyers and
counsellors of the registry, the knowledge base, the duty roster, the means standard and the
allowance rules. Idempotent: what exists (by name) is left as it is."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from jiefen.core import clock, pii
from jiefen.directory.models import Staff
from jiefen.legal.models import DutyShift, KnowledgeEntry, MeansStandard
from jiefen.mediators.models import AllowanceRule, IncubationRecord, Mediator, ResolverOrganization
from jiefen.regions.models import Region, RegionLevel

ORGANIZATIONS = [
    # name, kind, categories, incubation stage, description
    (
        "安吉县乡贤调解会",
        "xiangxian_council",
        ["neighbour", "family", "village_affairs", "property_land"],
        "graduated",
        "由退休教师、老干部和乡贤组成，就近调处邻里、家庭和村务纠纷。",
    ),
    (
        "老娘舅调解工作室",
        "personal_studio",
        ["neighbour", "family", "inheritance"],
        "incubating",
        "以个人命名的调解工作室，擅长家庭和邻里纠纷。",
    ),
    (
        "安吉县律师调解工作室",
        "lawyer_studio",
        ["debt_contract", "business", "labour", "traffic"],
        "graduated",
        "律师事务所派驻中心的调解工作室，兼做法律咨询和法律援助。",
    ),
    (
        "安吉县物业纠纷人民调解委员会",
        "industry_committee",
        ["property_mgmt", "consumer"],
        "incubating",
        "行业性专业性人民调解委员会，调处业主与物业服务企业之间的纠纷。",
    ),
    ("安吉县心理咨询师协会", "psych_org", [], "applied", "为中心提供心理疏导和危机干预的社会组织。"),
]

# name, kind, organisation, categories, where ("village" | "town" | "town2" | "county"), languages
MEDIATORS = [
    ("俞秀英", "full_time", None, ["neighbour", "family"], "village", ["安吉话", "普通话"]),
    ("钱建华", "justice_office", None, ["neighbour", "property_land", "village_affairs"], "town", ["普通话"]),
    (
        "章德明",
        "xiangxian",
        "安吉县乡贤调解会",
        ["neighbour", "family", "village_affairs"],
        "village",
        ["安吉话"],
    ),
    (
        "潘金凤",
        "volunteer",
        "老娘舅调解工作室",
        ["family", "inheritance", "neighbour"],
        "town",
        ["安吉话", "普通话"],
    ),
    ("吴国平", "retired_judge", None, ["debt_contract", "inheritance", "business"], "county", ["普通话"]),
    (
        "沈丽华",
        "full_time",
        "安吉县物业纠纷人民调解委员会",
        ["property_mgmt", "consumer"],
        "county",
        ["普通话"],
    ),
    ("胡志刚", "volunteer", None, ["labour", "traffic"], "town2", ["普通话", "河南话"]),
    ("姚建军", "xiangxian", "安吉县乡贤调解会", ["property_land", "expropriation"], "town2", ["安吉话"]),
    ("周明", "lawyer", "安吉县律师调解工作室", ["labour", "debt_contract", "traffic"], "county", ["普通话"]),
    ("郑晓燕", "lawyer", "安吉县律师调解工作室", ["family", "inheritance", "medical"], "county", ["普通话"]),
    ("孙立", "lawyer", "安吉县律师调解工作室", ["business", "debt_contract"], "county", ["普通话"]),
    ("陈慧", "counsellor", "安吉县心理咨询师协会", [], "county", ["普通话"]),
    ("林静", "counsellor", "安吉县心理咨询师协会", [], "county", ["普通话"]),
]

KNOWLEDGE = [
    (
        "老板拖欠工资怎么办？",
        "可以先与用人单位协商，向劳动保障监察机构投诉，或向劳动人事争议仲裁委员会申请仲裁；"
        "农民工追索劳动报酬可以申请法律援助，免予核查经济困难状况。",
        "《劳动争议调解仲裁法》第5条；《法律援助法》第42条",
        "labour",
        "欠薪 工资 农民工",
    ),
    (
        "邻居装修噪音扰民怎么办？",
        "可以请村（居）委会或人民调解委员会调解；噪声污染可向生态环境部门或公安机关反映。",
        "《民法典》第288条、第294条；《噪声污染防治法》第65条",
        "neighbour",
        "噪音 装修 扰民",
    ),
    (
        "楼上漏水把我家天花板泡坏了，谁来赔？",
        "漏水造成损害的，由过错方承担赔偿责任；可以申请人民调解，调解不成可以起诉。",
        "《民法典》第1165条",
        "neighbour",
        "漏水 渗水 赔偿",
    ),
    (
        "调解协议有法律效力吗？",
        "经人民调解委员会调解达成的调解协议具有法律约束力，当事人应当履行；双方可以自协议生效之日起"
        "三十日内共同向人民法院申请司法确认。",
        "《人民调解法》第31条、第33条",
        "other",
        "调解协议 司法确认 效力",
    ),
    (
        "子女不给老人赡养费怎么办？",
        "成年子女对父母负有赡养、扶助和保护的义务；可以请求调解，或起诉要求给付赡养费，"
        "请求给付赡养费可以申请法律援助。",
        "《民法典》第1067条；《法律援助法》第31条",
        "family",
        "赡养费 老人",
    ),
    (
        "交通事故赔偿包括哪些？",
        "包括医疗费、护理费、交通费、误工费等合理费用，致人残疾的还包括残疾赔偿金。",
        "《民法典》第1179条",
        "traffic",
        "交通事故 赔偿 误工费",
    ),
    (
        "申请法律援助要准备什么？",
        "身份证明、经济困难状况的说明（个人诚信承诺）、与所申请事项有关的材料。",
        "《法律援助法》第41条",
        "other",
        "法律援助 材料 申请",
    ),
]

ALLOWANCES = [
    ("simple", "agreement", "100.00"),
    ("simple", "no_agreement", "50.00"),
    ("ordinary", "agreement", "200.00"),
    ("ordinary", "no_agreement", "80.00"),
    ("complex", "agreement", "500.00"),
    ("complex", "no_agreement", "150.00"),
]


def platforms_seed(*, county: Region, town: Region, village: Region) -> int:
    """Add what is missing; returns how many rows were created."""
    made = 0
    now = clock.now()
    towns = list(Region.objects.filter(county=county, level=RegionLevel.TOWN).order_by("code"))
    town2 = next((t for t in towns if t.pk != town.pk), town)
    where = {"village": [village], "town": [town], "town2": [town2], "county": []}
    with transaction.atomic():
        orgs = {}
        for name, kind, cats, stage, desc in ORGANIZATIONS:
            org, created = ResolverOrganization.objects.get_or_create(
                county=county,
                name=name,
                defaults={
                    "kind": kind,
                    "categories": cats,
                    "incubation_stage": stage,
                    "description": desc,
                    "created_at": now,
                },
            )
            orgs[name] = org
            if created:
                made += 1
                for year, st, support, review in (
                    (now.year - 1, "incubating", "场地、培训、办案补贴", "年度评估：合格"),
                    (now.year, stage, "专家督导", ""),
                ):
                    IncubationRecord.objects.create(
                        organization=org, year=year, stage=st, support=support, review=review
                    )
        counsellor_staff = Staff.objects.filter(username="counsellor").first()
        for i, (name, kind, org, cats, area, langs) in enumerate(MEDIATORS):
            if Mediator.objects.filter(county=county, name=name).exists():
                continue
            phone = f"1390572{i:04d}"
            m = Mediator.objects.create(
                name=name,
                kind=kind,
                county=county,
                categories=cats,
                languages=langs,
                organization=orgs.get(org) if org else None,
                qualifications={"lawyer": "律师执业证", "counsellor": "心理咨询师（三级）"}.get(
                    kind, "人民调解员培训合格"
                ),
                training="2025年全县人民调解员轮训",
                staff=counsellor_staff if name == "陈慧" else None,
                phone_enc=pii.encrypt(phone),
                phone_masked=pii.mask_phone(phone),
                created_at=now,
            )
            m.areas.set(where[area])
            made += 1
        if not MeansStandard.objects.filter(province=county.code[:2]).exists():
            MeansStandard.objects.create(
                province=county.code[:2],
                monthly_income_per_person=Decimal("2000.00"),
                source="演示值：请按省级人民政府确定的经济困难标准设置（《法律援助法》第34条）",
            )
            made += 1
        for q, a, statute, cat, kw in KNOWLEDGE:
            _entry, created = KnowledgeEntry.objects.get_or_create(
                question=q, defaults={"answer": a, "statute": statute, "category": cat, "keywords": kw}
            )
            made += created
        for difficulty, outcome, amount in ALLOWANCES:
            _rule, created = AllowanceRule.objects.get_or_create(
                difficulty=difficulty,
                outcome=outcome,
                defaults={"amount": Decimal(amount), "note": "演示值：以案定补标准由县司法局确定"},
            )
            made += created
        lawyers = list(Mediator.objects.filter(county=county, kind="lawyer").order_by("name"))
        today = clock.today()
        for n in range(14):
            day = today + timedelta(days=n)
            if (
                lawyers
                and day.weekday() < 5
                and not DutyShift.objects.filter(county=county, day=day).exists()
            ):
                DutyShift.objects.create(county=county, lawyer=lawyers[n % len(lawyers)], day=day)
                made += 1
    return made
