from django.db import models
from django.utils.translation import gettext_lazy as _

from jiefen.scorecards.choices import Term


class ScoreWeight(models.Model):
    """The weight of one term in a unit's monthly score (考核): data, edited in the admin.

    The score is the weighted mean of the terms a unit has a figure for (a term with nothing to
    count, e.g. no return visits due, is left out rather than counted as 0 or 100)."""

    term = models.CharField(_("term"), max_length=30, choices=Term.choices, unique=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("score weight")
        verbose_name_plural = _("score weights")

    def __str__(self) -> str:
        return f"{self.get_term_display()}: {self.weight}"
