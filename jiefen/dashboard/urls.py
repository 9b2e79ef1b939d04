from django.urls import path

from jiefen.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("screen/", views.screen, name="screen"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("cases.csv", views.cases_csv, name="cases_csv"),
    path("cases.xlsx", views.cases_xlsx, name="cases_xlsx"),
]
