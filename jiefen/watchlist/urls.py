from django.urls import path

from jiefen.watchlist import views

app_name = "watchlist"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_new, name="new"),
    path("<int:entry_id>/", views.entry_detail, name="detail"),
    path("<int:entry_id>/act/", views.entry_act, name="act"),
]
