from django.db import models
from django.utils.translation import gettext_lazy as _


class MediatorKind(models.TextChoices):
    FULL_TIME = "full_time", _("full-time mediator")
    JUSTICE_OFFICE = "justice_office", _("judicial office staff (司法所)")
    VOLUNTEER = "volunteer", _("volunteer mediator")
    XIANGXIAN = "xiangxian", _("village worthy (乡贤)")
    LAWYER = "lawyer", _("lawyer")
    RETIRED_JUDGE = "retired_judge", _("retired judge or prosecutor")
    COUNSELLOR = "counsellor", _("psychological counsellor")
    OTHER = "other", _("other")


# Who the recommendation proposes to mediate; lawyers and counsellors are found by their own
# services (legal aid, psychological service) but a lawyer may also mediate (律师调解).
MEDIATING_KINDS = frozenset(
    {
        MediatorKind.FULL_TIME,
        MediatorKind.JUSTICE_OFFICE,
        MediatorKind.VOLUNTEER,
        MediatorKind.XIANGXIAN,
        MediatorKind.LAWYER,
        MediatorKind.RETIRED_JUDGE,
        MediatorKind.OTHER,
    }
)


class ResolverOrgKind(models.TextChoices):
    INDUSTRY_COMMITTEE = "industry_committee", _("industry or professional mediation committee")
    PERSONAL_STUDIO = "personal_studio", _("personal mediation studio (个人调解工作室)")
    LAWYER_STUDIO = "lawyer_studio", _("lawyer mediation studio (律师调解工作室)")
    XIANGXIAN_COUNCIL = "xiangxian_council", _("village worthies' mediation council (乡贤调解会)")
    SOCIAL_ORG = "social_org", _("social organisation")
    LAW_FIRM = "law_firm", _("law firm")
    PSYCH_ORG = "psych_org", _("psychological service organisation")


class IncubationStage(models.TextChoices):
    NONE = "", _("not incubated")
    APPLIED = "applied", _("applied")
    INCUBATING = "incubating", _("incubating")
    GRADUATED = "graduated", _("graduated")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Difficulty(models.TextChoices):
    SIMPLE = "simple", _("simple")
    ORDINARY = "ordinary", _("ordinary")
    COMPLEX = "complex", _("complex")
