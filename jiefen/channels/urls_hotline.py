from django.urls import path

from jiefen.channels import hotline_views

app_name = "hotline"
urlpatterns = [path("", hotline_views.hotline_orders, name="orders")]
