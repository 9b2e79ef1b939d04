"""Compose long texts of every category from the pieces of `scenes.py` (deterministic, seeded).

The hand-written lines of `src/` are mostly short; real files are long write-ups that tell
background, the incident, injuries, the police, money and feelings before the demand. This
module writes such texts -- the mediator's write-up above all (200-800 characters), and next to
it hotline orders, clerks' notes, grid reports, petition letters, legal questions and spoken
complaints -- by choosing, per text, who tells it, in what order, which facts, which numbers,
which names, with typos now and then and some in Traditional script. The facts of neighbouring
categories (an injury, a hospital stay, a police call) come into every category where they do
not decide it, so that the model learns the relationship and the demand (docs/triage.md,
"Labelling guide"), not the words.

    python -m jiefen.triage.corpus.build      # writes train.jsonl from src/ and from this module
"""

from __future__ import annotations

import random
import re

from jiefen.triage.corpus import build
from jiefen.triage.corpus import scenes as sc

#: Texts composed per category, and the share of each register.
PER_CATEGORY = 390
REGISTER_WEIGHTS = {
    "mediator": 50,
    "hotline": 12,
    "clerk": 10,
    "petition": 9,
    "question": 8,
    "grid": 6,
    "window": 5,
}
SEED = "jiefen-triage-compose-1"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢钟汪方石金邵孔崔毛邱秦江史顾侯龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = [
    "某",
    "某某",
    "某甲",
    "某乙",
    "某芳",
    "某强",
    "某华",
    "某英",
    "某军",
    "某兰",
    "某明",
    "某红",
    "某平",
    "某勇",
    "某霞",
    "某根",
    "某林",
]
VILLAGES = [*build.VILLAGES, "大溪村", "灵峰村", "杨家湾村", "高坞村", "长林村"]
TOWNS = [*build.TOWNS, "杭垓镇", "章村镇", "溪龙乡"]
CN_DIGITS = "零一二三四五六七八九"

#: Life around the dispute, in any category: not the category.
BACKGROUND = [
    "{A}家中有一个正在读大学的儿子，开销较大",
    "{A}常年在外打零工，家里靠妻子种茶维持",
    "{A}此前为盖房向亲戚借过钱，经济压力大",
    "{A}的老伴前年做过手术，身体一直不好",
    "{A}是{V}人，已在{T}生活多年",
    "{A}平时为人老实，与村里人相处尚好",
    "{A}夫妻二人都在镇上的工厂上班",
    "{A}的女儿在外地工作，很少回家",
]
#: The demand, introduced in many ways (these are what the model weights: 要求/请求/诉求…).
ASK_INTRO = ["{A}要求", "{A}请求", "{A}的诉求是", "{A}申请调解，要求", "{A}希望", "{A}提出", "现{A}要求"]
#: What a write-up names the dispute in its first line (申请人…与被申请人…因…发生纠纷).
TOPICS = {
    "family": ["离婚", "赡养", "抚养费", "家庭矛盾", "夫妻财产"],
    "inheritance": ["遗产继承", "遗嘱", "房产继承", "遗产分割"],
    "neighbour": ["相邻关系", "漏水", "噪音", "通行", "邻里琐事"],
    "property_land": ["宅基地界址", "土地流转", "房屋买卖", "房屋租赁", "林地权属"],
    "expropriation": ["征收补偿", "拆迁安置", "青苗补偿", "房屋征收"],
    "labour": ["拖欠工资", "工伤赔偿", "劳动合同", "社会保险", "劳务报酬"],
    "debt_contract": ["民间借贷", "货款", "工程款", "买卖合同", "担保"],
    "business": ["合伙", "股权", "加盟合同", "合伙利润分配", "公司经营"],
    "traffic": ["交通事故损害赔偿", "交通事故", "机动车事故责任"],
    "medical": ["医疗损害赔偿", "医疗纠纷", "医疗费用", "医疗美容损害"],
    "property_mgmt": ["物业服务", "物业费", "电梯维修", "停车管理"],
    "consumer": ["消费", "商品质量", "预付卡退费", "旅游合同"],
    "environment": ["环境污染", "排污", "施工噪音", "养殖污染"],
    "education": ["学生伤害", "校园欺凌", "培训退费", "学校管理"],
    "public_order": ["打架斗殴", "治安", "寻衅滋事", "人身损害"],
    "village_affairs": ["集体收益分配", "村务公开", "土地调整", "集体资产"],
    "other": ["户籍", "政策咨询", "社会保障"],
}
#: Typing slips seen in real files (homophones, missing characters).
TYPOS = [
    ("的", "得"),
    ("在", "再"),
    ("已", "以"),
    ("账", "帐"),
    ("做", "作"),
    ("象", "像"),
    ("付", "附"),
    ("经", "径"),
    ("协议", "协意"),
    ("赔偿", "陪偿"),
    ("工资", "工姿"),
    ("调解", "调节"),
]


