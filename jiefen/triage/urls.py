from django.urls import path

from jiefen.triage import views

app_name = "triage"
urlpatterns = [
    path("propose/", views.propose, name="propose"),
    path("queue/", views.queue, name="queue"),
    path("agreement/", views.agreement, name="agreement"),
    path("routing/dry-run/", views.dry_run, name="dry_run"),
    path("cases/<str:number>/confirm/", views.confirm, name="confirm"),
    path("cases/<str:number>/link/", views.case_link, name="case_link"),
]
