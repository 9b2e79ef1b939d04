from django.urls import path

from jiefen.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:alert_id>/actions/", views.alert_action, name="action"),
]
