from django.contrib import admin
from django.core.exceptions import ValidationError

from jiefen.core.errors import DomainError
from jiefen.inspections.models import Entry, Finding, Round, Schedule
from jiefen.inspections.services import rounds_ensure, schedule_validate


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "county",
        "unit",
        "frequency",
        "starts_on",
        "ends_on",
        "grace_days",
        "active",
    )
    list_filter = ("unit", "frequency", "active")
    raw_id_fields = ("county",)

    def save_model(self, request, obj, form, change):
        try:
            schedule_validate(obj)
        except DomainError as exc:
            raise ValidationError(str(exc.message)) from exc
        super().save_model(request, obj, form, change)
        rounds_ensure(county=obj.county)


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("schedule", "period_start", "period_end", "due_on")
    list_filter = ("schedule",)


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    raw_id_fields = ("case",)
    readonly_fields = ("case", "registered")


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("round", "unit", "grid", "village", "reporter", "reported_at", "zero_report")
    list_filter = ("unit", "zero_report")
    raw_id_fields = ("round", "grid", "village", "town", "county", "reporter")
    readonly_fields = ("reported_at",)
    inlines = [FindingInline]
