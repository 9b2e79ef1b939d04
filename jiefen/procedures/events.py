"""The timeline entries procedures write (registered in jiefen.cases.events)."""

from django.utils.translation import gettext_lazy as _

from jiefen.cases.events import register

register(
    ("procedure_started", _("procedure started")),
    ("procedure_suspended", _("procedure clock suspended")),
    ("procedure_resumed", _("procedure clock resumed")),
    ("procedure_ended", _("procedure ended")),
    ("extension_requested", _("extension of the time limit requested")),
    ("extension_approved", _("extension of the time limit approved")),
    ("extension_rejected", _("extension of the time limit rejected")),
    ("mediators_assigned", _("mediators assigned")),
    ("session_recorded", _("mediation session recorded")),
    ("step_completed", _("procedure step completed")),
    ("agreement_recorded", _("agreement recorded")),
    ("agreement_revised", _("agreement revised")),
    ("performance_terms_set", _("terms of performance set")),
    ("performance_recorded", _("performance recorded")),
    ("result_notified", _("result notified to the parties")),
    ("return_visit_scheduled", _("return visit scheduled")),
    ("return_visit_recorded", _("return visit recorded")),
    ("feedback_recorded", _("party's rating recorded")),
    ("case_recurred", _("dispute recurred at the return visit")),
    ("reception_booked", _("booked for a leader's reception day")),
    ("leader_took_charge", _("leader took charge (包案)")),
    ("leader_released", _("leader released the case")),
    ("supervision_ordered", _("supervision order issued (督办)")),
    ("supervision_replied", _("supervision order answered")),
    ("document_generated", _("document generated (parties' identity disclosed in full)")),
    ("procedure_moved", _("procedure moved with the case to its new lead organisation")),
    ("petition_repeat_registered", _("registered although a repeat of a petition ended after re-check")),
)
