"""The eligibility rules of the Legal Aid Law (《中华人民共和国法律援助法》, 2022) as data.

`assess` is pure: from the facts of an application it returns whether aid should be granted,
the articles it rests on, and the facts still missing. The province's means standard (第34条:
经济困难的标准由省级人民政府确定) is a row of `legal.MeansStandard`, passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

LAW = "《法律援助法》"

# 第31条: civil and administrative matters in which a party with financial difficulty may apply.
MATTERS: dict[str, object] = {
    "state_compensation": _("claim for state compensation (依法请求国家赔偿)"),
    "social_insurance": _("social insurance benefits or social assistance (社会保险待遇或者社会救助)"),
    "pension": _("pensions for the disabled or the families of the deceased (抚恤金)"),
    "support": _("support for parents, children or spouse (赡养费、抚养费、扶养费)"),
    "labour": _("confirmation of a labour relation or payment of wages (确认劳动关系或者支付劳动报酬)"),
    "capacity": _("declaration of lack of civil capacity (认定无民事行为能力或者限制民事行为能力)"),
    "injury": _(
        "personal injury from a work accident, traffic accident, food or drug safety accident or "
        "medical accident (人身损害赔偿)"
    ),
    "environment": _(
        "damage from environmental pollution or ecological destruction (环境污染、生态破坏损害赔偿)"
    ),
    "other_regulated": _("another matter named by law, regulation or rule (法律、法规、规章规定的其他情形)"),
}
MATTER_ARTICLE = f"{LAW} 第31条"
NOT_LISTED = "not_listed"  # the applicant's matter is none of the above: a reasoned refusal

# 第32条: no means test for these matters.
NO_MEANS_TEST: dict[str, object] = {
    "hero_honour": _(
        "close relative of a hero or martyr defending their personality rights (英雄烈士近亲属)"
    ),
    "good_samaritan": _("claim arising from acting bravely for a just cause (见义勇为)"),
    "wrongful_conviction": _("state compensation after acquittal on retrial (再审改判无罪请求国家赔偿)"),
    "abuse_victim": _("victim of abuse, abandonment or domestic violence (虐待、遗弃或者家庭暴力的受害人)"),
}
NO_MEANS_ARTICLE = f"{LAW} 第32条"

# 第42条: applicants whose financial difficulty is not verified (免予核查经济困难状况).
EXEMPT_PERSONS: dict[str, object] = {
    "no_income_vulnerable": _(
        "minor, elderly or disabled person without a fixed source of living (无固定生活来源的未成年人、老年人、残疾人)"
    ),
    "assistance_recipient": _(
        "recipient of social assistance, judicial assistance or special care (社会救助、司法救助或者优抚对象)"
    ),
    "migrant_worker_wages": _(
        "migrant worker claiming wages or work-injury damages (申请支付劳动报酬或者请求工伤事故人身损害赔偿的进城务工人员)"
    ),
}
EXEMPT_ARTICLE = f"{LAW} 第42条"
MEANS_ARTICLE = f"{LAW} 第34条、第41条"

# Facts every application needs (第41条: the applicant states the facts and the means).
REQUIRED = ("applicant_name", "id_number", "matter", "facts")


@dataclass
class Facts:
    applicant_name: str = ""
    id_number: str = ""
    matter: str = ""  # a key of MATTERS or NO_MEANS_TEST
    facts: str = ""
    exempt_person: str = ""  # a key of EXEMPT_PERSONS, or ""
    household_size: int | None = None
    household_monthly_income: Decimal | None = None  # yuan, all members together


@dataclass
class Assessment:
    eligible: bool
    basis: list[str] = field(default_factory=list)  # the reasons with their articles
    refusal: list[str] = field(default_factory=list)  # why not, with articles
    missing: list[str] = field(default_factory=list)  # required facts not given
    means_checked: bool = False
    income_per_person: Decimal | None = None


def assess(f: Facts, *, means_standard: Decimal | None, standard_source: str = "") -> Assessment:
    missing = [name for name in REQUIRED if not str(getattr(f, name) or "").strip()]
    if f.matter and f.matter not in MATTERS and f.matter not in NO_MEANS_TEST and f.matter != NOT_LISTED:
        missing.append("matter")
    out = Assessment(eligible=False)
    if f.matter in NO_MEANS_TEST:
        out.basis.append(f"{NO_MEANS_TEST[f.matter]} — {NO_MEANS_ARTICLE}")
        out.eligible = not missing
        out.missing = missing
        return out
    if f.matter == NOT_LISTED and not missing:
        out.refusal.append(
            str(_("the matter is not one for which civil or administrative legal aid is given (%(a)s)"))
            % {"a": MATTER_ARTICLE}
        )
        return out
    if f.matter in MATTERS:
        out.basis.append(f"{MATTERS[f.matter]} — {MATTER_ARTICLE}")
    if f.exempt_person:
        if f.exempt_person not in EXEMPT_PERSONS:
            missing.append("exempt_person")
        else:
            out.basis.append(f"{EXEMPT_PERSONS[f.exempt_person]} — {EXEMPT_ARTICLE}")
            out.missing = missing
            out.eligible = not missing
            return out
    # The means test: household income per person against the province's standard.
    if not f.household_size:
        missing.append("household_size")
    if f.household_monthly_income is None:
        missing.append("household_monthly_income")
    out.missing = list(dict.fromkeys(missing))
    if out.missing:
        return out
    if means_standard is None:
        out.missing.append("means_standard")
        return out
    per_person = (Decimal(f.household_monthly_income) / f.household_size).quantize(Decimal("0.01"))
    out.means_checked, out.income_per_person = True, per_person
    if per_person <= means_standard:
        out.basis.append(
            str(
                _("household income %(p)s yuan a month per person, within the standard of %(s)s (%(src)s)")
                % {"p": per_person, "s": means_standard, "src": standard_source or MEANS_ARTICLE}
            )
        )
        out.eligible = True
    else:
        out.refusal.append(
            str(
                _(
                    "household income %(p)s yuan a month per person is above the standard of %(s)s "
                    "yuan (%(src)s); the matter is not one exempt from the means test (%(a32)s) and "
                    "the applicant is not one whose means are not checked (%(a42)s)"
                )
                % {
                    "p": per_person,
                    "s": means_standard,
                    "src": standard_source or MEANS_ARTICLE,
                    "a32": NO_MEANS_ARTICLE,
                    "a42": EXEMPT_ARTICLE,
                }
            )
        )
    return out
