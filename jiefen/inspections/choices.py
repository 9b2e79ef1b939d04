from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    """What one ledger entry covers: a grid (网格) or a village (村社)."""

    GRID = "grid", _("grid")
    VILLAGE = "village", _("village")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    CAMPAIGN = "campaign", _("special campaign")
