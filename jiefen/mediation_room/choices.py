from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionMode(models.TextChoices):
    ONLINE = "online", _("online (video)")
    PHONE = "phone", _("by phone")
    IN_PERSON = "in_person", _("at a place")


class Author(models.TextChoices):
    MEDIATOR = "mediator", _("mediator")
    PARTY = "party", _("party")


class CodePurpose(models.TextChoices):
    JOIN = "join", _("join the mediation room")
    CONFIRM = "confirm", _("confirm the terms")
