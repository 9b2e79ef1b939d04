from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jiefen.demo"
    label = "demo"
