from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "jiefen.regions"
    label = "regions"