def _cn_number(n: int) -> str:
    """Chinese numerals for 1..99,999,999 (the common form: 一万二千、三十六万)."""
    if n < 10:
        return CN_DIGITS[n]
    out = ""
    if n >= 10000:
        out += _cn_number(n // 10000) + "万"
        n %= 10000
        if n and n < 1000:
            out += "零"
    units = [(1000, "千"), (100, "百"), (10, "十")]
    started = bool(out)
    for value, name in units:
        d = n // value
        n %= value
        if d:
            out += ("" if (value == 10 and d == 1 and not out) else CN_DIGITS[d]) + name
            started = True
        elif started and n:
            if not out.endswith("零"):
                out += "零"
    if n:
        out += CN_DIGITS[n]
    return out.rstrip("零")


def _amount(rng: random.Random, low: int, high: int) -> str:
    """An amount as people write it, without its unit 元 (the pieces add it): 35000, 3.5万, 三万五千余."""
    n = rng.randrange(low, high)
    n = max(round(n, -2) if n >= 1000 else n, 100)
    form = rng.random()
    if form < 0.45:
        return f"{n}" if rng.random() < 0.8 else f"{n:,}"
    if form < 0.7 and n >= 10000:
        w = n / 10000
        return (f"{w:.1f}" if w % 1 else f"{int(w)}") + rng.choice(["万", "万", "万余"])
    if form < 0.9:
        return _cn_number(n) + rng.choice(["", "", "余"])
    return f"{n}"


class Composer:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, seq):
        return self.rng.choice(seq)

    def person(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN)

    # ------------------------------------------------------------------ filling placeholders
    def fill(self, text: str, ctx: dict) -> str:
        rng = self.rng

        def one(m: re.Match) -> str:
            key = m.group(1)
            if key == "A":
                if not ctx["a_used"]:
                    ctx["a_used"] = True
                    return ctx["AF"]
                return ctx["A"]
            if key == "B":
                if not ctx["b_used"]:
                    ctx["b_used"] = True
                    return ctx["BF"]
                return ctx["B"]
            if key in ("AF", "BF"):
                ctx["a_used" if key == "AF" else "b_used"] = True
                return ctx[key]
            if key in ("P", "P2", "V", "T", "HOSP"):
                return ctx[key]
            if key == "M":
                return _amount(rng, 8000, 600000)
            if key == "M2":
                return _amount(rng, 500, 40000)
            if key == "D":
                return str(rng.randrange(3, 120)) if rng.random() < 0.7 else _cn_number(rng.randrange(3, 60))
            if key == "N":
                return rng.choice("两三四五六七八")
            if key == "K":
                n = rng.randrange(6, 60)
                return str(n) if rng.random() < 0.6 else _cn_number(n)
            if key == "Y":
                return str(rng.randrange(2008, 2025))
            if key == "AGE":
                return str(rng.randrange(58, 93))
            if key == "AGE6":
                return str(rng.randrange(4, 15))
            if key == "WAGE":
                return str(rng.randrange(18, 45) * 10)
            if key == "PCT":
                return _cn_number(rng.randrange(10, 49))
            if key == "DATE":
                return f"{rng.randrange(2019, 2026)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日"
            if key == "PART":
                return self.pick(sc.PART)
            if key == "WOUND":
                return self.pick(sc.WOUND)
            if key == "INJ":
                return self.fill(self.pick(sc.INJURY), ctx)
            if key == "POL":
                return self.fill(self.pick(sc.POLICE), ctx)
            if key in sc.FILL:
                return self.pick(sc.FILL[key])
            raise KeyError(key)

        return re.sub(r"\{([A-Z0-9]+)\}", one, text)

    def context(self, cat: str, first_person: bool) -> dict:
        rng = self.rng
        p = self.person()
        p2 = self.person()
        while p2 == p:
            p2 = self.person()
        b_full, b_short = self.pick(sc.SCENES[cat]["B"])
        ctx = {
            "P": p,
            "P2": p2,
            "V": self.pick(VILLAGES),
            "T": self.pick(TOWNS),
            "HOSP": self.pick(sc.HOSPITALS),
            "a_used": False,
            "b_used": False,
        }
        for key in ("V", "T", "HOSP"):
            b_full = b_full.replace("{" + key + "}", ctx[key])
            b_short = b_short.replace("{" + key + "}", ctx[key])
        if first_person:
            me = rng.choice(["我", "我", "我", "俺"])
            ctx["AF"] = ctx["A"] = me
            short = b_short.replace("{P}", p)
            short = "对方" if short == p and rng.random() < 0.5 else short
            ctx["BF"] = ctx["B"] = short
            ctx["BF"] = re.sub(r"^被申请人", "", b_full.replace("{P}", p)) if rng.random() < 0.3 else short
        else:
            name = self.person()
            while name in (p, p2):
                name = self.person()
            sex = rng.choice(["男", "女"])
            ctx["AF"] = rng.choice(
                [
                    name,
                    name,
                    f"{name}（{sex}，{rng.randrange(22, 86)}岁）",
                    f"{name}（{sex}，{ctx['V']}村民）",
                ]
            )
            ctx["A"] = rng.choice(["申请人", name, name, "申请人" + name])
            ctx["BF"] = b_full.replace("{P}", p)
            ctx["B"] = rng.choice(["被申请人", b_short.replace("{P}", p), b_short.replace("{P}", p)])
        return ctx

    # ------------------------------------------------------------------ registers
    def pieces(self, cat: str, ctx: dict, *, n_ev: int, hard_p: float, extra: bool) -> dict:
        s = sc.SCENES[cat]
        rng = self.rng
        ev = rng.sample(s["ev"], min(n_ev, len(s["ev"])))
        harm = rng.sample(s["harm"], rng.randrange(0, min(3, len(s["harm"]) + 1)))
        hard = [self.pick(s["hard"])] if s.get("hard") and rng.random() < hard_p else []
        if extra and cat not in ("other", "medical") and not hard and rng.random() < 0.25:
            hard = ["{INJ}" if rng.random() < 0.6 else "{POL}"]
        return {
            "rel": self.pick(s["rel"]),
            "ev": ev,
            "harm": harm,
            "hard": hard,
            "ask": rng.sample(s["ask"], rng.choice([1, 1, 2])),
            "say": self.pick(s["say"]),
            "end": rng.sample(s["end"], rng.choice([1, 1, 2])),
        }

    def mediator(self, cat: str) -> str:
        rng = self.rng
        ctx = self.context(cat, first_person=False)
        long = rng.random() < 0.3
        pc = self.pieces(
            cat, ctx, n_ev=rng.choice([3, 4, 5] if long else [1, 2, 2, 3]), hard_p=0.55, extra=True
        )
        if long:
            pc["harm"] += rng.sample(sc.MOOD, 2)
            pc["hard"] += ["{INJ}"] if cat not in ("other", "medical") and rng.random() < 0.4 else []
        if rng.random() < 0.3:
            pc["harm"].append(self.pick(sc.MOOD))
        facts = [*pc["ev"], *pc["hard"], *pc["harm"]]
        if rng.random() < 0.5:
            facts.insert(rng.randrange(0, len(facts) + 1), self.pick(sc.MOOD))
        bg = rng.sample(BACKGROUND, rng.choice([2, 3] if long else [0, 0, 1, 1, 2]))
        ask = self.pick(ASK_INTRO) + "：" * (rng.random() < 0.2) + "，".join(pc["ask"])
        rel = pc["rel"]
        mode = rng.random()
        if mode < 0.3:
            rel = "申请人{AF}与{BF}因" + self.pick(TOPICS[cat]) + "发生纠纷。" + rel
        elif mode < 0.45:
            rel = "{DATE}，{AF}来到{T}人民调解委员会申请调解。" + rel
        elif mode < 0.55:
            rel = "{AF}与{BF}" + self.pick(TOPICS[cat]) + "纠纷一案。" + rel
        elif mode < 0.6:
            rel = "纠纷简要情况：" + rel
        parts = [rel, *bg, *facts]
        order = rng.random()
        text_parts = ["，".join(parts[:2]) + "。"] + [p + "。" for p in parts[2:]]
        if order < 0.75:
            text_parts.append(ask + "。")
            text_parts.append(pc["say"] + "。")
        else:  # the demand first, the facts after (申请事项 / 事实与理由)
            text_parts.insert(0, ask + "。")
            text_parts.append(pc["say"] + "。")
        process = "。".join(rng.sample(sc.PROCESS, 2)) if long else self.pick(sc.PROCESS)
        if len(pc["end"]) == 2 and rng.random() < 0.6:
            end = "经调解，双方自愿达成如下协议：一、" + pc["end"][0] + "；二、" + pc["end"][1] + "。"
        else:
            end = (
                rng.choice(["经调解，", "最终，", "经调解，双方达成协议：", "最终双方同意："])
                + "，".join(pc["end"])
                + "。"
            )
        text_parts.append(process + "。" + end + self.pick(sc.CLOSE))
        return self.fill("".join(text_parts), ctx)

    def hotline(self, cat: str) -> str:
        rng = self.rng
        ctx = self.context(cat, first_person=rng.random() < 0.5)
        pc = self.pieces(cat, ctx, n_ev=rng.choice([1, 1, 2]), hard_p=0.4, extra=True)
        head = rng.choice(
            ["市民来电反映：", "来电人反映：", "工单内容：来电人称，", "12345转办：市民反映，", "来电："]
        )
        body = "，".join([pc["rel"], *pc["ev"], *pc["hard"]])
        ask = rng.choice(["诉求：", "来电人诉求：", "希望", "要求"]) + "，".join(pc["ask"])
        return self.fill(head + body + "。" + ask + "。", ctx)

    def clerk(self, cat: str) -> str:
        rng = self.rng
        ctx = self.context(cat, first_person=False)
        pc = self.pieces(cat, ctx, n_ev=rng.choice([1, 2]), hard_p=0.4, extra=True)
        head = rng.choice(
            ["来访人{AF}反映：", "当事人{AF}到中心窗口反映，", "{AF}来访称，", "接待记录：{AF}反映"]
        )
        body = "，".join([pc["rel"], *pc["ev"], *pc["hard"], *pc["harm"][:1]])
        return self.fill(head + body + "。" + self.pick(ASK_INTRO) + "，".join(pc["ask"]) + "。", ctx)

    def grid(self, cat: str) -> str:
        rng = self.rng
        ctx = self.context(cat, first_person=False)
        pc = self.pieces(cat, ctx, n_ev=1, hard_p=0.4, extra=True)
        head = rng.choice(["网格员走访获悉：", "网格员巡查发现：", "{V}网格员上报：", "网格员入户时了解到，"])
        tail = rng.choice(
            [
                "网格员已现场劝解，并上报{T}调委会。",
                "已上报，建议有关部门介入调解。",
                "网格员已做好记录，持续关注。",
                "当事人希望" + "，".join(pc["ask"]) + "。",
            ]
        )
        return self.fill(head + "，".join([pc["rel"], *pc["ev"], *pc["hard"]]) + "。" + tail, ctx)

    def petition(self, cat: str) -> str:
        rng = self.rng
        ctx = self.context(cat, first_person=True)
        pc = self.pieces(cat, ctx, n_ev=rng.choice([1, 2, 3]), hard_p=0.5, extra=True)
        head = rng.choice(["尊敬的领导：", "领导您好，", "县矛调中心：", "", "各位领导："]) + rng.choice(
            ["我是{V}的村民，", "我叫{P2}，", "", "我家住{T}，"]
        )
        facts = "，".join([pc["rel"], *pc["ev"], *pc["hard"]]) + "。"
        mood = self.pick(sc.MOOD) + "。" if rng.random() < 0.4 else ""
        ask = (
            rng.choice(["我请求", "我的要求是：", "恳请领导帮助解决：", "请求有关部门"])
            + "，".join(pc["ask"])
            + "。"
        )
        return self.fill(head + facts + mood + ask, ctx)

    def question(self, cat: str) -> str:
        rng = self.rng
        ctx = self.context(cat, first_person=True)
        pc = self.pieces(cat, ctx, n_ev=rng.choice([1, 2]), hard_p=0.4, extra=True)
        head = rng.choice(["请问，", "律师你好，", "咨询一下：", "想问一下，", "", "请教一个问题，"])
        facts = "，".join([pc["rel"], *pc["ev"], *pc["hard"]]) + "。"
        q = (
            rng.choice(["我能不能要求", "请问可以要求", "我想要", "这种情况能要求"])
            + pc["ask"][0]
            + rng.choice(["吗？", "？", "吗，该怎么办？", "，应该找谁？"])
        )
        return self.fill(head + facts + q, ctx)

    def window(self, cat: str) -> str:
        rng = self.rng
        ctx = self.context(cat, first_person=True)
        pc = self.pieces(cat, ctx, n_ev=rng.choice([1, 2]), hard_p=0.4, extra=True)
        filler = rng.choice(["就是说", "你看嘛", "咋说呢", "唉", "我跟你讲", ""])
        facts = filler + "，".join([pc["rel"], *pc["ev"], *pc["hard"]])
        return self.fill(
            facts + "，" + rng.choice(["我就想", "我就是要", "俺要求", "反正我要"]) + pc["ask"][0] + "。", ctx
        )

    # ------------------------------------------------------------------ surface
    def surface(self, text: str) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            for _ in range(rng.choice([1, 1, 2])):
                a, b = self.pick(TYPOS)
                if a in text:
                    i = text.index(a) if rng.random() < 0.5 else text.rfind(a)
                    text = text[:i] + b + text[i + len(a) :]
        if rng.random() < 0.05:
            text = text.replace("，", ",").replace("。", ". ")
        if rng.random() < 0.03:
            text = text.replace("。", "。\n")
        return text.strip()


def compose(categories, per_category: int = PER_CATEGORY, seed: str = SEED) -> list[dict]:
    """`per_category` composed texts of each category (deterministic for a given seed)."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    regs = list(REGISTER_WEIGHTS)
    weights = [REGISTER_WEIGHTS[r] for r in regs]
    rows: list[dict] = []
    for cat in categories:
        rng = random.Random(f"{seed}-{cat}")
        c = Composer(rng)
        seen: set[str] = set()
        i = 0
        while len(seen) < per_category:
            reg = rng.choices(regs, weights)[0]
            text = c.surface(getattr(c, reg)(cat))
            if rng.random() < 0.07:
                text = s2t.convert(text)
            if text in seen:
                continue
            seen.add(text)
            i += 1
            rows.append({"id": f"{cat}-c{i:04d}", "label": cat, "register": reg, "text": text})
    return rows
