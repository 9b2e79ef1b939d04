from django.urls import path

from jiefen.inspections import map_views as views

app_name = "map"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("data.json", views.map_data, name="data"),
]
