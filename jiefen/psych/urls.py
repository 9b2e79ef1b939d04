from django.urls import path

from jiefen.psych import views

app_name = "psych"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("<int:pk>/", views.referral, name="referral"),
    path("<int:pk>/consent/", views.consent, name="consent"),
    path("<int:pk>/screening/", views.screening, name="screening"),
    path("<int:pk>/session/", views.session, name="session"),
    path("alerts/<int:pk>/ack/", views.alert_ack, name="alert_ack"),
    path("cases/<str:number>/refer/", views.refer, name="refer"),
]
