from django.urls import path

from jiefen.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("ledger.xlsx", views.ledger_export, name="ledger_xlsx"),
    path("report/", views.report, name="report"),
]
