"""The password check of every way in — the staff login, /admin/login/, anything that calls
`django.contrib.auth.authenticate` — with the lockout after repeated failures.

Because the lockout lives here and not in one login form, no login page can bypass it. A
locked account and an unknown user get the same answer as a wrong password (the backend just
finds no user), after the same password-hashing work, so that an attacker learns nothing about
which accounts exist or are locked.

A staff member who has an authenticator app set up (a confirmed TOTP device of django-otp:
`jiefen otp-add USERNAME`) logs in with its six-digit code as well, at every login page; a
wrong or missing code is a failed login like a wrong password.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _

from jiefen.core.ratelimit import client_ip
from jiefen.directory import services
from jiefen.directory.models import Staff

# The one answer to a refused login, whatever the reason (wrong password, unknown user, locked).
LOGIN_REFUSED = _(
    "Wrong username or password, or too many failed attempts (the account is then locked for a while)."
)


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, otp_token=None, **kwargs):
        if username is None:
            username = kwargs.get(Staff.USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = _address(request)
        staff = Staff._default_manager.filter(**{Staff.USERNAME_FIELD: username}).first()
        if (staff is not None and services.login_locked(staff)) or services.login_address_blocked(address):
            Staff().set_password(password)  # the cost of a real check: the answer time tells nothing
            services.login_address_failed(address)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not _second_factor(user, otp_token):
            user = None  # a staff member with an authenticator app gives its code too
        if user is None:
            services.login_address_failed(address)
            if staff is not None:
                services.login_failed(staff=staff)
            return None
        services.login_succeeded(staff=user)
        return user


def _second_factor(user, token) -> bool:
    """True without a confirmed authenticator (TOTP) device; else only with its current code.
    The device is kept on the user: django-otp marks the session verified at login."""
    from django_otp import match_token, user_has_device

    if not user_has_device(user):
        return True
    device = match_token(user, (token or "").strip()) if token else None
    if device is None:
        return False
    user.otp_device = device
    return True


def _address(request) -> str:
    if request is None:
        return ""
    return client_ip(request) if settings.JIEFEN_LOGIN_MAX_FAILURES_PER_ADDRESS else ""
