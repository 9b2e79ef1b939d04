from django.contrib import admin

from jiefen.legal.models import Consultation, DutyShift, KnowledgeEntry, LegalAidApplication, MeansStandard


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ("question", "category", "statute", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("question", "answer", "keywords")


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ("day", "lawyer", "place", "county")
    list_filter = ("county",)
    date_hierarchy = "day"


@admin.register(MeansStandard)
class MeansStandardAdmin(admin.ModelAdmin):
    list_display = ("province", "monthly_income_per_person", "source")


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("at", "channel", "topic", "lawyer", "case")
    list_filter = ("channel", "topic")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LegalAidApplication)
class LegalAidApplicationAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "channel", "matter", "decision_due_at", "lawyer")
    list_filter = ("status", "channel")
    exclude = ("id_number_enc", "id_number_hash", "phone_enc", "query_code_hash")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
