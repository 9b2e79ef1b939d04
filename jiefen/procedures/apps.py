from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "jiefen.procedures"
    label = "procedures"
    verbose_name = _("procedures, closure and leaders")

    def ready(self):
        from jiefen.deadlines.signals import calendar_changed
        from jiefen.procedures import events  # noqa: F401 - registers the procedures' timeline entries
        from jiefen.procedures.services import procedure_deadlines_recompute

        calendar_changed.connect(procedure_deadlines_recompute, dispatch_uid="procedures.deadlines_recompute")
        from jiefen.cases.hooks import Consumer, consumer_register
        from jiefen.procedures.services import follow_up_on_close, procedures_follow_case

        def written(*, case, event, before):
            if before and before.get("lead_organization_id") != case.lead_organization_id:
                # a procedure follows its case to the new lead organisation
                procedures_follow_case(
                    case=case, old_organization_id=before.get("lead_organization_id"), actor=event.actor
                )
            if event.kind == "close":  # the closure loop: return visit, rating invitation
                follow_up_on_close(case=case, actor=event.actor)

        consumer_register(Consumer("procedures", 50, written=written))
