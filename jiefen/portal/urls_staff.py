from django.urls import path

from jiefen.portal import staff_views

app_name = "reopen"
urlpatterns = [
    path("", staff_views.reopen_requests, name="list"),
    path("<int:pk>/decide/", staff_views.reopen_request_decide, name="decide"),
]
