from django.urls import path, re_path

from jiefen.channels import open311

app_name = "open311"
urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery, name="discovery"),
    path("services.<str:fmt>", open311.services, name="services"),
    re_path(r"^services/(?P<code>[\w-]+)\.(?P<fmt>\w+)$", open311.service_definition, name="service"),
    path("requests.<str:fmt>", open311.requests_, name="requests"),
    re_path(r"^requests/(?P<request_id>[\w-]+)\.(?P<fmt>\w+)$", open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[\w-]+)\.(?P<fmt>\w+)$", open311.token_detail, name="token"),
    re_path(r"^tokens/(?P<token>[\w-]+)$", open311.token_detail, {"fmt": "xml"}, name="token_bare"),
]
