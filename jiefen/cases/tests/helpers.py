"""Small builders the case tests share."""

from jiefen.cases.services import PartyInput, case_register


def register(region, category="neighbour", **kw):
    return case_register(
        channel=kw.pop("channel", "walk_in"),
        region=region.code,
        description=kw.pop("description", "邻居噪音纠纷"),
        category=category,
        parties=kw.pop("parties", [PartyInput(role="applicant", name="王小明")]),
        **kw,
    ).case
