"""Small builders the case tests share."""

from jiefen.cases.tests.factories import PartyFactory, RegistrationFactory


def register(region, category="neighbour", **kw):
    kw.setdefault("description", "邻居噪音纠纷")
    kw.setdefault("parties", [PartyFactory()])
    return RegistrationFactory(region=region.code, category=category, **kw).case
