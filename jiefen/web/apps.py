from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jiefen.web"
    label = "web"
