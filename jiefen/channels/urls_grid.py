from django.urls import path

from jiefen.channels import grid_views

app_name = "grid"
urlpatterns = [
    path("", grid_views.home, name="home"),
    path("report/", grid_views.report, name="report"),
    path("check/", grid_views.check, name="check"),
    path("cases/<str:number>/act/", grid_views.act, name="act"),
    path("<int:grid_id>/leader/", grid_views.leader, name="leader"),
]
