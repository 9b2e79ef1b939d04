from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from jiefen.api.router import api
from jiefen.mediators import views as mediator_views

admin.site.site_header = _("jiefen administration")
admin.site.site_title = _("jiefen administration")
admin.site.index_title = _("Configuration of the centre")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/legal-aid/", include("jiefen.legal.urls_portal")),
    path("portal/mediators/", mediator_views.portal_prefer, name="portal_mediators"),
    path("portal/", include("jiefen.portal.urls")),
    path("open311/v2/", include("jiefen.channels.urls_open311")),
    path("grid/", include("jiefen.channels.urls_grid")),
    path("hotline/", include("jiefen.channels.urls_hotline")),
    path("procedures/", include("jiefen.procedures.urls")),
    path("room/", include("jiefen.mediation_room.urls")),
    path("mediators/", include("jiefen.mediators.urls")),
    path("legal/", include("jiefen.legal.urls")),
    path("psych/", include("jiefen.psych.urls")),
    path("dashboard/", include("jiefen.dashboard.urls")),
    path("alerts/", include("jiefen.alerts.urls")),
    path("triage/", include("jiefen.triage.urls")),
    path("", include("jiefen.web.urls")),
]
