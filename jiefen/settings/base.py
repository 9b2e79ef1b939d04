"""Settings shared by every deployment. Environment comes from env.read_env() only."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from jiefen.settings.env import read_env

ENV = read_env()
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ENV.data_dir

SECRET_KEY = ENV.secret_key
JIEFEN_PII_KEY = ENV.pii_key
JIEFEN_HASH_KEY = ENV.hash_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Optional second factor for staff (TOTP authenticator apps): jiefen.directory.backends.
    "django_otp",
    "jiefen.directory.apps.TotpConfig",
    # The API docs page from ninja's own static files, not a CDN (works offline, fits the CSP).
    "ninja",
    "jiefen.core",
    "jiefen.regions",
    "jiefen.directory",
    "jiefen.deadlines",
    "jiefen.cases",
    "jiefen.api",
    "jiefen.web",
    "jiefen.demo",
    "jiefen.triage",
    "jiefen.procedures",
    "jiefen.alerts",
    "jiefen.dashboard",
    "jiefen.notifications",
    "jiefen.channels",
    "jiefen.portal",
    "jiefen.mediators",
    "jiefen.legal",
    "jiefen.psych",
    "jiefen.mediation_room",
    "jiefen.watchlist",
    "jiefen.scorecards",
    "jiefen.inspections",
    "jiefen.geo",
]

MIDDLEWARE = [
    "jiefen.cases.groupcommit.ArrivalMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jiefen.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "jiefen.core.edge.InputGuardMiddleware",
    "jiefen.api.idempotency.IdempotencyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "jiefen.urls"
WSGI_APPLICATION = "jiefen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Overrides of a few of Django's admin templates whose text Django leaves untranslated.
        "DIRS": [BASE_DIR / "web" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiefen.web.context_processors.calendar_banner",
                "jiefen.web.context_processors.centre_contacts",
                "jiefen.psych.context_processors.psych_nav",
                "jiefen.watchlist.context_processors.watchlist_nav",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(ENV.database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The folder and the database file are the service user's alone (jiefen.core.apps).
    DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers proceed while one writer holds the lock; IMMEDIATE takes the write
    # lock at BEGIN so two registrations queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directory.Staff"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:case_list"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = ENV.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Any request larger than this (five 10 MB files of the portal and the form) is refused before
# it is read (jiefen.core.edge); bodies other than file uploads stop at DATA_UPLOAD_MAX_MEMORY_SIZE.
JIEFEN_MAX_REQUEST_BYTES = 51 * 1024 * 1024
WHITENOISE_USE_FINDERS = True
# Uploaded files (citizens' attachments) are encrypted at rest (jiefen.core.storage).
STORAGES = {
    "default": {"BACKEND": "jiefen.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every answer (jiefen.core.csp): scripts and styles from this origin
# only (no inline script, handler or style anywhere), images also as data:/blob: (charts).
JIEFEN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Django's admin pages carry a few style attributes of their own.
JIEFEN_CSP_BY_PATH = {"/admin/": JIEFEN_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")}

# Lockout after repeated login failures, for every way in (jiefen.directory.backends): an account
# after 5 failures, a client address after 50 (any usernames; 0 = no address limit).
AUTHENTICATION_BACKENDS = ["jiefen.directory.backends.LockoutBackend"]
JIEFEN_LOGIN_MAX_FAILURES = 5
JIEFEN_LOGIN_MAX_FAILURES_PER_ADDRESS = 50
JIEFEN_LOGIN_LOCKOUT_MINUTES = 15
# Operations that honour an Idempotency-Key header, and how long a key is kept
# (jiefen.api.idempotency).
JIEFEN_IDEMPOTENT_PATHS = ("/api/v1/cases", "/api/v1/channels/12345/orders")
JIEFEN_IDEMPOTENCY_HOURS = 24
# Categories whose cases submitted through Open311 are listed to anyone (jiefen.channels.open311);
# every other case is seen only by staff with an api_key, in their jurisdiction.
JIEFEN_OPEN311_PUBLIC_CATEGORIES = ("environment", "property_mgmt", "consumer")
# Longest description a case accepts, in characters.
JIEFEN_MAX_DESCRIPTION = 20000
# Seconds each process keeps reference data (routing table, organisations, time limits, alert
# rules, themes, templates) before reading it again; a write in the same process clears it at
# once (jiefen.core.refcache).
JIEFEN_REFERENCE_TTL = 30.0
# Registrations arriving together through the API share one transaction, up to this many
# (jiefen.cases.groupcommit).
JIEFEN_GROUP_COMMIT = True
JIEFEN_GROUP_COMMIT_MAX = 32
JIEFEN_GROUP_COMMIT_WAIT_MS = 5.0  # at most this long for requests already being read

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Phones and ID numbers masked, secret parameters replaced in every line (jiefen.core.logscrub).
    "filters": {"scrub": {"()": "jiefen.core.logscrub.ScrubFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Background work (jiefen.celery): Redis in production, in-process (eager) in the embedded default.
CELERY_BROKER_URL = ENV.redis_url or "memory://"
# The mediation room publishes each new message here when Redis is configured (pages poll anyway).
JIEFEN_ROOM_PUBLISH_URL = ENV.redis_url
CELERY_TASK_ALWAYS_EAGER = ENV.celery_eager
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_DEFAULT_QUEUE = "jiefen"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = ENV.time_zone
# Periodic jobs (celery beat). The early-warning sweep is incremental and idempotent, so a
# short interval is cheap; the embedded default runs `jiefen sweep --loop 300` instead.
CELERY_BEAT_SCHEDULE = {
    "alerts-sweep": {"task": "alerts.sweep", "schedule": 300.0},
    "notifications-deliver-due": {"task": "jiefen.notifications.tasks.deliver_due", "schedule": 60.0},
}

# Cache (rate limits, login failures): shared by every worker process — Redis when configured,
# else a table of the database (created by the migration core.0001_cache_table).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ENV.redis_url}
        if ENV.redis_url
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "jiefen_cache",
            # Culling at the default 300 entries would forget counters under a wide attack.
            "OPTIONS": {"MAX_ENTRIES": 200000, "CULL_FREQUENCY": 4},
        }
    )
}
# The client address for rate limits and lockouts: REMOTE_ADDR, unless it is one of these
# reverse proxies (addresses or networks, JIEFEN_TRUSTED_PROXIES); then X-Forwarded-For is read
# from the right, skipping trusted proxies (jiefen.core.ratelimit.client_ip).
JIEFEN_TRUSTED_PROXIES = ENV.trusted_proxies

# Notifications (jiefen.notifications): SMS gateway and delivery retries.
JIEFEN_SMS_BACKEND = ENV.sms_backend
JIEFEN_SMS_FILE = ENV.sms_file or str(DATA_DIR / "sms.log")
JIEFEN_SMS_HTTP_URL = ENV.sms_http_url
JIEFEN_SMS_HTTP_KEY = ENV.sms_http_key
JIEFEN_NOTIFY_MAX_ATTEMPTS = 5
JIEFEN_NOTIFY_BACKOFF_SECONDS = 30

# The portal's public address: the 解纷码 (QR codes) and the links in SMS open pages under it
# (JIEFEN_PORTAL_URL). The centre's address and phone (JIEFEN_CENTRE_ADDRESS, _PHONE) are printed
# on receipts and appended to every SMS to a citizen.
JIEFEN_PORTAL_URL = ENV.portal_url
JIEFEN_CENTRE_ADDRESS = ENV.centre_address
JIEFEN_CENTRE_PHONE = ENV.centre_phone
# The CJK font embedded in generated PDFs (procedures.fonts looks for one when blank).
JIEFEN_PDF_FONT = ENV.pdf_font
