"""The timeline entries the portal writes (registered in jiefen.cases.events)."""

from django.utils.translation import gettext_lazy as _

from jiefen.cases.events import register

register(
    ("reopen_requested", _("the applicant asks to reopen")),
    ("reopen_request_refused", _("request to reopen refused")),
    ("query_code_reissued", _("query code reissued to a verified party")),
)
