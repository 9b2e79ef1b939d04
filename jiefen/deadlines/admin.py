"""Admin for the working-day calendar and the time-limit rules.

A year is added with its notice's days in the same form, through the same validation and
service as `jiefen calendar-add-year` (a year with no days, or without a statutory holiday, is
refused with the reason); loading it recomputes the open provisional deadlines. A single day
may be corrected afterwards, except that a statutory holiday cannot be made a working day or
removed. Saving or deleting calendar rows drops this process's cached calendar once the change
is committed; other processes pick it up within a minute (selectors._TTL_SECONDS).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiefen.core.errors import DomainError
from jiefen.deadlines import selectors, services
from jiefen.deadlines.models import CalendarDay, CalendarYear, TimeLimitRule


class _InvalidatesCalendar(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(selectors.calendar_invalidate)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(selectors.calendar_invalidate)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(selectors.calendar_invalidate)


def _lines(text: str) -> list[tuple]:
    entries = []
    for line in (text or "").splitlines():
        if line.strip():
            entries += services.parse_day_spec(line)
    return entries


class CalendarYearAddForm(forms.ModelForm):
    days_off = forms.CharField(
        label=gettext_lazy("days off"),
        widget=forms.Textarea(attrs={"rows": 9, "cols": 60}),
        help_text=gettext_lazy(
            "One line per day or range of the notice, e.g. 2027-01-01 元旦 or 2027-02-05..2027-02-13 春节. "
            "Weekend days inside a range may be included."
        ),
    )
    make_up_workdays = forms.CharField(
        label=gettext_lazy("make-up working days (调休上班)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=gettext_lazy("One line per weekend day worked, e.g. 2027-02-20 春节调休上班."),
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "source"]

    def clean(self):
        data = super().clean()
        year = data.get("year")
        if year is None:
            return data
        try:
            self.holidays = _lines(data.get("days_off", ""))
            self.workdays = _lines(data.get("make_up_workdays", ""))
            services.notice_validate(year=year, holidays=self.holidays, workdays=self.workdays)
        except DomainError as exc:
            fields = getattr(exc, "fields", {}) or {}
            raise forms.ValidationError(fields.get("days") or [str(exc)]) from exc
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(_InvalidatesCalendar):
    list_display = ["year", "source"]
    search_fields = ["source"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CalendarYearAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        load = services.calendar_year_add(
            year=obj.year, source=obj.source, holidays=form.holidays, workdays=form.workdays
        )
        obj.pk = load.year.pk
        messages.info(
            request,
            _("Calendar %(year)s loaded; open provisional deadlines recomputed: %(count)s changed.")
            % {"year": obj.year, "count": load.recomputed},
        )


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name"]

    def clean(self):
        data = super().clean()
        day = data.get("date")
        try:
            if day is not None:
                services.statutory_day_guard(day, is_workday=bool(data.get("is_workday")))
            old = self.instance.date if self.instance.pk else None
            if old is not None and old != day:
                services.statutory_day_guard(old, is_workday=None)
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(_InvalidatesCalendar):
    form = CalendarDayForm
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for day in objs:
            try:
                services.statutory_day_guard(day.date, is_workday=None)
            except DomainError as exc:
                protected = [*protected, str(exc)]
        return deleted, counts, perms_needed, protected


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code_shown",
        "province",
        "name",
        "days",
        "unit",
        "extension_days",
        "extension_approver",
        "source",
    ]
    list_filter = ["unit", "province"]

    @admin.display(description=gettext_lazy("code"), ordering="code")
    def code_shown(self, obj):
        # procedure kind and step of the rule (people_mediation.mediate …): an identifier
        return format_html("<code>{}</code>", obj.code)

    search_fields = ["code", "name", "source"]
