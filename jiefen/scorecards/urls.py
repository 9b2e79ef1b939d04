from django.urls import path

from jiefen.scorecards import views

app_name = "scorecards"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("scorecards.xlsx", views.ranking_xlsx, name="xlsx"),
    path("<str:month>/<str:key>/", views.unit, name="unit"),
    path("<str:month>/<str:key>/<str:figure>/", views.drill, name="drill"),
]
