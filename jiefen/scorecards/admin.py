from django.contrib import admin

from jiefen.scorecards.models import ScoreWeight


@admin.register(ScoreWeight)
class ScoreWeightAdmin(admin.ModelAdmin):
    """The weights of the monthly unit scores (docs/scorecards.md)."""

    list_display = ["term", "weight", "note"]
    list_editable = ["weight"]
