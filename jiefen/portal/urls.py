from django.urls import path

from jiefen.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("regions/", views.regions, name="regions"),
    path("poster/<str:code>/", views.poster, name="poster"),
    path("poster/<str:code>.svg", views.poster_svg, name="poster_svg"),
    path("receipt/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/verify/", views.verify, name="verify"),
    path("case/", views.case, name="case"),
    path("case/rate/", views.rate, name="rate"),
    path("case/reopen/", views.reopen, name="reopen"),
]
