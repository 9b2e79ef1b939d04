from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "jiefen.legal"
    label = "legal"
    verbose_name = _("public legal service and legal aid")

    def ready(self):
        from jiefen.deadlines.signals import calendar_changed
        from jiefen.legal import events  # noqa: F401 - registers the legal service's timeline entries
        from jiefen.legal.services import aid_deadlines_recompute

        calendar_changed.connect(aid_deadlines_recompute, dispatch_uid="legal.aid_deadlines_recompute")
