from django.urls import path

from jiefen.legal import views

app_name = "legal"
urlpatterns = [
    path("legal-aid/", views.aid_list, name="aid_list"),
    path("consultations/", views.consultations, name="consultations"),
    path("legal-aid/<str:number>/decide/", views.aid_decide, name="aid_decide"),
    path("legal-aid/<str:number>/lawyer/", views.aid_lawyer, name="aid_lawyer"),
]
