from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "jiefen.deadlines"
    label = "deadlines"
