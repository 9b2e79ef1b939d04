"""Strings of Django's own templates that its Chinese catalogue does not translate yet.

Listed here with gettext_noop so that `makemessages` keeps them in jiefen's catalogue, which is
searched before Django's (LOCALE_PATHS): the admin's hidden table headers would otherwise reach
a screen reader in English on a Chinese page. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]
