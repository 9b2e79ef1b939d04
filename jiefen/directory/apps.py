from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "jiefen.directory"
    label = "directory"
