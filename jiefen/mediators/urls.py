from django.urls import path

from jiefen.mediators import views

app_name = "mediators"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("<int:pk>/", views.mediator, name="mediator"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("cases/<str:number>/assign/", views.assign, name="assign"),
]
