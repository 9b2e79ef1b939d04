from django.urls import path

from jiefen.legal import views

app_name = "legal_portal"
urlpatterns = [
    path("", views.portal_apply, name="apply"),
    path("receipt/", views.portal_receipt, name="receipt"),
    path("status/", views.portal_status, name="status"),
]
