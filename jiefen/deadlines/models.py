from django.db import models
from django.utils.translation import gettext_lazy as _


class DayUnit(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")


class CalendarYear(models.Model):
    """A year the official working-day calendar knows, with the State Council notice it comes from.

    A year without a row here is unknown: a deadline reaching into it is an error that tells
    the admin to add the year, never a guess.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a statutory holiday on a weekday, or a
    weekend day that is a make-up working day (调休上班)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}"


class TimeLimitRule(models.Model):
    """A time limit of a step, with the legal source it comes from.

    Rules are data: an admin may adjust them within the law or add a province's variant
    (`province` = the 2-digit code; blank = national).
    """

    code = models.CharField(_("code"), max_length=60)
    province = models.CharField(_("province"), max_length=2, blank=True, default="")
    name = models.CharField(_("name"), max_length=100)
    days = models.PositiveIntegerField(_("days"))
    unit = models.CharField(_("unit"), max_length=10, choices=DayUnit.choices, default=DayUnit.CALENDAR)
    extension_days = models.PositiveIntegerField(_("extension days"), default=0)
    extension_approver = models.CharField(_("extension approved by"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["code", "province"]
        verbose_name = _("time limit rule")
        verbose_name_plural = _("time limit rules")
        constraints = [models.UniqueConstraint(fields=["code", "province"], name="timelimit_code_province")]

    def __str__(self) -> str:
        return f"{self.name}: {self.days} {self.get_unit_display()}"
