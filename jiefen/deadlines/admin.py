"""Admin for the working-day calendar and the time-limit rules.

Saving or deleting calendar rows drops this process's cached calendar once the change is
committed; other processes pick it up within a minute (selectors._TTL_SECONDS).
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from jiefen.deadlines import selectors
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


@admin.register(CalendarYear)
class CalendarYearAdmin(_InvalidatesCalendar):
    list_display = ["year", "source"]
    search_fields = ["source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(_InvalidatesCalendar):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "province",
        "name",
        "days",
        "unit",
        "extension_days",
        "extension_approver",
        "source",
    ]
    list_filter = ["unit", "province"]
    search_fields = ["code", "name", "source"]
