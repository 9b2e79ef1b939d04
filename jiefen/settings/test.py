"""Test settings: the same as local, with a fast password hasher."""

from jiefen.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
# The test clock is fixed inside the known calendar (conftest.TEST_NOW) while the browser runs
# on real time: a session cookie without an expiry date keeps browser tests logged in.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Tests travel in time after logging in; sessions must outlive the journey.
SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
# Rate-limit counters in this process's memory: tests clear them without a database. The
# database cache of the embedded default is tested on its own (portal/tests/test_code_limits.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
