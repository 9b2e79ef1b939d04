"""Test factories (factory-boy): staff and registered cases, built the way the product builds them.

A case is always registered through `cases.services.case_register` (numbers, steps, events,
triage and the consumers of case writes all happen), so a factory-made case is one the product
could have made. Each factory attribute is an argument of the service and can be overridden:

    RegistrationFactory(region=anji.village, actor=dispatcher)            # → Registration
    RegistrationFactory(region=anji.village, parties=[PartyFactory(phone="13812345678")]).case
    StaffFactory(organization=org, roles=["clerk"])                       # password "pw-123456789"

The per-app `register` fixtures and helpers of the tests are thin wrappers over these.
"""

from __future__ import annotations

import factory

from jiefen.cases.services import PartyInput, case_register
from jiefen.directory.models import Staff

PASSWORD = "pw-123456789"


class PartyFactory(factory.Factory):
    class Meta:
        model = PartyInput

    role = "applicant"
    name = "王小明"
    phone = ""
    id_number = ""


class RegistrationFactory(factory.Factory):
    """`case_register(**attributes)`; `region` is required (a Region or its code)."""

    class Meta:
        model = dict  # replaced by _create: the service builds the case

    channel = "walk_in"
    description = "邻居装修噪音，协商未果"
    category = "neighbour"
    parties = factory.LazyFunction(lambda: [PartyFactory()])
    actor = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return case_register(**kwargs)

    _build = _create


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    username = factory.Sequence(lambda n: f"u{n + 1}")
    roles: list[str] = []

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=kwargs.pop("password", PASSWORD), **kwargs)
