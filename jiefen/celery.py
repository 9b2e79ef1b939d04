"""The Celery app of jiefen: `celery -A jiefen worker`.

Configuration comes from Django settings under the CELERY_ namespace (broker = REDIS_URL, or
the in-memory transport with eager execution in the embedded default). Tasks live in each
app's `tasks.py` and are found by autodiscovery.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings.local")

app = Celery("jiefen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
