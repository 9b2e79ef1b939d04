from django.urls import path

from jiefen.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("data.json", views.map_data, name="data"),
]
